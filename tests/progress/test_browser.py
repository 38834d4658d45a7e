"""The dashboard in headless Chromium: axe-core in German and English, no CSP violation, and
the screenshot in the README (docs/img/dashboard.png, written with PLANWERK_DOCS_SCREENSHOTS=1)."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from actionplan import models as ap
from tests.browser.conftest import browser_page, chromium_browser, live_url  # noqa: F401
from tests.browser.support import describe, docs_screenshot, run_axe, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A day on which the Leipzig plan has milestones due and overdue.
DAY = datetime.datetime(2011, 6, 1, 10, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))

COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI || "inline"}`);
});
"""


@pytest.fixture
def leipzig():
    call_command("load_demo_data", stdout=StringIO())
    return ap.Plan.objects.get()


@pytest.mark.parametrize(
    ("prefix", "heading"), [("", "Stand der Umsetzung"), ("/en", "Progress of the plan")]
)
def test_dashboard_has_no_axe_violation_and_no_csp_violation(
    browser_page,  # noqa: F811
    live_url,  # noqa: F811
    leipzig,
    prefix,
    heading,
):
    page = browser_page
    page.add_init_script(COLLECT_VIOLATIONS)
    with time_machine.travel(DAY, tick=False):
        response = page.goto(live_url(f"{prefix}/plaene/{leipzig.slug}/stand/"))
        assert response.status == 200
        assert page.locator("h1").inner_text() == heading
        charts = page.locator(".hchart[role=img]")
        assert charts.count() == 7  # status, fields, category, source; programme, year, kind
        # chart text is HTML and keeps a readable size (SVG text in a viewBox would shrink)
        sizes = page.eval_on_selector_all(
            ".hchart__label, .hchart__value", "els => els.map(e => getComputedStyle(e).fontSize)"
        )
        assert sizes and min(float(size.removesuffix("px")) for size in sizes) >= 12
        # the stylesheet reached the charts: bars are coloured by class, not black
        fill = page.eval_on_selector("rect.chart-bar--planned", "el => getComputedStyle(el).fill")
        assert fill == "rgb(123, 135, 148)"
        violations = run_axe(page)
        assert violations == [], describe(violations)
        assert page.evaluate("() => window.__cspViolations") == []
        overdue = page.locator("#table-overdue tbody tr")
        assert overdue.count() == 3
        if not prefix:
            docs_screenshot(screenshot(page, "dashboard"), "dashboard")
