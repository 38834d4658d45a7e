"""Import of persons and organisations: duplicates are reported for merging, bad rows are clear
errors in the preview, and nothing changes until a clean file is confirmed."""

import io

import openpyxl
import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile

from contacts import services
from contacts.models import Organisation, Person
from tests.factories import OrganisationFactory, PersonFactory
from tests.imports.support import admin_url, confirm, upload

pytestmark = pytest.mark.django_db

HEADER = "ID,Anrede,akademischer Titel,Vorname,Nachname,Funktion,Organisation (ID),E-Mail\n"


@pytest.fixture
def office(db):
    return OrganisationFactory(name="Kulturamt")


@pytest.fixture
def mueller(office):
    return PersonFactory(
        title="Dr.",
        first_name="Jürgen",
        last_name="Müller",
        organisation=office,
        email="J.Mueller@Leipzig.example",
    )


def snapshot():
    return (
        sorted(Person.objects.values_list("pk", "first_name", "last_name", "email")),
        Person.history.count(),
        Organisation.objects.count(),
    )


def messages(response) -> list[tuple]:
    return [(m.row, m.text) for m in response.context["import_messages"]]


@pytest.mark.parametrize(
    "first, second",
    [
        ("Dr. Jürgen Müller", "juergen  mueller"),
        ("Prof. Dr.-Ing. Ärne Öztürk", "aerne oeztuerk"),
        ("Frau Dr. med. Anna-Lena Groß", "ANNA LENA GROSS"),
        ("Jürgen\tMüller", " Juergen Mueller "),
    ],
)
def test_names_are_compared_after_normalisation(first, second):
    assert services.normalise_name(first) == services.normalise_name(second)


@pytest.mark.parametrize(
    "first, second",
    [("Jürgen Müller", "Jürgen Möller"), ("Dr. Anna Roth", "Anna Rothe"), ("Ina Nat", "Ina")],
)
def test_different_names_stay_different(first, second):
    assert services.normalise_name(first) != services.normalise_name(second)


def test_preview_reports_duplicates_and_bad_rows_and_changes_nothing(staff_client, mueller, office):
    before = snapshot()
    content = HEADER + (
        # rows are counted from the first data row
        # 1: same e-mail address as Dr. Müller, other case and spacing
        ",,,Hans,Anders,,," + " j.mueller@leipzig.EXAMPLE " + "\n"
        # 2: same name in the same organisation, without the title and with ue for ü
        f",,,juergen,  mueller,,{office.pk},\n"
        # 3: a bad e-mail address
        ",,,Ines,Rabenberg,,,ines(at)example.org\n"
        # 4: a new person, fine on its own
        f",,,Yana,Milev,,{office.pk},yana@example.org\n"
        # 5: the same new person again in the same file
        f",,,Yana,Milev,,{office.pk},\n"
    )
    response = upload(staff_client, Person, content)
    assert response.status_code == 200
    assert "confirm_form" not in response.context
    found = messages(response)
    rows = {row for row, _ in found}
    assert rows == {1, 2, 3, 5}
    text = dict(found)
    assert f"#{mueller.pk}" in text[1] and "gleiche E-Mail-Adresse" in text[1]
    assert f"#{mueller.pk}" in text[2] and "gleicher Name in derselben Organisation" in text[2]
    assert "E-Mail" in text[3] and "gültige E-Mail-Adresse" in text[3]
    assert "wie in Zeile 4" in text[5]
    assert snapshot() == before


def test_missing_column_is_a_clear_message(staff_client, mueller):
    before = snapshot()
    response = upload(staff_client, Person, "ID,Vorname,E-Mail\n,Hans,hans@example.org\n")
    found = messages(response)
    assert len(found) == 1 and found[0][0] is None
    assert "Fehlende Spalten: Nachname." in found[0][1]
    assert snapshot() == before


def test_wrong_encoding_is_a_clear_message(staff_client, mueller):
    before = snapshot()
    content = (HEADER + ",,,Jörg,Weiß,,,joerg@example.org\n").encode("cp1252")
    response = upload(staff_client, Person, content)
    assert response.status_code == 200
    errors = response.context["form"].errors["import_file"]
    assert "(bei CSV in UTF-8)" in " ".join(errors)
    assert snapshot() == before


def test_clean_file_is_imported_once_and_again_reported_as_duplicate(staff_client, office):
    content = HEADER + f",,Dr.,Jürgen,Müller,Amtsleiter,{office.pk},jm@example.org\n"
    preview = upload(staff_client, Person, content)
    assert messages(preview) == []
    assert confirm(staff_client, Person, preview).status_code == 302
    person = Person.objects.get()
    assert (person.title, person.first_name, person.last_name) == ("Dr.", "Jürgen", "Müller")
    again = upload(staff_client, Person, content)
    assert "confirm_form" not in again.context
    assert [row for row, _ in messages(again)] == [1]
    assert Person.objects.count() == 1


def test_organisation_duplicates_by_normalised_name_under_the_same_parent(staff_client):
    city = OrganisationFactory(name="Stadt Leipzig")
    OrganisationFactory(name="Amt für Wirtschaftsförderung", parent=city)
    before = Organisation.objects.count()
    content = (
        "ID,Name,Art,übergeordnete Organisation (ID)\n"
        f",amt für  wirtschaftsfoerderung,department,{city.pk}\n"
        ",Amt für Wirtschaftsförderung,department,\n"  # the same name elsewhere is fine
    )
    response = upload(staff_client, Organisation, content)
    found = messages(response)
    assert [row for row, _ in found] == [1]
    assert "Amt für Wirtschaftsförderung" in found[0][1]
    assert Organisation.objects.count() == before


def _xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_index(model) -> str:
    formats = admin.site._registry[model].get_import_formats()
    return str(next(i for i, f in enumerate(formats) if f().get_title() == "xlsx"))


def test_xlsx_import_with_preview(staff_client, office, mueller):
    data = _xlsx(
        [
            ["ID", "Vorname", "Nachname", "Organisation (ID)", "E-Mail"],
            [None, "Yana", "Milev", office.pk, "yana@example.org"],
            [None, "JÜRGEN", "MÜLLER", office.pk, None],
        ]
    )
    post = {
        "import_file": SimpleUploadedFile("p.xlsx", data),
        "format": _xlsx_index(Person),
        "resource": "0",
    }
    response = staff_client.post(admin_url(Person, "import"), post)
    assert [row for row, _ in messages(response)] == [2]
    assert not Person.objects.filter(last_name="Milev").exists()


def test_xlsx_export_neutralises_formulas(staff_client, office):
    PersonFactory(last_name='=HYPERLINK("http://evil")', organisation=office)
    formats = admin.site._registry[Person].get_export_formats()
    index = next(i for i, f in enumerate(formats) if f().get_title() == "xlsx")
    from contacts.resources import PersonResource

    data = {"format": str(index), "resource": "0"}
    data.update({f"personresource_{n}": "on" for n in PersonResource().get_export_order()})
    response = staff_client.post(admin_url(Person, "export"), data)
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    column = header.index("Nachname")
    values = [row[column].value for row in sheet.iter_rows(min_row=2)]
    assert values == ['\'=HYPERLINK("http://evil")']
