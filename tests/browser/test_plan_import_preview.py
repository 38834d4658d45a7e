"""The workbook import in Chromium: upload an edited workbook, read the preview, confirm.

Also saves the preview as docs/img/import-preview.png (the README shows it) when
PLANWERK_DOCS_SCREENSHOTS is set.
"""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from access.models import Membership
from actionplan import models as ap
from imports import plan_workbook as wb
from tests.browser.support import describe, docs_screenshot, run_axe, screenshot
from tests.factories import UserFactory
from tests.imports.plan_support import column, find_row, open_xlsx, save_xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _edited(plan, path: Path) -> Path:
    book = open_xlsx(wb.plan_workbook_xlsx(plan))
    measures, steps, budget = book["Maßnahmen"], book["Schritte"], book["Budget"]
    row = find_row(measures, "Titel", measures.cell(row=2, column=column(measures, "Titel")).value)
    measures.cell(
        row=row, column=column(measures, "Titel")
    ).value = "Kontaktstelle Kreativwirtschaft als Querschnittsstelle stärken"
    steps.cell(row=3, column=column(steps, "Text")).value = "Jour fixe mit den Tutoren (monatlich)"
    budget.cell(row=2, column=column(budget, "geplant (EUR)")).value = 45000
    path.write_bytes(save_xlsx(book))
    return path


def test_upload_preview_and_confirm(browser_page, live_url, tmp_path):
    call_command("load_demo_data", stdout=StringIO())
    plan = ap.Plan.objects.get()
    user = UserFactory(username="koordination", is_staff=True)
    Membership.objects.create(user=user, plan=plan, role=Membership.Role.COORDINATOR)
    client = Client()
    client.force_login(user)
    page = browser_page
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_url("/"),
            }
        ]
    )
    page.set_viewport_size({"width": 1200, "height": 900})
    page.goto(live_url(f"/admin/actionplan/plan/{plan.pk}/change/"))
    page.get_by_role("link", name="Arbeitsmappe importieren").click()
    page.get_by_label("Arbeitsmappe (XLSX) oder ZIP mit CSV-Dateien").set_input_files(
        str(_edited(plan, tmp_path / "leipzig-bearbeitet.xlsx"))
    )
    page.get_by_role("button", name="Datei prüfen").click()
    page.get_by_role("heading", name="Vorschau").wait_for()

    table = page.get_by_role("table", name="Änderungen, die der Import vornehmen würde")
    assert table.get_by_role("row").count() == 1 + 3
    assert "45.000,00" in table.inner_text()
    # Django admin's own breadcrumb links (white on light blue) are not this page's markup.
    violations = [
        v
        for v in run_axe(page)
        if not all(str(n["target"][0]).startswith(".breadcrumbs") for n in v["nodes"])
    ]
    assert describe(violations) == "[]"
    docs_screenshot(screenshot(page, "import-preview"), "import-preview")

    page.get_by_role("button", name="Import bestätigen").click()
    page.wait_for_url(f"**/admin/actionplan/plan/{plan.pk}/change/")
    assert "0 neu, 3 geändert, 0 gelöscht" in page.content()
    assert ap.BudgetLine.objects.filter(measure__field__plan=plan, planned_amount=45000).exists()
