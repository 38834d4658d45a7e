"""The indicator pages in headless Chromium: axe-core finds nothing, on a desktop and a phone."""

import io

import pytest
from django.core.management import call_command

from actionplan import models as ap
from tests.browser.support import describe, run_axe

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.single_pass("axe-core on the indicator pages"),
]


def test_indicator_pages_pass_axe_at_1366_and_390(browser_page, live_url):
    call_command("load_demo_data", stdout=io.StringIO())
    plan = ap.Plan.objects.get(slug="leipzig-2011")
    example = plan.indicators.get(slug="beratungen-kontaktstelle")
    pages = {
        "index": f"{plan.get_absolute_url()}indikatoren/",
        "example": example.get_absolute_url(),
        "empty": plan.indicators.get(slug="erfasste-akteursnetzwerke").get_absolute_url(),
        "measure": example.links.get().measure.get_absolute_url(),
        "progress": f"{plan.get_absolute_url()}stand/",
    }
    page = browser_page
    failures = {}
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for name, path in pages.items():
            page.goto(live_url(path))
            violations = run_axe(page)
            if violations:
                failures[f"{name}@{width}"] = describe(violations)
            scroll = page.evaluate("() => document.documentElement.scrollWidth")
            if scroll > width:
                failures[f"{name}@{width}"] = f"scrolls sideways ({scroll}px)"
    assert not failures, failures
    page.goto(live_url(pages["example"]))
    chart = page.locator("svg.line-chart[role=img]")
    assert chart.count() == 1
    assert "Beispielwerte" in page.locator("#example-note").inner_text()
    assert page.locator("#table-course tbody tr").count() == 5  # baseline, 3 values, 1 target
