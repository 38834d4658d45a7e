"""The admin and the public timeline in Chromium under the real Content-Security-Policy.

The browser reports every blocked script, style or style attribute as a
`securitypolicyviolation` event and a console error; both are collected from the first
document on, and each test asserts that there was none.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from actionplan import models as ap
from imports.plan_workbook import XLSX_CONTENT_TYPE, plan_workbook_xlsx
from tests.browser.support import screenshot
from tests.factories import StaffUserFactory
from tests.imports.plan_support import column, open_xlsx, save_xlsx
from tests.imports.support import stored_uploads

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.single_pass("the Content-Security-Policy in Chromium"),
]

PASSWORD = "test-password-123"  # tests.factories.UserFactory

COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
    `at ${event.sourceFile}:${event.lineNumber} (${event.sample})`
  );
});
"""


@pytest.fixture
def csp_page(browser_page):
    """The page with violation listeners; `check()` returns what was reported on this page."""
    page = browser_page
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.add_init_script(COLLECT_VIOLATIONS)

    def check() -> list[str]:
        return page.evaluate("() => window.__cspViolations") + console

    page.check_csp = check
    return page


@pytest.fixture
def leipzig():
    call_command("load_demo_data", stdout=StringIO())
    return ap.Plan.objects.get()


def _visit(page, url) -> list[str]:
    response = page.goto(url)
    assert response.status == 200, url
    policy = response.headers["content-security-policy"]
    assert "unsafe-inline" not in policy
    page.wait_for_load_state("networkidle")
    return page.check_csp()


def test_admin_under_the_policy_sign_in_edit_a_measure_add_a_step(csp_page, live_url, leipzig):
    page = csp_page
    StaffUserFactory(username="redaktion", is_superuser=True)
    measure = ap.Measure.objects.filter(field__plan=leipzig).order_by("pk").first()
    steps_before = measure.steps.count()
    violations = {}

    violations["login"] = _visit(page, live_url("/admin/login/?next=/admin/"))
    page.fill("#id_username", "redaktion")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(live_url("/admin/"))
    violations["index"] = page.check_csp()

    violations["changelist"] = _visit(page, live_url("/admin/actionplan/measure/"))
    change_url = live_url(f"/admin/actionplan/measure/{measure.pk}/change/")
    violations["change form"] = _visit(page, change_url)
    screenshot(page, "admin-measure-change")

    page.fill("#id_title", measure.title + " (geändert)")
    page.click("#section-tab-steps")  # the form's sections are tabs
    page.locator("#steps-group .add-row a").click()  # inlines.js adds an empty step row
    new_row = page.locator("#steps-group tr.dynamic-steps").last
    # No position to type: the server numbers the rows (actionplan/ordering.py).
    new_row.locator("textarea[name$='-text']").fill("Ein neuer Schritt aus dem Browsertest")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    violations["saved"] = page.check_csp()
    screenshot(page, "admin-measure-saved")

    violations["history"] = _visit(page, change_url.replace("/change/", "/history/"))
    # Measures are imported through the plan's workbook (the export page: see below).
    workbook_import = reverse("imports:plan_workbook_import", args=[leipzig.slug])
    violations["workbook import"] = _visit(page, live_url(workbook_import))
    book = open_xlsx(plan_workbook_xlsx(leipzig))
    sheet = book["Maßnahmen"]
    sheet.cell(row=2, column=column(sheet, "Titel")).value = "Neuer Titel aus der Arbeitsmappe"
    page.set_input_files(
        "#id_import_file",
        files=[{"name": "plan.xlsx", "mimeType": XLSX_CONTENT_TYPE, "buffer": save_xlsx(book)}],
    )
    page.click(".submit-row input[type=submit]")
    page.wait_for_selector("input[name=confirm]")
    assert "<ins>Neuer Titel aus der Arbeitsmappe</ins>" in page.content()
    violations["workbook preview"] = page.check_csp()
    page.click("input[name=cancel]")
    page.wait_for_selector(".messagelist .info")
    assert stored_uploads() == []

    measure.refresh_from_db()
    assert measure.title.endswith("(geändert)")
    assert measure.steps.count() == steps_before + 1
    assert measure.steps.filter(text="Ein neuer Schritt aus dem Browsertest").exists()
    assert {name: found for name, found in violations.items() if found} == {}


def test_measure_export_page_under_the_policy(csp_page, live_url, leipzig):
    """django-import-export's export page, overridden without inline styles and handlers
    (templates/admin/import_export/export.html): nothing blocked, and "Select all" works."""
    StaffUserFactory(username="redaktion", is_superuser=True)
    page = csp_page
    _visit(page, live_url("/admin/login/?next=/admin/"))
    page.fill("#id_username", "redaktion")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(live_url("/admin/"))

    assert _visit(page, live_url(reverse("admin:actionplan_measure_export"))) == []

    fields = page.locator(".selectable-field-export-row:visible input[type=checkbox]")
    assert fields.count() > 3
    assert all(fields.nth(i).is_checked() for i in range(fields.count()))
    page.get_by_label("Alle auswählen").uncheck()
    assert not any(fields.nth(i).is_checked() for i in range(fields.count()))
    page.get_by_label("Alle auswählen").check()
    assert all(fields.nth(i).is_checked() for i in range(fields.count()))
    assert page.check_csp() == []


def test_public_timeline_under_the_policy(csp_page, live_url, leipzig):
    page = csp_page
    url = live_url(f"/plaene/{leipzig.slug}/zeitplan/")

    assert _visit(page, url) == []
    screenshot(page, "timeline-csp", full_page=False)

    # the bars are placed by the stylesheet: each has its left edge and a width inside its track
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('.tl-bar:not(.tl-bar--point)')].map((bar) => {
            const track = bar.parentElement.getBoundingClientRect();
            const box = bar.getBoundingClientRect();
            return [box.left - track.left, box.width, track.width, bar.className];
        })"""
    )
    assert boxes
    for left, width, track, classes in boxes:
        expected_left = int(classes.split("tl-l-")[1].split()[0]) / 1000 * track
        assert left == pytest.approx(expected_left, abs=1.5), classes
        assert 3 <= width <= track + 1, classes
    assert len({round(left) for left, *_ in boxes}) > 3  # not all stacked at one place
