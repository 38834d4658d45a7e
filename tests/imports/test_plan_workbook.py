"""The whole-plan workbook: lossless round trips, exact edits, formula safety, the layout."""

import datetime
from decimal import Decimal

import pytest
import tablib

from actionplan import models as ap
from imports import plan_workbook as wb
from imports.plan_import import PlanImportError
from tests.factories import build_plan
from tests.imports.plan_support import (
    column,
    find_row,
    history_count,
    load_leipzig,
    open_xlsx,
    save_xlsx,
    snapshot,
)

pytestmark = pytest.mark.django_db


def _import(plan, content, *, dry_run=False, name="plan.xlsx"):
    return wb.plan_workbook_import(
        plan=plan, content=content, file_name=name, acting_user=None, dry_run=dry_run
    )


def _sheets(databook: tablib.Databook) -> dict:
    return {d.title: (list(d.headers), [list(r) for r in d]) for d in databook.sheets()}


@pytest.mark.parametrize("export", [wb.plan_workbook_xlsx, wb.plan_workbook_csv_zip])
def test_leipzig_round_trip_is_lossless_and_writes_nothing(export):
    plan = load_leipzig()
    before_sheets = _sheets(wb.plan_workbook_databook(plan))
    before = snapshot(plan)

    preview = _import(plan, export(plan), dry_run=True)
    result = _import(plan, export(plan))

    assert preview.changes == [] and result.changes == []
    assert result.counts == {"new": 0, "changed": 0, "deleted": 0}
    assert snapshot(plan) == before
    assert _sheets(wb.plan_workbook_databook(plan)) == before_sheets
    # the workbook holds the whole plan
    assert len(before_sheets["Maßnahmen"][1]) == ap.Measure.objects.filter(field__plan=plan).count()
    assert (
        len(before_sheets["Schritte"][1])
        == ap.Step.objects.filter(measure__field__plan=plan).count()
    )


def test_csv_zip_is_read_with_its_encoding_named():
    plan = load_leipzig()
    result = _import(plan, wb.plan_workbook_csv_zip(plan), dry_run=True, name="plan.zip")
    assert "„Maßnahmen.csv“ wurde als UTF-8 (BOM) gelesen." in result.notices


def test_xlsx_layout_header_dates_amounts():
    plan = build_plan(fields=1, measures_per_field=2, steps_per_measure=1)
    book = open_xlsx(wb.plan_workbook_xlsx(plan))

    assert book.sheetnames == [
        "Plan",
        "Handlungsfelder",
        "Ansprechpartner",
        "Ausgangslage",
        "Maßnahmen",
        "Verknüpfungen",
        "Schritte",
        "Zeitplan",
        "Zuständigkeiten",
        "Budget",
        "Beschlüsse",
        "Indikatoren",
        "Indikatorwerte",
        "Indikatorziele",
        "Indikatorverknüpfungen",
    ]
    measures = book["Maßnahmen"]
    assert measures.freeze_panes == "A2"
    assert measures.auto_filter.ref.startswith("A1:")
    assert [c.value for c in measures[1]][:6] == [
        "ID",
        "Plan",
        "Handlungsfeld",
        "Position",
        "Code",
        "Titel",
    ]
    schedule = book["Zeitplan"]
    start = schedule.cell(row=2, column=column(schedule, "Beginn"))
    assert start.is_date and start.value.date() == datetime.date(2011, 4, 1)
    assert start.number_format == "DD.MM.YYYY"
    budget = book["Budget"]
    amount = budget.cell(row=2, column=column(budget, "geplant (EUR)"))
    assert amount.data_type == "n" and amount.number_format == "#,##0.00"
    assert Decimal(str(amount.value)) == Decimal("1000.00")


def test_formula_text_is_exported_as_string_and_read_back_unchanged():
    plan = build_plan(fields=1, measures_per_field=2, steps_per_measure=0)
    first, second = ap.Measure.objects.filter(field__plan=plan).order_by("position")
    first.title, second.title = "=1+1", "@SUM(A1)"
    first.save()
    second.save()
    before = snapshot(plan)

    content = wb.plan_workbook_xlsx(plan)
    sheet = open_xlsx(content)["Maßnahmen"]
    titles = [sheet.cell(row=r, column=column(sheet, "Titel")) for r in range(2, sheet.max_row + 1)]
    assert [(c.value, c.data_type) for c in titles] == [("'=1+1", "s"), ("'@SUM(A1)", "s")]

    result = _import(plan, content)
    assert result.changes == [] and snapshot(plan) == before
    assert sorted(ap.Measure.objects.filter(field__plan=plan).values_list("title", flat=True)) == [
        "=1+1",
        "@SUM(A1)",
    ]
    # and the CSV side of the same rule
    members = wb.plan_workbook_csv_zip(plan)
    assert _import(plan, members, name="plan.zip").changes == []


def test_three_edited_cells_change_exactly_three_values_with_three_history_rows(django_user_model):
    plan = load_leipzig()
    user = django_user_model.objects.create(username="sachbearbeitung")
    book = open_xlsx(wb.plan_workbook_xlsx(plan))
    measures, steps, budget = book["Maßnahmen"], book["Schritte"], book["Budget"]
    measure_row = find_row(measures, "Code", "B")  # the first field's measure B
    measures.cell(row=measure_row, column=column(measures, "Titel")).value = "Neuer Titel"
    steps.cell(row=2, column=column(steps, "Text")).value = "Geänderter Schritt"
    budget.cell(row=2, column=column(budget, "geplant (EUR)")).value = 12500.5
    measure_id = measures.cell(row=measure_row, column=1).value
    step_id = steps.cell(row=2, column=1).value
    line_id = budget.cell(row=2, column=1).value
    history_before = history_count(entries_only=True)

    result = wb.plan_workbook_import(
        plan=plan,
        content=save_xlsx(book),
        file_name="bearbeitet.xlsx",
        acting_user=user,
        dry_run=False,
    )

    assert result.counts == {"new": 0, "changed": 3, "deleted": 0}
    assert sorted(d[2] for change in result.changes for d in change.diffs) == [
        "12.500,50",
        "Geänderter Schritt",
        "Neuer Titel",
    ]
    assert history_count(entries_only=True) == history_before + 3
    measure = ap.Measure.objects.get(pk=measure_id)
    assert measure.title == "Neuer Titel"
    assert ap.Step.objects.get(pk=step_id).text == "Geänderter Schritt"
    assert ap.BudgetLine.objects.get(pk=line_id).planned_amount == Decimal("12500.50")
    latest = measure.history.latest()
    assert latest.history_user == user
    assert latest.history_change_reason == "Import der Arbeitsmappe „bearbeitet.xlsx“"
    # the slug stays: it is a cell of its own
    assert measure.slug == ap.Measure.objects.get(pk=measure_id).slug


def test_rows_without_id_are_added_and_löschen_deletes():
    plan = load_leipzig()
    book = open_xlsx(wb.plan_workbook_xlsx(plan))
    steps = book["Schritte"]
    last = steps.max_row
    template = [c.value for c in steps[last]]
    new_row = list(template)
    new_row[0] = None
    new_row[column(steps, "Oberschritt") - 1] = None
    new_row[column(steps, "Position") - 1] = 99
    new_row[column(steps, "Text") - 1] = "Neuer Schritt ohne ID"
    steps.append(new_row)
    deleted_id = steps.cell(row=2, column=1).value
    steps.cell(row=2, column=column(steps, "löschen")).value = "ja"

    result = _import(plan, save_xlsx(book))

    assert result.counts == {"new": 1, "changed": 0, "deleted": 1}
    assert not ap.Step.objects.filter(pk=deleted_id).exists()
    added = ap.Step.objects.get(text="Neuer Schritt ohne ID")
    assert added.position == 99 and added.parent is None


@pytest.mark.slow
@pytest.mark.parametrize("export", [wb.plan_workbook_xlsx, wb.plan_workbook_csv_zip])
def test_thousand_measure_plan_round_trip(export):
    plan = build_plan(fields=10, measures_per_field=100, steps_per_measure=10)
    assert ap.Step.objects.filter(measure__field__plan=plan).count() == 10_000
    before = snapshot(plan)
    sheets = _sheets(wb.plan_workbook_databook(plan))

    result = _import(plan, export(plan))

    assert result.changes == []
    assert snapshot(plan) == before
    assert _sheets(wb.plan_workbook_databook(plan)) == sheets


def test_stale_preview_is_refused():
    plan = load_leipzig()
    content = wb.plan_workbook_xlsx(plan)
    fingerprint = wb.plan_workbook_fingerprint(plan)
    measure = ap.Measure.objects.filter(field__plan=plan).first()
    measure.title = "Inzwischen geändert"
    measure.save()
    with pytest.raises(PlanImportError, match="jemand anderes diesen Plan geändert"):
        wb.plan_workbook_import(
            plan=plan,
            content=content,
            file_name="x.xlsx",
            acting_user=None,
            dry_run=False,
            expected_fingerprint=fingerprint,
        )


def test_clerk_adds_a_measure_with_only_the_essential_cells():
    plan = load_leipzig()
    book = open_xlsx(wb.plan_workbook_xlsx(plan))
    sheet = book["Maßnahmen"]
    row = [None] * sheet.max_column
    for label, value in (
        ("Handlungsfeld", "marketing"),
        ("Position", 4),
        ("Code", "D"),
        ("Titel", "Neue Maßnahme aus der Tabelle"),
    ):
        row[column(sheet, label) - 1] = value
    sheet.append(row)
    steps = book["Schritte"]
    step = [None] * steps.max_column
    for label, value in (
        ("Handlungsfeld", "marketing"),
        ("Maßnahme", "D"),
        ("Position", 1),
        ("Text", "Erster Schritt der neuen Maßnahme"),
    ):
        step[column(steps, label) - 1] = value
    steps.append(step)

    result = _import(plan, save_xlsx(book))

    assert result.counts == {"new": 2, "changed": 0, "deleted": 0}
    measure = ap.Measure.objects.get(field__plan=plan, code="D")
    assert measure.state == ap.Measure.State.DRAFT
    assert measure.status == ap.Measure.Status.PLANNED
    assert measure.slug == "d-neue-massnahme-aus-der-tabelle"
    assert [s.text for s in measure.steps.all()] == ["Erster Schritt der neuen Maßnahme"]


def test_new_schedule_rows_keep_recognised_and_manual_dates_apart():
    plan = load_leipzig()
    book = open_xlsx(wb.plan_workbook_xlsx(plan))
    sheet = book["Zeitplan"]
    template = [c.value for c in sheet[2]]
    for position, label, start, end in (
        (10, "II. Quartal 2011", datetime.date(2011, 4, 1), datetime.date(2011, 6, 30)),
        (11, "Auftakt", datetime.date(2011, 5, 2), None),
    ):
        row = list(template)
        row[0] = None
        row[column(sheet, "Position") - 1] = position
        row[column(sheet, "Angabe") - 1] = label
        row[column(sheet, "Beginn") - 1] = start
        row[column(sheet, "Ende") - 1] = end
        sheet.append(row)

    _import(plan, save_xlsx(book))

    parsed = ap.ScheduleEntry.objects.get(label="II. Quartal 2011", position=10)
    assert parsed.dating == ap.ScheduleEntry.Dating.PARSED
    assert parsed.start_precision == "quarter"
    manual = ap.ScheduleEntry.objects.get(label="Auftakt")
    assert manual.dating == ap.ScheduleEntry.Dating.MANUAL
    assert (manual.start_date, manual.end_date) == (datetime.date(2011, 5, 2), None)
    # and the next round trip of these rows changes nothing
    assert _import(plan, wb.plan_workbook_xlsx(plan)).changes == []
