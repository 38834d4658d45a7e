"""An English measure page whose texts partly fall back to German passes axe-core: the
“(in German)” notes are readable (contrast, size) and every German text is marked ``lang``."""

import pytest

from tests.browser.conftest import browser_page, chromium_browser, live_url  # noqa: F401
from tests.browser.support import describe, run_axe
from tests.translations.world import build_world, english

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_english_measure_page_with_fallbacks_passes_axe(browser_page, live_url):  # noqa: F811
    w = build_world()
    w.plan.english_note = "Translated by the partners; the German text is authoritative."
    w.plan.save()
    # half translated: the title in English, everything else German with its note
    type(w.measure).objects.filter(pk=w.measure.pk).update(title_en=english("measure", "title"))
    page = browser_page
    failures = {}
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_url("/en" + w.measure.get_absolute_url()))
        assert page.locator("h1").inner_text() == english("measure", "title")
        assert page.locator(".in-german").count() >= 5
        assert page.locator(".english-note").count() == 1
        violations = run_axe(page)
        if violations:
            failures[width] = describe(violations)
        size = page.evaluate(
            "() => parseFloat(getComputedStyle(document.querySelector('.in-german')).fontSize)"
        )
        assert size >= 12
    assert not failures, failures
