"""The workbook's sheets „Plan“, „Ansprechpartner“ and „Verknüpfungen“: the plan's own
attributes, the contact persons of its fields and its related measures, out and in again."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from actionplan import models as ap
from actionplan.models import Plan
from contacts.models import Person
from imports import plan_workbook as wb
from imports.plan_import import PlanImportError
from tests.imports.plan_support import (
    column,
    find_row,
    history_count,
    load_leipzig,
    make_zip,
    open_xlsx,
    save_xlsx,
    snapshot,
    zip_members,
)
from tests.imports.support import coordinator_of
from tests.shared_data import module_data

pytestmark = pytest.mark.django_db

Link = ap.Measure.related_measures.through
NEW_SHEETS = ("Plan", "Ansprechpartner", "Verknüpfungen")
with translation.override("de"):
    RELATED = gettext("related measure")  # „verbundene Maßnahme“ once translated


@pytest.fixture(scope="module")
def plan_pk(django_db_setup, django_db_blocker):
    """The Leipzig plan, imported once for the module and rolled back at its end
    (tests/shared_data.py)."""
    with module_data(django_db_blocker):
        yield load_leipzig().pk


@pytest.fixture
def plan(plan_pk, db):
    """Read again for each test: one test's changes to the instance never reach another."""
    return Plan.objects.get(pk=plan_pk)


def whole(plan) -> tuple:
    """Everything the three sheets could change, the rows, and every history table."""
    return (
        snapshot(plan),
        ap.Plan.objects.filter(pk=plan.pk).values().get(),
        list(
            ap.FieldContact.objects.filter(field__plan=plan)
            .order_by("pk")
            .values_list("pk", "field_id", "person_id", "position")
        ),
        list(
            Link.objects.filter(from_measure__field__plan=plan)
            .order_by("pk")
            .values_list("pk", "from_measure_id", "to_measure_id")
        ),
    )


def contacts(plan) -> list[tuple]:
    return list(
        ap.FieldContact.objects.filter(field__plan=plan)
        .order_by("field__position", "position")
        .values_list("field__slug", "person__last_name", "position")
    )


def links(plan) -> set[tuple]:
    return {
        (link.from_measure.field.slug, link.from_measure.code, link.to_measure.field.slug,
         link.to_measure.code)
        for link in Link.objects.filter(from_measure__field__plan=plan).select_related(
            "from_measure__field", "to_measure__field"
        )
    }  # fmt: skip


def run(plan, content, *, name="plan.xlsx", dry_run=False, user=None):
    return wb.plan_workbook_import(
        plan=plan, content=content, file_name=name, acting_user=user, dry_run=dry_run
    )


def edited(plan, edit) -> bytes:
    book = open_xlsx(wb.plan_workbook_xlsx(plan))
    edit(book)
    return save_xlsx(book)


def value_cell(book, label: str):
    sheet = book["Plan"]
    return sheet.cell(row=find_row(sheet, "Angabe", label), column=column(sheet, "Wert"))


def refused(plan, content: bytes, name: str = "plan.xlsx") -> list[str]:
    before = whole(plan)
    with pytest.raises(PlanImportError) as excinfo:
        run(plan, content, name=name)
    assert whole(plan) == before
    return [str(p) for p in excinfo.value.problems]


# --- out ----------------------------------------------------------------------------------------


def test_xlsx_holds_the_plan_its_contacts_and_links_with_the_house_layout(plan):
    book = open_xlsx(wb.plan_workbook_xlsx(plan))

    sheet = book["Plan"]
    assert [c.value for c in sheet[1]] == ["Angabe", "Wert"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:B{sheet.max_row}"
    assert all(cell.font.bold for cell in sheet[1])
    values = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
    assert values["Kürzel"].value == "leipzig-2011"
    assert values["Untertitel"].value == "Lokaler Maßnahmenplan für Leipzig"
    issued = values["Ausgabedatum"]
    assert issued.is_date and issued.value.date() == datetime.date(2011, 5, 1)
    assert issued.number_format == "DD.MM.YYYY"
    assert values["Status"].value == "veröffentlicht"
    assert values["Projektleitung"].value == "Kucharski-Huniat, Susanne"
    assert values["Herausgeber"].value == plan.author_organisation.name
    assert values["Einleitung"].value == plan.introduction and "\n\n" in plan.introduction

    sheet = book["Ansprechpartner"]
    assert [c.value for c in sheet[1]] == [
        "ID",
        "Plan",
        "Handlungsfeld",
        "Position",
        "Person",
        "Organisation der Person",
        "löschen",
    ]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:G")
    rows = [[c.value for c in row][2:5] for row in sheet.iter_rows(min_row=2)]
    assert len(rows) == ap.FieldContact.objects.filter(field__plan=plan).count() == 6
    assert ["stadtentwicklung", 1, "Geiss, Stefan"] in rows
    assert ["stadtentwicklung", 2, "Raschke, Norbert"] in rows

    sheet = book["Verknüpfungen"]
    assert [c.value for c in sheet[1]] == [
        "ID",
        "Plan",
        "Handlungsfeld",
        "Maßnahme",
        "verbundenes Handlungsfeld",
        "verbundene Maßnahme",
        "löschen",
    ]
    rows = [[c.value for c in row][2:6] for row in sheet.iter_rows(min_row=2)]
    assert rows == [["marketing", "C", "marketing", "A"]]


def test_csv_zip_gets_the_same_three_files(plan):
    members = zip_members(wb.plan_workbook_csv_zip(plan))

    assert {f"{title}.csv" for title in NEW_SHEETS} <= set(members)
    text = members["Plan.csv"].decode("utf-8-sig")
    rows = {row[0]: row[1] for row in csv.reader(io.StringIO(text, newline=""), delimiter=";")}
    assert rows["Angabe"] == "Wert"
    assert rows["Ausgabedatum"] == "01.05.2011"
    assert rows["Einleitung"] == plan.introduction
    links_csv = members["Verknüpfungen.csv"].decode("utf-8-sig").splitlines()
    assert links_csv[1].split(";")[2:6] == ["marketing", "C", "marketing", "A"]


def test_open_data_keep_to_the_row_sheets(plan):
    members = zip_members(wb.plan_workbook_csv_zip(plan, public_only=True))
    assert not {f"{title}.csv" for title in NEW_SHEETS} & set(members)


def test_formula_text_in_the_plan_sheet_is_a_string_and_comes_back_unchanged(plan):
    plan.subtitle = "=1+1"
    plan.funding_note = "@SUM(A1)"
    plan.save()
    content = wb.plan_workbook_xlsx(plan)
    book = open_xlsx(content)
    for label, text in (("Untertitel", "'=1+1"), ("Förderhinweis", "'@SUM(A1)")):
        cell = value_cell(book, label)
        assert (cell.value, cell.data_type) == (text, "s")
    before = whole(plan)

    assert run(plan, content).changes == []
    assert run(plan, wb.plan_workbook_csv_zip(plan), name="plan.zip").changes == []
    assert whole(plan) == before
    assert ap.Plan.objects.get(pk=plan.pk).subtitle == "=1+1"


# --- round trip ---------------------------------------------------------------------------------


@pytest.mark.parametrize("export", [wb.plan_workbook_xlsx, wb.plan_workbook_csv_zip])
def test_leipzig_round_trip_with_the_new_sheets_changes_nothing(plan, export):
    assert contacts(plan) and links(plan)  # the demo data have both
    before = whole(plan)
    sheets = {d.title: list(d) for d in wb.plan_workbook_databook(plan).sheets()}
    assert all(sheets[title] for title in NEW_SHEETS)

    preview = run(plan, export(plan), dry_run=True)
    result = run(plan, export(plan))

    assert preview.changes == [] and result.changes == []
    assert whole(plan) == before
    assert {d.title: list(d) for d in wb.plan_workbook_databook(plan).sheets()} == sheets


# --- edits --------------------------------------------------------------------------------------


def test_edited_plan_cells_change_exactly_those_attributes(plan, django_user_model):
    user = django_user_model.objects.create(username="koordination")

    def edit(book):
        value_cell(book, "Untertitel").value = "Fortschreibung 2012"
        value_cell(book, "Ausgabedatum").value = datetime.date(2012, 6, 1)

    content = edited(plan, edit)
    history = history_count(entries_only=True)

    preview = run(plan, content, dry_run=True)
    assert ap.Plan.objects.get(pk=plan.pk).subtitle == "Lokaler Maßnahmenplan für Leipzig"
    result = run(plan, content, name="fortschreibung.xlsx", user=user)

    assert [(c.action, c.kind) for c in result.changes] == [("changed", "plan")]
    assert result.changes[0].diffs == [
        ("Untertitel", "Lokaler Maßnahmenplan für Leipzig", "Fortschreibung 2012"),
        ("Ausgabedatum", "01.05.2011", "01.06.2012"),
    ]
    assert [c.diffs for c in preview.changes] == [c.diffs for c in result.changes]
    stored = ap.Plan.objects.get(pk=plan.pk)
    assert (stored.subtitle, stored.issued_on) == ("Fortschreibung 2012", datetime.date(2012, 6, 1))
    assert history_count(entries_only=True) == history + 1
    entry = stored.history.latest()
    assert entry.history_user == user
    assert entry.history_change_reason == "Import der Arbeitsmappe „fortschreibung.xlsx“"
    assert run(plan, wb.plan_workbook_xlsx(plan)).changes == []


def test_edited_contact_person_changes_that_contact_in_place(plan):
    other = Person.objects.get(last_name="Demus")

    def edit(book):
        sheet = book["Ansprechpartner"]
        row = find_row(sheet, "Person", "Raschke, Norbert")
        sheet.cell(row=row, column=column(sheet, "Person")).value = "Demus, Carolin"
        sheet.cell(
            row=row, column=column(sheet, "Organisation der Person")
        ).value = other.organisation.name

    contact = ap.FieldContact.objects.get(field__plan=plan, person__last_name="Raschke")
    history = history_count(entries_only=True)

    result = run(plan, edited(plan, edit))

    assert [(c.action, c.label, c.diffs) for c in result.changes] == [
        (
            "changed",
            "Ansprechpartner stadtentwicklung: Norbert Raschke",
            [("Person", "Norbert Raschke", "Carolin Demus")],
        )
    ]
    contact.refresh_from_db()
    assert (contact.person, contact.position) == (other, 2)
    assert history_count(entries_only=True) == history + 1
    assert contact.history.latest().history_type == "~"


def test_edited_link_changes_the_related_measure(plan):
    def edit(book):
        sheet = book["Verknüpfungen"]
        sheet.cell(row=2, column=column(sheet, "verbundene Maßnahme")).value = "B"

    stamp = ap.Plan.objects.get(pk=plan.pk).content_changed_at
    history = history_count(entries_only=True)

    preview = run(plan, edited(plan, edit), dry_run=True)
    assert links(plan) == {("marketing", "C", "marketing", "A")}
    result = run(plan, edited(plan, edit))

    assert [(c.action, c.kind, c.diffs) for c in result.changes] == [
        ("changed", "link", [(RELATED, "marketing/A", "marketing/B")])
    ]
    assert [c.label for c in preview.changes] == [c.label for c in result.changes]
    assert links(plan) == {("marketing", "C", "marketing", "B")}
    # one history row of the measure, with its links as they are now and the import's reason
    assert history_count(entries_only=True) == history + 1
    source = ap.Measure.objects.get(field__plan=plan, field__slug="marketing", code="C")
    entry = source.history.latest()
    assert [row.to_measure.code for row in entry.related_measures.all()] == ["B"]
    assert entry.history_change_reason == "Import der Arbeitsmappe „plan.xlsx“"
    assert ap.Plan.objects.get(pk=plan.pk).content_changed_at > stamp


def test_three_cells_in_the_three_sheets_make_three_changes(plan, django_user_model):
    user = django_user_model.objects.create(username="sachbearbeitung")

    def edit(book):
        value_cell(book, "Titel").value = "Gemeinsamer Aktionsplan"
        sheet = book["Ansprechpartner"]
        row = find_row(sheet, "Person", "Raschke, Norbert")
        sheet.cell(row=row, column=column(sheet, "Position")).value = 3
        sheet = book["Verknüpfungen"]
        sheet.cell(row=2, column=column(sheet, "verbundenes Handlungsfeld")).value = "netzwerke"

    history = {model: model.history.count() for model in (ap.Plan, ap.FieldContact, ap.Measure)}

    result = run(plan, edited(plan, edit), user=user)

    assert result.counts == {"new": 0, "changed": 3, "deleted": 0}
    assert [c.diffs for c in result.changes] == [
        [("Titel", "Joint Action Plan", "Gemeinsamer Aktionsplan")],
        [("Position", "2", "3")],
        [(RELATED, "marketing/A", "netzwerke/A")],
    ]
    # one history row each: the plan, the contact, the measure whose link changed
    assert {model: model.history.count() - n for model, n in history.items()} == {
        ap.Plan: 1,
        ap.FieldContact: 1,
        ap.Measure: 1,
    }
    assert ap.FieldContact.history.latest().history_user == user
    assert ap.Measure.history.latest().history_user == user
    assert links(plan) == {("marketing", "C", "netzwerke", "A")}


def test_rows_without_id_are_added_and_löschen_deletes(plan):
    def edit(book):
        sheet = book["Ansprechpartner"]
        sheet.append([None, None, "netzwerke", 2, "Raschke, Norbert", None, None])
        row = find_row(sheet, "Person", "Geiss, Stefan")
        sheet.cell(row=row, column=column(sheet, "löschen")).value = "ja"
        sheet = book["Verknüpfungen"]
        sheet.cell(row=2, column=column(sheet, "löschen")).value = "ja"
        sheet.append([None, "leipzig-2011", "netzwerke", "A", "bildung-beschaeftigung", "A"])

    history = history_count(entries_only=True)

    result = run(plan, edited(plan, edit))

    assert sorted((c.action, c.kind) for c in result.changes) == [
        ("deleted", "contact"),
        ("deleted", "link"),
        ("new", "contact"),
        ("new", "link"),
    ]
    assert ("netzwerke", "Raschke", 2) in contacts(plan)
    assert not [c for c in contacts(plan) if c[1] == "Geiss"]
    assert links(plan) == {("netzwerke", "A", "bildung-beschaeftigung", "A")}
    # the two contacts, and one row for each of the two measures whose links changed
    assert history_count(entries_only=True) == history + 4


def test_links_and_contacts_may_name_rows_new_in_the_same_workbook(plan):
    def edit(book):
        measures = book["Maßnahmen"]
        row = [None] * measures.max_column
        for label, value in (
            ("Handlungsfeld", "marketing"),
            ("Position", 4),
            ("Code", "D"),
            ("Titel", "Neue Maßnahme"),
        ):
            row[column(measures, label) - 1] = value
        measures.append(row)
        book["Verknüpfungen"].append([None, None, "marketing", "D", "marketing", "C"])
        fields = book["Handlungsfelder"]
        fields.append([None, None, 6, "Neues Feld", "neues-feld", None, None, None, None])
        book["Ansprechpartner"].append([None, None, "neues-feld", 1, "Demus, Carolin"])

    result = run(plan, edited(plan, edit))

    assert sorted((c.action, c.kind) for c in result.changes) == [
        ("new", "contact"),
        ("new", "field"),
        ("new", "link"),
        ("new", "measure"),
    ]
    assert links(plan) == {
        ("marketing", "C", "marketing", "A"),
        ("marketing", "D", "marketing", "C"),
    }
    assert ("neues-feld", "Demus", 1) in contacts(plan)
    assert run(plan, wb.plan_workbook_xlsx(plan)).changes == []


def test_a_link_of_a_deleted_measure_goes_with_it(plan):
    def edit(book):
        sheet = book["Maßnahmen"]
        title = ap.Measure.objects.get(field__slug="marketing", code="A").title
        sheet.cell(
            row=find_row(sheet, "Titel", title), column=column(sheet, "löschen")
        ).value = "ja"

    result = run(plan, edited(plan, edit))

    assert [(c.action, c.kind) for c in result.changes if c.kind in ("link", "measure")] == [
        ("deleted", "measure")
    ]
    assert links(plan) == set()


# --- older workbooks ----------------------------------------------------------------------------


def test_workbook_exported_before_the_new_sheets_leaves_them_as_stored(plan):
    def edit(book):
        for title in NEW_SHEETS:
            del book[title]
        sheet = book["Maßnahmen"]
        sheet.cell(row=2, column=column(sheet, "Titel")).value = "Neuer Titel"

    plan.subtitle = "Inzwischen geändert"
    plan.save()
    stored = whole(plan)[1:]

    result = run(plan, edited(plan, edit))

    assert [(c.action, c.kind) for c in result.changes] == [("changed", "measure")]
    assert whole(plan)[2:] == stored[1:]
    assert ap.Plan.objects.get(pk=plan.pk).subtitle == "Inzwischen geändert"


def test_csv_zip_without_the_new_files_leaves_them_as_stored(plan):
    members = zip_members(wb.plan_workbook_csv_zip(plan))
    old = {name: data for name, data in members.items() if name[:-4] not in NEW_SHEETS}
    before = whole(plan)

    assert run(plan, make_zip(old), name="alt.zip").changes == []
    assert whole(plan) == before


# --- bad input ----------------------------------------------------------------------------------


def test_unknown_person_in_contacts(plan):
    def edit(book):
        sheet = book["Ansprechpartner"]
        sheet.cell(row=3, column=column(sheet, "Person")).value = "Niemand, Nobody"

    assert refused(plan, edited(plan, edit)) == [
        "Blatt „Ansprechpartner“, Zeile 3, Spalte „Person“: "
        "Unbekannte Person: „Niemand, Nobody“ (erwartet: „Nachname, Vorname“)."
    ]


def test_unknown_field_in_contacts(plan):
    def edit(book):
        book["Ansprechpartner"].append([None, None, "gibt-es-nicht", 1, "Demus, Carolin"])

    row = len(ap.FieldContact.objects.filter(field__plan=plan)) + 2
    assert refused(plan, edited(plan, edit)) == [
        f"Blatt „Ansprechpartner“, Zeile {row}, Spalte „Handlungsfeld“: "
        "Das Handlungsfeld „gibt-es-nicht“ gibt es nicht."
    ]


def test_unknown_measure_code_in_links(plan):
    def edit(book):
        sheet = book["Verknüpfungen"]
        sheet.cell(row=2, column=column(sheet, "verbundene Maßnahme")).value = "Z"

    assert refused(plan, edited(plan, edit)) == [
        "Blatt „Verknüpfungen“, Zeile 2, Spalte „verbundene Maßnahme“: "
        "Die Maßnahme „Z“ im Handlungsfeld „marketing“ gibt es nicht."
    ]


def test_unparseable_date_in_the_plan_sheet(plan):
    def edit(book):
        value_cell(book, "Ausgabedatum").value = "32.13.2011"

    assert refused(plan, edited(plan, edit)) == [
        "Blatt „Plan“, Zeile 9, Spalte „Wert“: "
        "„32.13.2011“ ist kein Datum (erwartet: TT.MM.JJJJ, z. B. 31.05.2011)."
    ]


def test_plan_sheet_of_another_plan(plan):
    def edit(book):
        value_cell(book, "Kürzel").value = "dresden-2012"

    assert refused(plan, edited(plan, edit)) == [
        "Blatt „Plan“, Zeile 2, Spalte „Wert“: "
        "Diese Zeile gehört zum Plan „dresden-2012“, nicht zu „leipzig-2011“."
    ]


def test_empty_title_and_unknown_status_in_the_plan_sheet(plan):
    def edit(book):
        value_cell(book, "Titel").value = None
        value_cell(book, "Status").value = "fertig"

    problems = refused(plan, edited(plan, edit))
    assert problems == [
        "Blatt „Plan“, Zeile 15, Spalte „Wert“: „fertig“ ist keiner dieser Werte: "
        "Entwurf, veröffentlicht, archiviert."
    ]
    problems = refused(
        plan, edited(plan, lambda book: setattr(value_cell(book, "Titel"), "value", None))
    )
    assert problems == ["Blatt „Plan“, Zeile 3, Spalte „Wert“: Dieses Feld darf nicht leer sein."]


def test_unknown_entry_in_the_plan_sheet(plan):
    def edit(book):
        book["Plan"].append(["Bürgermeister", "Burkhard Jung"])

    with translation.override("en"):
        problems = refused(plan, edited(plan, edit))
    assert len(problems) == 1
    assert problems[0].startswith(
        "sheet “Plan”, row 21, column “Angabe”: Unknown entry “Bürgermeister”. Expected: “Kürzel”, "
    )


def test_self_link_and_twice_listed_contact(plan):
    def edit(book):
        book["Verknüpfungen"].append([None, None, "netzwerke", "A", "netzwerke", "A"])
        book["Ansprechpartner"].append([None, None, "netzwerke", 5, "Demus, Carolin"])

    with translation.override("en"):
        problems = refused(plan, edited(plan, edit))
    assert problems == [
        "sheet “Ansprechpartner”, row 8: contact person netzwerke: Carolin Demus appears more "
        "than once (also in row 2).",
        "sheet “Verknüpfungen”, row 3, column “verbundene Maßnahme”: "
        "A measure cannot be linked to itself.",
    ]


def test_problems_of_the_rows_and_of_the_new_sheets_come_in_one_list(plan):
    def edit(book):
        sheet = book["Schritte"]
        sheet.cell(row=2, column=column(sheet, "Maßnahme")).value = "Y"
        sheet = book["Verknüpfungen"]
        sheet.cell(row=2, column=column(sheet, "Maßnahme")).value = "Z"

    problems = refused(plan, edited(plan, edit))
    assert [p.split(":")[0] for p in problems] == [
        "Blatt „Schritte“, Zeile 2, Spalte „Maßnahme“",
        "Blatt „Verknüpfungen“, Zeile 2, Spalte „Maßnahme“",
    ]


def test_stale_preview_of_a_contact_change_is_refused(plan):
    content = wb.plan_workbook_xlsx(plan)
    fingerprint = wb.plan_workbook_fingerprint(plan)
    contact = ap.FieldContact.objects.filter(field__plan=plan).first()
    contact.position = 9
    contact.save()

    with pytest.raises(PlanImportError, match="jemand anderes diesen Plan geändert"):
        wb.plan_workbook_import(
            plan=plan,
            content=content,
            file_name="x.xlsx",
            acting_user=None,
            dry_run=False,
            expected_fingerprint=fingerprint,
        )
    assert ap.FieldContact.objects.get(pk=contact.pk).position == 9


# --- in the browser -----------------------------------------------------------------------------


@pytest.fixture
def coordinator_client(client, plan):
    client.force_login(coordinator_of(plan))
    return client


def test_preview_lists_the_new_kinds_of_change_and_confirm_applies_them(coordinator_client, plan):
    def edit(book):
        value_cell(book, "Untertitel").value = "Fortschreibung 2012"
        sheet = book["Ansprechpartner"]
        row = find_row(sheet, "Person", "Raschke, Norbert")
        sheet.cell(row=row, column=column(sheet, "löschen")).value = "ja"
        sheet = book["Verknüpfungen"]
        sheet.cell(row=2, column=column(sheet, "verbundene Maßnahme")).value = "B"

    url = reverse("imports:plan_workbook_import", kwargs={"plan_slug": plan.slug})
    before = whole(plan)

    preview = coordinator_client.post(
        url, {"import_file": SimpleUploadedFile("plan.xlsx", edited(plan, edit))}
    )

    html = preview.content.decode()
    assert "0 neu, 2 geändert, 1 gelöscht" in html
    assert "<del>Lokaler Maßnahmenplan für Leipzig</del>" in html
    assert "<ins>Fortschreibung 2012</ins>" in html
    assert "Ansprechpartner stadtentwicklung: Norbert Raschke" in html
    assert "<del>marketing/A</del>" in html and "<ins>marketing/B</ins>" in html
    assert whole(plan) == before

    data = {n: preview.context[n] for n in ("stored_name", "file_name", "fingerprint")}
    response = coordinator_client.post(url, {**data, "confirm": "1"})

    assert response.status_code == 302
    assert ap.Plan.objects.get(pk=plan.pk).subtitle == "Fortschreibung 2012"
    assert not [c for c in contacts(plan) if c[1] == "Raschke"]
    assert links(plan) == {("marketing", "C", "marketing", "B")}


def test_export_queries_do_not_grow_with_contacts_and_links(
    coordinator_client, plan, django_assert_num_queries
):
    url = reverse(
        "imports:plan_workbook_export", kwargs={"plan_slug": plan.slug, "file_format": "xlsx"}
    )
    with CaptureQueriesContext(connection) as first:
        assert coordinator_client.get(url).status_code == 200
    measures = list(ap.Measure.objects.filter(field__plan=plan))
    for measure in measures:
        measure.related_measures.add(*[m for m in measures if m != measure][:3])
    for field in ap.FieldOfAction.objects.filter(plan=plan):
        for position, person in enumerate(Person.objects.all()[:4], start=5):
            ap.FieldContact.objects.get_or_create(
                field=field, person=person, defaults={"position": position}
            )

    with django_assert_num_queries(len(first.captured_queries)):
        response = coordinator_client.get(url)
    book = open_xlsx(response.content)
    stored_links = Link.objects.filter(from_measure__field__plan=plan).count()
    assert book["Verknüpfungen"].max_row - 1 == stored_links == 3 * len(measures) + 1
    stored_contacts = ap.FieldContact.objects.filter(field__plan=plan).count()
    assert book["Ansprechpartner"].max_row - 1 == stored_contacts > 20


def test_organisation_of_a_contact_must_be_the_persons(plan):
    def edit(book):
        sheet = book["Ansprechpartner"]
        row = find_row(sheet, "Person", "Raschke, Norbert")
        cell = sheet.cell(row=row, column=column(sheet, "Organisation der Person"))
        cell.value = plan.author_organisation.name

    with translation.override("en"):
        problems = refused(plan, edited(plan, edit))
    assert problems == [
        "sheet “Ansprechpartner”, row 6, column “Organisation der Person”: "
        "“Raschke, Norbert” is not a person of this organisation."
    ]


def test_project_lead_who_shares_a_name_still_round_trips(plan):
    lead = plan.project_lead
    Person.objects.create(first_name=lead.first_name, last_name=lead.last_name)
    before = whole(plan)

    assert run(plan, wb.plan_workbook_xlsx(plan)).changes == []
    assert whole(plan) == before
