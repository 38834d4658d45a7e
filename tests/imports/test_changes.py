"""The importer core on plans: rows swapping places, the large JSON round trip."""

import pytest

from actionplan import models as ap
from actionplan.export import plan_export_document
from imports import plan_workbook as wb
from imports.plan_document import plan_document_import
from tests.factories import build_plan
from tests.imports.plan_support import (
    column,
    find_row,
    history_count,
    open_xlsx,
    save_xlsx,
    snapshot,
)

pytestmark = pytest.mark.django_db


def _workbook_import(plan, content):
    return wb.plan_workbook_import(
        plan=plan, content=content, file_name="plan.xlsx", acting_user=None, dry_run=False
    )


def _swap_cells(sheet, label: str, first_row: int, second_row: int) -> None:
    index = column(sheet, label)
    a, b = sheet.cell(first_row, index), sheet.cell(second_row, index)
    a.value, b.value = b.value, a.value


def _position_changes(result):
    return sorted(
        (change.kind, change.diffs) for change in result.changes if change.action == "changed"
    )


def test_workbook_swapping_two_steps_moves_exactly_those_two():
    plan = build_plan(fields=1, measures_per_field=2, steps_per_measure=3)
    measure = ap.Measure.objects.get(field__plan=plan, position=1)
    first, second = (measure.steps.get(position=p, parent=None) for p in (1, 2))
    texts = (first.text, second.text)
    book = open_xlsx(wb.plan_workbook_xlsx(plan))
    sheet = book["Schritte"]
    _swap_cells(
        sheet, "Position", find_row(sheet, "ID", first.pk), find_row(sheet, "ID", second.pk)
    )
    history = history_count()

    result = _workbook_import(plan, save_xlsx(book))

    assert result.counts == {"new": 0, "changed": 2, "deleted": 0}
    assert _position_changes(result) == [
        ("step", [("Position", "1", "2")]),
        ("step", [("Position", "2", "1")]),
    ]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.position, second.position) == (2, 1)
    assert (first.text, second.text) == texts
    assert history_count() == history + 2
    # one history row in the final place; the parked place is never recorded
    assert [r.position for r in first.history.all()] == [2]


def test_workbook_swapping_two_measures_moves_exactly_those_two():
    plan = build_plan(fields=1, measures_per_field=3, steps_per_measure=1)
    a, b = (ap.Measure.objects.get(field__plan=plan, position=p) for p in (1, 3))
    step = a.steps.get()
    book = open_xlsx(wb.plan_workbook_xlsx(plan))
    sheet = book["Maßnahmen"]
    _swap_cells(sheet, "Position", find_row(sheet, "ID", a.pk), find_row(sheet, "ID", b.pk))
    history = history_count(entries_only=True)

    result = _workbook_import(plan, save_xlsx(book))

    assert _position_changes(result) == [
        ("measure", [("Position", "1", "3")]),
        ("measure", [("Position", "3", "1")]),
    ]
    assert result.counts == {"new": 0, "changed": 2, "deleted": 0}
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.position, b.position) == (3, 1)
    assert history_count(entries_only=True) == history + 2
    # the steps stay with their measure
    assert list(a.steps.values_list("pk", "text")) == [(step.pk, step.text)]


def test_json_swapping_two_measures_applies(settings):
    plan = build_plan(fields=1, measures_per_field=3, steps_per_measure=2)
    document = plan_export_document(plan)
    measures = document["plan"]["fields"][0]["measures"]
    measures[0]["position"], measures[1]["position"] = 2, 1
    pks = {m.code: m.pk for m in ap.Measure.objects.filter(field__plan=plan)}
    history = history_count(entries_only=True)

    result = plan_document_import(data=document)

    assert _position_changes(result) == [
        ("measure", [("Position", "1", "2")]),
        ("measure", [("Position", "2", "1")]),
    ]
    assert result.counts == {"new": 0, "changed": 2, "deleted": 0}
    assert history_count(entries_only=True) == history + 2
    stored = {m.code: (m.pk, m.position) for m in ap.Measure.objects.filter(field__plan=plan)}
    assert stored == {
        measures[0]["code"]: (pks[measures[0]["code"]], 2),
        measures[1]["code"]: (pks[measures[1]["code"]], 1),
        measures[2]["code"]: (pks[measures[2]["code"]], 3),
    }


def test_json_new_measure_may_take_the_place_of_a_moved_one():
    plan = build_plan(fields=1, measures_per_field=2, steps_per_measure=1)
    document = plan_export_document(plan)
    measures = document["plan"]["fields"][0]["measures"]
    for measure in measures:
        measure["position"] += 1
    measures.insert(0, {"position": 1, "code": "N", "title": "Neue Maßnahme"})

    result = plan_document_import(data=document)

    assert result.counts == {"new": 1, "changed": 2, "deleted": 0}
    stored = ap.Measure.objects.filter(field__plan=plan).order_by("position")
    assert [m.code for m in stored] == ["N", measures[1]["code"], measures[2]["code"]]


@pytest.mark.slow
def test_thousand_measure_plan_json_round_trip():
    plan = build_plan(fields=10, measures_per_field=100, steps_per_measure=10)
    assert ap.Step.objects.filter(measure__field__plan=plan).count() == 10_000
    document = plan_export_document(plan)
    before = snapshot(plan)

    result = plan_document_import(data=document)

    assert result.changes == []
    assert snapshot(plan) == before
    assert plan_export_document(ap.Plan.objects.get(pk=plan.pk)) == document
