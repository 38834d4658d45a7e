"""Bad workbooks: a clear message in the UI language, and nothing changes (history included)."""

import io

import pytest
from django.utils import translation
from openpyxl import Workbook

from actionplan.models import Plan
from imports import plan_workbook as wb
from imports.plan_import import PlanImportError
from tests.imports.plan_support import (
    column,
    find_row,
    load_leipzig,
    make_zip,
    open_xlsx,
    save_xlsx,
    snapshot,
    zip_members,
)
from tests.shared_data import module_data

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def plan_pk(django_db_setup, django_db_blocker):
    """The Leipzig plan, imported once for the module (every test here is refused and changes
    nothing; each runs in a savepoint of its own all the same)."""
    with module_data(django_db_blocker):
        yield load_leipzig().pk


@pytest.fixture
def plan(plan_pk):
    return Plan.objects.get(pk=plan_pk)


def refused(plan, content: bytes, name: str = "plan.xlsx") -> list[str]:
    """Import for real; assert it is refused and nothing changed; the problems as text."""
    before = snapshot(plan)
    with pytest.raises(PlanImportError) as excinfo:
        wb.plan_workbook_import(
            plan=plan, content=content, file_name=name, acting_user=None, dry_run=False
        )
    assert snapshot(plan) == before
    return [str(p) for p in excinfo.value.problems]


def edited(plan, sheet_title: str, edit) -> bytes:
    book = open_xlsx(wb.plan_workbook_xlsx(plan))
    edit(book[sheet_title])
    return save_xlsx(book)


def set_cell(label: str, value, row: int = 2):
    def edit(sheet):
        sheet.cell(row=row, column=column(sheet, label)).value = value

    return edit


def test_missing_and_unknown_columns_are_named(plan):
    def edit(sheet):
        sheet.delete_cols(column(sheet, "Titel"))
        sheet.cell(row=1, column=sheet.max_column + 1).value = "Bemerkung"

    problems = refused(plan, edited(plan, "Maßnahmen", edit))
    assert len(problems) == 1
    assert problems[0].startswith("Blatt „Maßnahmen“, Zeile 1: Fehlende Spalten: „Titel“.")
    assert "Unbekannte Spalten: „Bemerkung“." in problems[0]


def test_unknown_organisation(plan):
    content = edited(plan, "Zuständigkeiten", set_cell("Organisation", "Niemand GmbH"))
    assert refused(plan, content) == [
        "Blatt „Zuständigkeiten“, Zeile 2, Spalte „Organisation“: "
        "Unbekannte(r/s) Organisation: „Niemand GmbH“."
    ]


def test_unknown_target_group(plan):
    content = edited(plan, "Maßnahmen", set_cell("Zielgruppen", "Stadtverwaltung; Marsmenschen"))
    assert refused(plan, content) == [
        "Blatt „Maßnahmen“, Zeile 2, Spalte „Zielgruppen“: Unbekannte Zielgruppen: „Marsmenschen“."
    ]


def test_unknown_budget_category(plan):
    content = edited(plan, "Budget", set_cell("Kategorie", "Schwarzgeld"))
    assert refused(plan, content) == [
        "Blatt „Budget“, Zeile 2, Spalte „Kategorie“: Unbekannte(r/s) Budgetkategorie: "
        "„Schwarzgeld“."
    ]


def test_unparseable_date(plan):
    content = edited(plan, "Zeitplan", set_cell("Beginn", "31.02.2011"))
    assert refused(plan, content) == [
        "Blatt „Zeitplan“, Zeile 2, Spalte „Beginn“: „31.02.2011“ ist kein Datum "
        "(erwartet: TT.MM.JJJJ, z. B. 31.05.2011)."
    ]


def test_unparseable_schedule_phrase(plan):
    def edit(sheet):
        sheet.cell(row=2, column=column(sheet, "Angabe")).value = "32. Februar 2011"
        sheet.cell(row=2, column=column(sheet, "Beginn")).value = None
        sheet.cell(row=2, column=column(sheet, "Ende")).value = None

    assert refused(plan, edited(plan, "Zeitplan", edit)) == [
        "Blatt „Zeitplan“, Zeile 2, Spalte „Angabe“: Die Zeitangabe „32. Februar 2011“ ist "
        "nicht lesbar: ungültiges Datum."
    ]


def test_duplicate_measure_code(plan):
    def edit(sheet):
        row = find_row(sheet, "Code", "B")
        copy = [c.value for c in sheet[row]]
        copy[0] = None  # a new row without an ID …
        copy[column(sheet, "Position") - 1] = 9  # … at a free position, but code "B" again
        sheet.append(copy)

    problems = refused(plan, edited(plan, "Maßnahmen", edit))
    assert len(problems) == 1
    assert (
        "Spalte „Code“: Der Maßnahmen-Code „B“ kommt im Handlungsfeld „netzwerke“ zweimal vor"
        in (problems[0])
    )


def test_step_pointing_at_a_missing_measure(plan):
    content = edited(plan, "Schritte", set_cell("Maßnahme", "Z"))
    assert refused(plan, content) == [
        "Blatt „Schritte“, Zeile 2, Spalte „Maßnahme“: Die Maßnahme „Z“ im Handlungsfeld "
        "„netzwerke“ gibt es nicht."
    ]


def test_text_in_a_number_column(plan):
    content = edited(plan, "Budget", set_cell("geplant (EUR)", "viel"))
    assert refused(plan, content) == [
        "Blatt „Budget“, Zeile 2, Spalte „geplant (EUR)“: „viel“ ist keine Zahl."
    ]


def test_text_in_a_position_column(plan):
    content = edited(plan, "Schritte", set_cell("Position", "zweiter"))
    assert refused(plan, content) == [
        "Blatt „Schritte“, Zeile 2, Spalte „Position“: „zweiter“ ist keine ganze Zahl."
    ]


def test_windows_1252_csv_is_detected_and_named(plan):
    members = zip_members(wb.plan_workbook_csv_zip(plan))
    text = members["Maßnahmen.csv"].decode("utf-8-sig")
    text = text.replace("Einrichtung, Nutzung und Stärkung", "Einrichtung, Nutzung und Stärkung!")
    members["Maßnahmen.csv"] = text.encode("cp1252")
    before = snapshot(plan)

    result = wb.plan_workbook_import(
        plan=plan, content=make_zip(members), file_name="plan.zip", acting_user=None, dry_run=True
    )

    assert "„Maßnahmen.csv“ wurde als Windows-1252 gelesen." in result.notices
    assert "„Schritte.csv“ wurde als UTF-8 (BOM) gelesen." in result.notices
    assert [c.diffs[0][2][-40:] for c in result.changes] == [
        "ntaktstelle Kreativwirtschaft‘ als Querschnittsstelle zu den Akteuren"[-40:]
    ] or ["Stärkung!" in c.diffs[0][2] for c in result.changes] == [True]
    assert snapshot(plan) == before


def test_wrong_encoding_is_refused(plan):
    members = zip_members(wb.plan_workbook_csv_zip(plan))
    members["Maßnahmen.csv"] = members["Maßnahmen.csv"].decode("utf-8-sig").encode("utf-16")
    assert refused(plan, make_zip(members), "plan.zip") == [
        "„Maßnahmen.csv“ ist keine Textdatei in UTF-8 oder Windows-1252 (sie enthält Null-Bytes, "
        "z. B. UTF-16)."
    ]


def test_empty_file(plan):
    assert refused(plan, b"") == ["Die Datei ist leer."]


def test_file_over_the_size_limit(plan, settings):
    settings.PLANWERK_UPLOAD_MAX_BYTES = 1024 * 1024
    problems = refused(plan, b"PK\x03\x04" + b"x" * (2 * 1024 * 1024))
    assert problems == ["Die Datei ist zu groß (2 MB). Erlaubt sind höchstens 1 MB."]


def test_workbook_with_a_formula_is_refused_not_evaluated(plan):
    content = edited(plan, "Budget", set_cell("geplant (EUR)", "=1000*2"))
    assert refused(plan, content) == [
        "Blatt „Budget“, Zeile 2: Zelle H2 enthält eine Formel (=1000*2). Formeln werden nicht "
        "importiert: Bitte ersetzen Sie sie durch ihre Werte."
    ]


def test_sheet_missing_from_the_workbook(plan):
    book = open_xlsx(wb.plan_workbook_xlsx(plan))
    del book["Budget"]
    problems = refused(plan, save_xlsx(book))
    assert problems == [
        "Der Arbeitsmappe fehlt das Blatt „Budget“. Erwartete Blätter: „Handlungsfelder“, "
        "„Ausgangslage“, „Maßnahmen“, „Schritte“, „Zeitplan“, „Zuständigkeiten“, „Budget“."
    ]


def test_renamed_pdf_posing_as_xlsx(plan):
    content = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF"
    assert refused(plan, content, "plan.xlsx") == [
        "„plan.xlsx“ ist weder eine XLSX-Arbeitsmappe noch eine ZIP-Datei mit CSV-Dateien. "
        "Sie sieht aus wie eine PDF-Datei."
    ]


def test_empty_workbook_names_the_missing_sheets(plan):
    book = Workbook()
    out = io.BytesIO()
    book.save(out)
    problems = refused(plan, out.getvalue())
    assert len(problems) == 7 and problems[0].startswith(
        "Der Arbeitsmappe fehlt das Blatt „Handlungsfelder“."
    )


def test_messages_follow_the_ui_language(plan):
    content = edited(plan, "Budget", set_cell("geplant (EUR)", "viel"))
    with translation.override("en"):
        problems = refused(plan, content)
    assert problems == ["sheet “Budget”, row 2, column “geplant (EUR)”: “viel” is not a number."]


def test_all_problems_are_reported_at_once(plan):
    def edit(sheet):
        sheet.cell(row=2, column=column(sheet, "geplant (EUR)")).value = "viel"
        sheet.cell(row=3, column=column(sheet, "Kategorie")).value = "Schwarzgeld"

    problems = refused(plan, edited(plan, "Budget", edit))
    assert [p.split(":")[0] for p in problems] == [
        "Blatt „Budget“, Zeile 2, Spalte „geplant (EUR)“",
        "Blatt „Budget“, Zeile 3, Spalte „Kategorie“",
    ]
