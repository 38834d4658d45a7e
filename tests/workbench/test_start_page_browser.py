"""The start page in Chromium at 1366 and 390 px: no sideways scrolling, no CSP violation, no
axe-core violation; screenshots for the README (docs/img/workbench-start*.png)."""

import pytest
from django.conf import settings
from django.test import Client

from access.models import Membership
from tests.browser.support import describe, docs_screenshot, run_axe, screenshot
from tests.browser.test_admin_csp import COLLECT_VIOLATIONS
from tests.factories import MeasureFactory
from tests.workbench.conftest import complete, days

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in_page(browser, base_url, user, width):
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="de-DE", viewport={"width": width, "height": 900})
    context.set_default_timeout(15_000)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
            }
        ]
    )
    page = context.new_page()
    page.add_init_script(COLLECT_VIOLATIONS)
    return page


@pytest.mark.parametrize(
    ("width", "name"), [(1366, "workbench-start"), (390, "workbench-start-390")]
)
def test_start_page_fits_and_is_clean(chromium_browser, live_url, world, width, name):
    # Clara coordinates the plan and also edits for the Kulturamt: every panel is shown.
    clara = world["users"]["coordinator"]
    Membership.objects.create(
        user=clara, plan=world["plan"], role=Membership.Role.EDITOR, organisation=world["kulturamt"]
    )
    for i, title in enumerate(["Kulturpass für Auszubildende", "Offene Ateliers im Westen"]):
        measure = MeasureFactory(field=world["field"], title=title, state="draft")
        complete(measure, world["kulturamt"], due=days(3 + 9 * i))
    page = signed_in_page(chromium_browser, live_url(), clara, width)
    statuses = []
    page.on("response", lambda r: statuses.append((r.status, r.url)))

    page.goto(live_url("/admin/"))

    assert page.locator("h1").first.inner_text() == "Meine Arbeit"
    for heading in ("Zurückgegeben an Sie", "Wartet auf Ihre Prüfung", "Meine Maßnahmen"):
        assert page.get_by_role("heading", name=heading).is_visible()
    docs_screenshot(screenshot(page, name), name)
    wide = page.evaluate(
        """(width) => [...document.querySelectorAll('body *')]
            .filter((e) => e.getBoundingClientRect().right > width + 1)
            .slice(0, 8).map((e) => e.tagName + '.' + e.className + ' ' +
                Math.round(e.getBoundingClientRect().right) + ' ' + e.textContent.slice(0, 40))""",
        width,
    )
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{scroll_width} px wide in a {width} px window: {wide}"
    assert page.evaluate("() => window.__cspViolations || []") == []
    assert [s for s in statuses if s[0] >= 400] == []
    violations = run_axe(page)
    assert violations == [], describe(violations)


def test_quality_check_fits_390_px_and_is_clean(chromium_browser, live_url, world):
    """The quality check's page (tests/workbench/test_quality_check.py) on a phone."""
    for i in range(3):
        MeasureFactory(
            field=world["field"],
            title=f"Einrichtung einer Kontaktstelle Kreativwirtschaft als Querschnittsstelle {i}",
        )
    page = signed_in_page(chromium_browser, live_url(), world["users"]["coordinator"], 390)
    page.goto(live_url(f"/admin/pruefen/{world['plan'].slug}/"))

    assert page.get_by_role("heading", name="Ohne Federführung: 4").is_visible()
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll_width <= 390, f"{scroll_width} px wide in a 390 px window"
    assert page.evaluate("() => window.__cspViolations || []") == []
    violations = run_axe(page)
    assert violations == [], describe(violations)
