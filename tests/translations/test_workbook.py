"""The whole-plan workbook with both languages: an English column right after each German one,
lossless round trips, older workbooks without English columns, English-only edits."""

import pytest

from actionplan import models as ap
from imports import plan_workbook as wb
from imports.plan_import import PlanImportError
from indicators.models import Indicator
from tests.factories import build_plan
from tests.imports.plan_support import (
    column,
    find_row,
    make_zip,
    open_xlsx,
    save_xlsx,
    snapshot,
    zip_members,
)
from translations import selectors

pytestmark = pytest.mark.django_db


def _import(plan, content, *, dry_run=False, name="plan.xlsx"):
    return wb.plan_workbook_import(
        plan=plan, content=content, file_name=name, acting_user=None, dry_run=dry_run
    )


@pytest.fixture
def plan():
    """A small plan with English for every kind of text the workbook holds."""
    plan = build_plan(fields=1, measures_per_field=2, steps_per_measure=1)
    plan.title_en, plan.subtitle_en = "Creative Leipzig", "An action plan"
    plan.english_note = "Translated by the city; the German text is authoritative."
    plan.save()
    field = ap.FieldOfAction.objects.get(plan=plan)
    field.title_en, field.target_state_en, field.lead_note = "Field one", "A target", "Hinweis"
    field.lead_note_en = "Note"
    field.save()
    finding = ap.BaselineFinding.objects.filter(field=field).first()
    finding.text_en = "Finding"
    finding.save()
    measure = ap.Measure.objects.filter(field=field).order_by("position").first()
    measure.title_en, measure.description = "Measure one", "Beschreibung"
    measure.description_en = "Description"
    measure.save()
    step = ap.Step.objects.get(measure=measure)
    step.text_en = "Step one"
    step.save()
    entry = ap.ScheduleEntry.objects.get(measure=measure)
    entry.label_en = "Q2 2011"
    entry.save()
    responsibility = ap.Responsibility.objects.get(measure=measure)
    responsibility.note, responsibility.note_en = "federführend", "in the lead"
    responsibility.save()
    line = ap.BudgetLine.objects.get(measure=measure)
    line.note, line.note_en = "Honorare", "fees"
    line.save()
    Indicator.objects.create(
        plan=plan,
        slug="besucher",
        name="Besucher",
        name_en="Visitors",
        unit="Personen",
        unit_en="people",
    )
    return plan


ENGLISH_COLUMNS = {
    "Handlungsfelder": [
        ("Titel", "Titel (englisch)"),
        ("Zielzustand", "Zielzustand (englisch)"),
        ("Hinweis zur Federführung", "Hinweis zur Federführung (englisch)"),
    ],
    "Ausgangslage": [("Befund", "Befund (englisch)")],
    "Maßnahmen": [("Titel", "Titel (englisch)"), ("Beschreibung", "Beschreibung (englisch)")],
    "Schritte": [("Text", "Text (englisch)")],
    "Zeitplan": [("Angabe", "Angabe (englisch)")],
    "Zuständigkeiten": [("Hinweis", "Hinweis (englisch)")],
    "Budget": [("Hinweis", "Hinweis (englisch)")],
    "Indikatoren": [
        ("Name", "Name (englisch)"),
        ("Beschreibung", "Beschreibung (englisch)"),
        ("Einheit", "Einheit (englisch)"),
    ],
}


def test_each_translated_column_is_followed_by_its_english_one(plan):
    book = open_xlsx(wb.plan_workbook_xlsx(plan))

    for title, pairs in ENGLISH_COLUMNS.items():
        sheet = book[title]
        for german, english in pairs:
            assert column(sheet, english) == column(sheet, german) + 1, (title, german)
    measures = book["Maßnahmen"]
    row = find_row(measures, "Titel (englisch)", "Measure one")
    assert measures.cell(row=row, column=column(measures, "Beschreibung (englisch)")).value == (
        "Description"
    )
    labels = [row[0].value for row in book["Plan"].iter_rows(min_row=2)]
    assert labels.index("Titel (englisch)") == labels.index("Titel") + 1
    assert "Hinweis zur englischen Fassung (englisch)" in labels
    indicators = book["Indikatoren"]
    assert indicators.cell(row=2, column=column(indicators, "Name (englisch)")).value == "Visitors"


@pytest.mark.parametrize(
    "export, name",
    [(wb.plan_workbook_xlsx, "plan.xlsx"), (wb.plan_workbook_csv_zip, "plan.zip")],
)
def test_round_trip_with_both_languages_changes_nothing(plan, export, name):
    before = snapshot(plan)
    states = {m.pk: m.translation_state for m in ap.Measure.objects.filter(field__plan=plan)}

    preview = _import(plan, export(plan), dry_run=True, name=name)
    result = _import(plan, export(plan), name=name)

    assert preview.changes == [] and result.changes == []
    assert snapshot(plan) == before
    assert {
        m.pk: m.translation_state for m in ap.Measure.objects.filter(field__plan=plan)
    } == states
    assert Indicator.objects.get(plan=plan).name_en == "Visitors"


def _without_english_xlsx(content: bytes) -> bytes:
    """The workbook as it was written before issue 21: no English columns, no English rows."""
    book = open_xlsx(content)
    for sheet in book.worksheets:
        if sheet.title == "Plan":
            for row in reversed(range(2, sheet.max_row + 1)):
                if "(englisch)" in str(sheet.cell(row=row, column=1).value):
                    sheet.delete_rows(row)
            continue
        for index in reversed(range(1, sheet.max_column + 1)):
            if "(englisch)" in str(sheet.cell(row=1, column=index).value):
                sheet.delete_cols(index)
    for sheet in book.worksheets:
        assert not any("(englisch)" in str(c.value) for r in sheet.iter_rows() for c in r)
    return save_xlsx(book)


def test_old_workbook_without_english_columns_imports_unchanged(plan):
    before = snapshot(plan)
    old = _without_english_xlsx(wb.plan_workbook_xlsx(plan))

    assert _import(plan, old).changes == []
    assert snapshot(plan) == before
    plan.refresh_from_db()
    assert plan.title_en == "Creative Leipzig" and plan.english_note.startswith("Translated")
    assert ap.Step.objects.get(measure__field__plan=plan, text_en="Step one")
    assert Indicator.objects.get(plan=plan).unit_en == "people"


def test_old_csv_zip_without_english_columns_imports_unchanged(plan):
    import csv
    import io

    before = snapshot(plan)
    members = {}
    for member, data in zip_members(wb.plan_workbook_csv_zip(plan)).items():
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
        if member == "Plan.csv":
            rows = [r for r in rows if "(englisch)" not in r[0]]
        else:
            keep = [i for i, header in enumerate(rows[0]) if "(englisch)" not in header]
            rows = [[r[i] for i in keep] for r in rows]
        out = io.StringIO()
        csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
        members[member] = ("\ufeff" + out.getvalue()).encode()
    assert not any(b"(englisch)" in data for data in members.values())

    assert _import(plan, make_zip(members), name="alt.zip").changes == []
    assert snapshot(plan) == before


def test_german_edit_in_an_old_workbook_keeps_english_and_marks_it_outdated(plan):
    book = open_xlsx(_without_english_xlsx(wb.plan_workbook_xlsx(plan)))
    sheet = book["Maßnahmen"]
    row = find_row(sheet, "Titel", "Maßnahme 1.1")
    sheet.cell(row=row, column=column(sheet, "Titel")).value = "Maßnahme eins"

    result = _import(plan, save_xlsx(book))

    assert [c.diffs for c in result.changes] == [[("Titel", "Maßnahme 1.1", "Maßnahme eins")]]
    measure = ap.Measure.objects.get(field__plan=plan, position=1)
    assert measure.title_en == "Measure one"
    assert selectors.field_status(measure, "title") == "outdated"


@pytest.mark.parametrize("language", ["de", "en"])
def test_english_only_edit_is_one_change_shown_in_the_preview(plan, language):
    from django.utils import translation

    step_pk = ap.Step.objects.get(measure__field__plan=plan, text_en="Step one").pk
    book = open_xlsx(wb.plan_workbook_xlsx(plan))
    sheet = book["Schritte"]
    row = find_row(sheet, "Text (englisch)", "Step one")
    sheet.cell(row=row, column=column(sheet, "Text (englisch)")).value = "First step"
    content = save_xlsx(book)

    with translation.override(language):
        preview = _import(plan, content, dry_run=True)
    assert preview.counts == {"new": 0, "changed": 1, "deleted": 0}
    (change,) = preview.changes
    label = "Text (englisch)" if language == "de" else "text (English)"
    assert change.diffs == [(label, "Step one", "First step")]
    assert ap.Step.objects.get(pk=step_pk).text_en == "Step one"

    result = _import(plan, content)
    assert result.counts["changed"] == 1
    step = ap.Step.objects.get(pk=step_pk)
    assert (step.text, step.text_en) == ("Schritt Maßnahme 1.1 / 1", "First step")
    assert selectors.field_status(step, "text") == "current"
    assert step.history.count() == 2  # created, then the English edit
    assert _import(plan, wb.plan_workbook_xlsx(plan)).changes == []


def test_english_edits_of_plan_and_indicator_rows(plan):
    book = open_xlsx(wb.plan_workbook_xlsx(plan))
    sheet = book["Plan"]
    row = find_row(sheet, "Angabe", "Untertitel (englisch)")
    sheet.cell(row=row, column=2).value = "The action plan"
    indicators = book["Indikatoren"]
    indicators.cell(row=2, column=column(indicators, "Einheit (englisch)")).value = "persons"

    result = _import(plan, save_xlsx(book))

    assert sorted(c.kind for c in result.changes) == ["indicator", "plan"]
    plan.refresh_from_db()
    assert plan.subtitle_en == "The action plan" and plan.title_en == "Creative Leipzig"
    indicator = Indicator.objects.get(plan=plan)
    assert (indicator.unit, indicator.unit_en, indicator.name_en) == (
        "Personen",
        "persons",
        "Visitors",
    )


def test_english_text_too_long_for_its_field_is_a_problem_with_its_place(plan):
    book = open_xlsx(wb.plan_workbook_xlsx(plan))
    sheet = book["Maßnahmen"]
    row = find_row(sheet, "Titel (englisch)", "Measure one")
    sheet.cell(row=row, column=column(sheet, "Titel (englisch)")).value = "x" * 501
    before = snapshot(plan)

    with pytest.raises(PlanImportError) as error:
        _import(plan, save_xlsx(book))

    (problem,) = error.value.problems
    assert (problem.sheet, problem.row, problem.column) == ("Maßnahmen", row, "Titel (englisch)")
    assert snapshot(plan) == before
