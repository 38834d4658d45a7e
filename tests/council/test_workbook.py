"""Sheet „Beschlüsse“ of the whole-plan workbook: round trip without changes, edits, and a
workbook without the sheet (an older one) that leaves the papers alone."""

import datetime

import pytest

from council.models import Consultation, CouncilPaper
from imports import plan_workbook as wb
from tests.factories import build_plan
from tests.imports.plan_support import open_xlsx, save_xlsx

pytestmark = pytest.mark.django_db


def _import(plan, content, *, dry_run=False):
    return wb.plan_workbook_import(
        plan=plan, content=content, file_name="plan.xlsx", acting_user=None, dry_run=dry_run
    )


@pytest.fixture
def plan():
    plan = build_plan(fields=1, measures_per_field=2, steps_per_measure=1, slug="blatt")
    measure = plan.fields.get().measures.order_by("position").first()
    paper = CouncilPaper.objects.create(
        measure=measure, reference="DS-V/1234", title="Aktionsplan", date=datetime.date(2011, 4, 20)
    )
    for day, committee, result in (
        (datetime.date(2011, 5, 3), "Fachausschuss", "zur Kenntnis genommen"),
        (datetime.date(2011, 5, 18), "Ratsversammlung", "beschlossen"),
    ):
        Consultation.objects.create(paper=paper, date=day, committee=committee, result=result)
    CouncilPaper.objects.create(plan=plan, reference="DS-V/1000")
    return plan


def test_the_sheet_round_trips_without_changes(plan):
    content = wb.plan_workbook_xlsx(plan)
    sheet = open_xlsx(content)["Beschlüsse"]
    assert [c.value for c in sheet[1]][:3] == ["Handlungsfeld", "Maßnahme", "Aktenzeichen"]
    assert sheet.max_row == 4  # two consultations of one paper, the plan's paper
    histories = (CouncilPaper.history.count(), Consultation.history.count())

    assert _import(plan, content, dry_run=True).changes == []
    assert _import(plan, content).changes == []
    assert (CouncilPaper.history.count(), Consultation.history.count()) == histories


def test_a_workbook_without_the_sheet_imports_unchanged(plan):
    book = open_xlsx(wb.plan_workbook_xlsx(plan))
    del book["Beschlüsse"]

    result = _import(plan, save_xlsx(book))

    assert result.changes == []
    assert CouncilPaper.objects.count() == 2 and Consultation.objects.count() == 2


def test_edits_in_the_sheet_are_reported_and_applied(plan):
    book = open_xlsx(wb.plan_workbook_xlsx(plan))
    sheet = book["Beschlüsse"]
    for row in sheet.iter_rows(min_row=2):
        if row[2].value == "DS-V/1234" and row[8].value == "Ratsversammlung":
            row[9].value = "geändert beschlossen"
        if row[2].value == "DS-V/1000":
            row[2].value = "DS-V/2000"
    content = save_xlsx(book)

    preview = _import(plan, content, dry_run=True)
    assert sorted((c.action, c.label.split(": ")[-1]) for c in preview.changes) == [
        ("changed", "DS-V/1234"),
        ("deleted", "DS-V/1000"),
        ("new", "DS-V/2000"),
    ]
    assert CouncilPaper.objects.filter(reference="DS-V/2000").count() == 0

    _import(plan, content)
    assert set(CouncilPaper.objects.values_list("reference", flat=True)) == {
        "DS-V/1234",
        "DS-V/2000",
    }
    assert Consultation.objects.filter(result="geändert beschlossen").count() == 1
