"""Hostile workbooks (issue 19): every one is answered with a German message and its place in
the file, never a 500; the database stays as it was; memory stays under a stated bound.

Each file is small on disk and built here: zip bombs of newlines or zeros, headers that lie
about sizes or CRCs, encrypted and ``../`` members, XML with a DOCTYPE (external entity, billion
laughs), a sheet claiming a million rows or holding 100,000 columns, text in the wrong encoding,
formulas, numbers beyond range. Each goes through the real upload view as a coordinator.

Memory bound: ``PEAK_BYTES`` (64 MB) of Python allocations during the request, measured with
tracemalloc (figures in docs/benchmarks.md). Timings are left to scripts/bench_hostile_uploads.py.
"""

import io
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actionplan.models import BudgetLine, FieldOfAction, Measure, Plan
from imports import limits
from imports import plan_workbook as wb
from imports.models import ImportJob
from imports.plan_import import PlanImportError
from scripts.bench_hostile_uploads import LAUGHS, patch_headers, zip_stream
from tests.imports.plan_support import load_leipzig, make_zip, snapshot, zip_members
from tests.imports.support import coordinator_of
from tests.shared_data import module_data

pytestmark = pytest.mark.django_db

PEAK_BYTES = 64 * 1024 * 1024
MB = 1024 * 1024


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


@pytest.fixture
def coordinator_client(client, plan):
    client.force_login(coordinator_of(plan))
    return client


def counts() -> tuple:
    return (
        FieldOfAction.objects.count(),
        Measure.objects.count(),
        BudgetLine.objects.count(),
        ImportJob.objects.count(),
    )


def traced_post(client, url: str, data: dict):
    """The response, and the peak of Python allocations while it was made."""
    tracemalloc.start()
    try:
        response = client.post(url, data)
        return response, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def upload(client, plan, content: bytes, name: str):
    """Upload through the workbook view as the coordinator's browser would."""
    url = reverse("imports:plan_workbook_import", kwargs={"plan_slug": plan.slug})
    return traced_post(client, url, {"import_file": SimpleUploadedFile(name, content)})


def refused(client, plan, content: bytes, name: str) -> str:
    """Upload; assert 200 with a problem list, nothing changed, memory bounded; the problems."""
    before = snapshot(plan), counts()
    response, peak = upload(client, plan, content, name)
    assert response.status_code == 200
    problems = response.context.get("problems")
    assert problems, response.content.decode()[:2000]
    assert (snapshot(plan), counts()) == before
    assert peak < PEAK_BYTES, f"peak {peak / MB:.1f} MB"
    assert "Die Datei kann nicht importiert werden" in response.content.decode()
    return "\n".join(str(p) for p in problems)


def previewed(client, plan, content: bytes, name: str):
    """Upload; assert a preview without problems, nothing changed, memory bounded."""
    before = snapshot(plan), counts()
    response, peak = upload(client, plan, content, name)
    assert response.status_code == 200
    assert not response.context.get("problems"), [str(p) for p in response.context["problems"]]
    assert response.context.get("result") is not None
    assert (snapshot(plan), counts()) == before
    assert peak < PEAK_BYTES, f"peak {peak / MB:.1f} MB"
    return response.context["result"]


# --- building hostile archives ---------------------------------------------------------------


def csv_zip(plan) -> dict[str, bytes]:
    return zip_members(wb.plan_workbook_csv_zip(plan))


def xlsx(plan) -> dict[str, bytes]:
    return zip_members(wb.plan_workbook_xlsx(plan))


def sheet_path(members: dict, title: str) -> str:
    """The member of a sheet, e.g. „Maßnahmen“ → ``xl/worksheets/sheet5.xml``."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(make_zip(members)), read_only=True)
    index = book.sheetnames.index(title) + 1
    book.close()
    return f"xl/worksheets/sheet{index}.xml"


# --- the CSV zip ---------------------------------------------------------------------------


def test_csv_zip_bigger_than_the_cap_unpacked_is_refused(coordinator_client, plan):
    row = b"1;leipzig;" + b"x" * 990 + b"\r\n"  # few rows, many bytes: the byte cap, not rows
    content = zip_stream("Maßnahmen.csv", row, 60 * MB)
    assert len(content) < 300 * 1024
    message = refused(coordinator_client, plan, content, "plan.zip")
    assert (
        "„Maßnahmen.csv“ in „plan.zip“ ergibt entpackt mehr als 50 MB (alle Dateien des "
        "Archivs zusammen)." in message
    )


def test_csv_zip_of_newlines_stops_at_the_row_cap(coordinator_client, plan):
    content = zip_stream("Maßnahmen.csv", b"\n" * 65536, 20 * MB)
    assert len(content) < 30 * 1024
    message = refused(coordinator_client, plan, content, "plan.zip")
    assert (
        "„Maßnahmen.csv“ in „plan.zip“ hat mehr als 100.000 Zeilen (alle Blätter zusammen)."
        in message
    )


def test_member_whose_header_understates_its_size_is_damaged(coordinator_client, plan):
    honest = zip_stream("Maßnahmen.csv", b"\x00" * 65536, 200 * MB, level=1)
    lying = patch_headers(honest, {22: ("<I", 10)}, {24: ("<I", 10)})
    assert zipfile.ZipFile(io.BytesIO(lying)).infolist()[0].file_size == 10
    message = refused(coordinator_client, plan, lying, "plan.zip")
    assert "„Maßnahmen.csv“ in „plan.zip“ ist beschädigt." in message


def test_bad_crc_is_damaged(coordinator_client, plan):
    content = make_zip({"Maßnahmen.csv": b"ID;Plan\r\n1;leipzig\r\n"})
    bad = patch_headers(content, {14: ("<I", 12345)}, {16: ("<I", 12345)})
    message = refused(coordinator_client, plan, bad, "plan.zip")
    assert "„Maßnahmen.csv“ in „plan.zip“ ist beschädigt." in message


def test_encrypted_member_is_refused(coordinator_client, plan):
    content = make_zip({"Maßnahmen.csv": b"ID;Plan\r\n1;leipzig\r\n"})
    flags = 0x801  # encrypted, and the name in UTF-8 as before
    encrypted = patch_headers(content, {6: ("<H", flags)}, {8: ("<H", flags)})
    message = refused(coordinator_client, plan, encrypted, "plan.zip")
    assert "„Maßnahmen.csv“ in „plan.zip“ ist verschlüsselt (mit Kennwort geschützt)." in message


@pytest.mark.parametrize("name", ["../Maßnahmen.csv", "/etc/Maßnahmen.csv", "C:\\x\\a.csv"])
def test_member_names_outside_the_archive_are_refused(coordinator_client, plan, name):
    members = csv_zip(plan)
    members[name] = members.pop("Maßnahmen.csv")
    message = refused(coordinator_client, plan, make_zip(members), "plan.zip")
    assert f"„{name}“ in „plan.zip“: Dieser Dateiname zeigt aus dem Archiv heraus." in message


def test_too_many_members_are_refused(coordinator_client, plan):
    content = make_zip({f"leer-{n}.txt": b"" for n in range(101)})
    message = refused(coordinator_client, plan, content, "plan.zip")
    assert "„plan.zip“ enthält 101 Dateien; höchstens 100 sind erlaubt." in message


def test_damaged_archive_is_refused(coordinator_client, plan):
    content = wb.plan_workbook_csv_zip(plan)
    message = refused(coordinator_client, plan, content[: len(content) // 2], "plan.zip")
    assert "„plan.zip“ ist eine beschädigte ZIP- oder XLSX-Datei." in message


def test_overlong_csv_line_is_refused(coordinator_client, plan):
    content = zip_stream("Maßnahmen.csv", b"x" * 65536, 2 * MB)
    message = refused(coordinator_client, plan, content, "plan.zip")
    assert "„Maßnahmen.csv“ in „plan.zip“: Zeile 1 ist länger als 1.048.544 Byte." in message


def test_overlong_cell_is_refused_with_its_place(coordinator_client, plan):
    members = csv_zip(plan)
    text = members["Maßnahmen.csv"].decode("utf-8-sig").split("\r\n")
    text[1] = text[1].replace("leipzig", "leipzig " + "x" * 40_000, 1)
    members["Maßnahmen.csv"] = "\r\n".join(text).encode()
    message = refused(coordinator_client, plan, make_zip(members), "plan.zip")
    assert "Blatt „Maßnahmen“, Zeile 2, Spalte „Nr. 2“: Die Zelle enthält mehr als" in message


def test_csv_row_with_too_many_columns_is_refused_with_its_place(coordinator_client, plan):
    members = csv_zip(plan)
    members["Maßnahmen.csv"] += b"1;leipzig" + b";x" * 150 + b"\r\n"
    rows = members["Maßnahmen.csv"].count(b"\n")
    message = refused(coordinator_client, plan, make_zip(members), "plan.zip")
    assert f"Blatt „Maßnahmen“, Zeile {rows}: Die Zeile hat mehr als 100 Spalten." in message


def test_unclosed_quote_is_refused_with_its_row(coordinator_client, plan):
    members = csv_zip(plan)
    members["Maßnahmen.csv"] += b'1;"' + b"x" * 200_000
    message = refused(coordinator_client, plan, make_zip(members), "plan.zip")
    assert "Blatt „Maßnahmen“, Zeile" in message
    assert "Die Zelle enthält mehr als 32.767 Zeichen." in message


def test_windows_1252_is_read_with_a_notice(coordinator_client, plan):
    members = csv_zip(plan)
    members["Maßnahmen.csv"] = members["Maßnahmen.csv"].decode("utf-8-sig").encode("cp1252")
    result = previewed(coordinator_client, plan, make_zip(members), "plan.zip")
    assert "„Maßnahmen.csv“ wurde als Windows-1252 gelesen." in result.notices
    assert not result.changes


def test_utf16_is_refused(coordinator_client, plan):
    members = csv_zip(plan)
    members["Maßnahmen.csv"] = members["Maßnahmen.csv"].decode("utf-8-sig").encode("utf-16")
    message = refused(coordinator_client, plan, make_zip(members), "plan.zip")
    assert "„Maßnahmen.csv“ ist keine Textdatei in UTF-8 oder Windows-1252" in message


def test_neither_utf8_nor_windows_1252_is_refused(coordinator_client, plan):
    members = csv_zip(plan)
    members["Maßnahmen.csv"] += b"\x81\x8d\x8f\x90\x9d\r\n"
    message = refused(coordinator_client, plan, make_zip(members), "plan.zip")
    assert "„Maßnahmen.csv“ ist weder UTF-8- noch Windows-1252-Text." in message


def test_formula_text_in_csv_stays_text(coordinator_client, plan):
    """CSV has no formulas: ``=…`` is text, shown in the preview, never evaluated."""
    members = csv_zip(plan)
    text = members["Maßnahmen.csv"].decode("utf-8-sig").split("\r\n")
    header = text[0].split(";")
    cells = text[1].split(";")
    cells[header.index("Titel")] = '"=HYPERLINK(""http://example.org"";""x"")"'
    text[1] = ";".join(cells)
    members["Maßnahmen.csv"] = "\r\n".join(text).encode()
    result = previewed(coordinator_client, plan, make_zip(members), "plan.zip")
    (change,) = result.changes
    assert [d[0] for d in change.diffs] == ["Titel"]
    assert change.diffs[0][2] == '=HYPERLINK("http://example.org";"x")'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1e400", "„1e400“ ist zu groß."),
        ("1000000000000", "„1000000000000“ ist zu groß."),
        ("NaN", "„NaN“ ist keine Zahl."),
    ],
)
def test_amounts_out_of_range_are_refused(coordinator_client, plan, value, expected):
    members = csv_zip(plan)
    text = members["Budget.csv"].decode("utf-8-sig").split("\r\n")
    header = text[0].split(";")
    cells = text[1].split(";")
    cells[header.index("geplant (EUR)")] = value
    text[1] = ";".join(cells)
    members["Budget.csv"] = "\r\n".join(text).encode()
    message = refused(coordinator_client, plan, make_zip(members), "plan.zip")
    assert f"Blatt „Budget“, Zeile 2, Spalte „geplant (EUR)“: {expected}" in message


# --- XLSX ----------------------------------------------------------------------------------

EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
    b'uniqueCount="1"><si><t>&e;</t></si></sst>'
)


def body(xml: bytes) -> bytes:
    """The XML without its declaration (a DOCTYPE goes after it)."""
    return xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml


def test_xlsx_with_external_entity_is_refused(coordinator_client, plan):
    members = xlsx(plan)
    members["xl/sharedStrings.xml"] = EXTERNAL_ENTITY
    message = refused(coordinator_client, plan, make_zip(members), "plan.xlsx")
    assert (
        "„xl/sharedStrings.xml“ in „plan.xlsx“ deklariert einen DOCTYPE oder Entitäten." in message
    )


def test_xlsx_billion_laughs_in_a_sheet_is_refused(coordinator_client, plan):
    members = xlsx(plan)
    path = sheet_path(members, "Maßnahmen")
    members[path] = LAUGHS + body(members[path]).replace(
        b"<sheetData>", b"<sheetData><row r='99'><c t='inlineStr'><is><t>&lol9;</t></is></c></row>"
    )
    message = refused(coordinator_client, plan, make_zip(members), "plan.xlsx")
    assert f"„{path}“ in „plan.xlsx“ deklariert einen DOCTYPE oder Entitäten." in message


def test_openpyxl_alone_refuses_entities_too(plan):
    """Behind the scan, openpyxl parses with defusedxml: its refusal is a message as well."""
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML
    members = xlsx(plan)
    path = sheet_path(members, "Maßnahmen")
    members[path] = LAUGHS + body(members[path]).replace(
        b"<sheetData>", b"<sheetData><row r='99'><c t='inlineStr'><is><t>&lol9;</t></is></c></row>"
    )
    with pytest.raises(PlanImportError) as excinfo:
        wb._read_xlsx(make_zip(members), "plan.xlsx")
    (problem,) = excinfo.value.problems
    assert "„plan.xlsx“ deklariert XML-Entitäten oder einen DOCTYPE." in str(problem)


def test_xlsx_dimension_claiming_a_million_rows_is_ignored(coordinator_client, plan):
    members = xlsx(plan)
    path = sheet_path(members, "Maßnahmen")
    xml = members[path].decode()
    start = xml.index("<dimension ref=")
    end = xml.index("/>", start)
    members[path] = (xml[:start] + '<dimension ref="A1:XFD1048576"' + xml[end:]).encode()
    result = previewed(coordinator_client, plan, make_zip(members), "plan.xlsx")
    assert not result.changes


def test_xlsx_row_number_beyond_the_cap_is_refused(coordinator_client, plan):
    members = xlsx(plan)
    path = sheet_path(members, "Maßnahmen")
    members[path] = members[path].replace(
        b"</sheetData>", b'<row r="1000000"><c r="A1000000"><v>1</v></c></row></sheetData>'
    )
    message = refused(coordinator_client, plan, make_zip(members), "plan.xlsx")
    assert f"„{path}“ in „plan.xlsx“ hat mehr als 100.000 Zeilen" in message


def test_xlsx_with_100000_columns_is_refused(coordinator_client, plan):
    members = xlsx(plan)
    path = sheet_path(members, "Maßnahmen")
    wide = b'<row r="999">' + b"<c><v>1</v></c>" * 100_000 + b"</row></sheetData>"
    members[path] = members[path].replace(b"</sheetData>", wide)
    message = refused(coordinator_client, plan, make_zip(members), "plan.xlsx")
    assert f"„{path}“ in „plan.xlsx“, Zeile 999: mehr als 100 Spalten." in message


def test_xlsx_nested_too_deep_is_refused(coordinator_client, plan):
    members = xlsx(plan)
    path = sheet_path(members, "Maßnahmen")
    deep = b"<x>" * 40 + b"</x>" * 40
    members[path] = members[path].replace(b"</sheetData>", b"</sheetData>" + deep)
    message = refused(coordinator_client, plan, make_zip(members), "plan.xlsx")
    assert f"„{path}“ in „plan.xlsx“ ist mehr als 32 Ebenen tief verschachtelt." in message


def test_xlsx_not_well_formed_is_refused_with_line_and_column(coordinator_client, plan):
    members = xlsx(plan)
    path = sheet_path(members, "Maßnahmen")
    members[path] = members[path].replace(b"</sheetData>", b"<row></sheetData>")
    message = refused(coordinator_client, plan, make_zip(members), "plan.xlsx")
    assert f"„{path}“ in „plan.xlsx“ ist kein wohlgeformtes XML (Zeile" in message


def test_xlsx_formula_cell_is_refused(coordinator_client, plan):
    members = xlsx(plan)
    path = sheet_path(members, "Budget")
    members[path] = members[path].replace(
        b"</sheetData>", b'<row r="99"><c r="A99"><f>SUM(1,2)</f><v>3</v></c></row></sheetData>'
    )
    message = refused(coordinator_client, plan, make_zip(members), "plan.xlsx")
    assert "Blatt „Budget“, Zeile 99: Zelle A99 enthält eine Formel (=SUM(1,2))." in message


@pytest.mark.parametrize(
    ("xml", "expected"),
    [
        (b'<c r="D2"><v>1e400</v></c>', "„inf“ ist keine ganze Zahl."),
        (b'<c r="D2"><v>1e20</v></c>', "„100000000000000000000“ ist zu groß."),
    ],
)
def test_xlsx_numbers_out_of_range_are_refused(coordinator_client, plan, xml, expected):
    """Column D of „Maßnahmen“ is the position: a whole number within the database's range."""
    members = xlsx(plan)
    path = sheet_path(members, "Maßnahmen")
    body = members[path].decode()
    start = body.index('<c r="D2"')
    end = body.index("</c>", start) + len("</c>")
    members[path] = (body[:start] + xml.decode() + body[end:]).encode()
    message = refused(coordinator_client, plan, make_zip(members), "plan.xlsx")
    assert f"Blatt „Maßnahmen“, Zeile 2, Spalte „Position“: {expected}" in message


def test_xlsx_cell_text_beyond_the_cap_is_refused(coordinator_client, plan):
    members = xlsx(plan)
    path = sheet_path(members, "Maßnahmen")
    long_cell = b'<row r="99"><c r="A99" t="inlineStr"><is><t>' + b"x" * 40_000
    members[path] = members[path].replace(
        b"</sheetData>", long_cell + b"</t></is></c></row></sheetData>"
    )
    message = refused(coordinator_client, plan, make_zip(members), "plan.xlsx")
    assert f"„{path}“ in „plan.xlsx“, Zeile 99: Eine Zelle enthält mehr als 32.767 Zeichen." in (
        message
    )


# --- the inline/worker choice -------------------------------------------------------------


def test_scan_counts_rows_without_parsing(plan):
    """The cheap pass counts data rows: exactly for XLSX (``<row>`` elements), at most a few
    more for CSV (it counts line breaks, also those inside quoted cells); the view hands a file
    above the inline limit to the worker on that count alone."""
    content = wb.plan_workbook_xlsx(plan)
    sheets, _notices = wb.read_workbook(content, "plan.xlsx")
    assert wb.workbook_scan(content, "plan.xlsx").rows == sum(len(s.rows) for s in sheets.values())
    zipped = wb.plan_workbook_csv_zip(plan)
    sheets, _notices = wb.read_workbook(zipped, "plan.zip")
    parsed = sum(len(s.rows) for s in sheets.values())
    # line breaks inside quoted cells count too: the demo's introduction has its paragraphs
    # in German and in English
    assert parsed <= wb.workbook_scan(zipped, "plan.zip").rows <= parsed + 15


def test_caps_follow_the_settings(plan, settings):
    settings.PLANWERK_IMPORT_MAX_ROWS = 10
    with pytest.raises(limits.InputRefused) as excinfo:
        limits.scan_workbook(wb.plan_workbook_csv_zip(plan), "plan.zip")
    assert "hat mehr als 10 Zeilen" in str(excinfo.value)


# --- the admin's row imports (XLSX and CSV through django-import-export) -------------------


def admin_upload(client, content: bytes, name: str, title: str):
    from django.contrib import admin

    from contacts.models import Person

    formats = admin.site._registry[Person].get_import_formats()
    index = next(i for i, f in enumerate(formats) if f().get_title() == title)
    url = reverse("admin:contacts_person_import")
    data = {
        "import_file": SimpleUploadedFile(name, content),
        "format": str(index),
        "resource": "0",
    }
    before = Person.objects.count(), Person.history.count()
    response, peak = traced_post(client, url, data)
    assert response.status_code == 200
    assert (Person.objects.count(), Person.history.count()) == before
    assert peak < PEAK_BYTES, f"peak {peak / MB:.1f} MB"
    return " ".join(response.context["form"].errors.get("import_file", []))


def persons_xlsx(edit) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["ID", "Nachname", "Vorname"])
    book.active.append([None, "Rabenberg", "Ines"])
    members = zip_members(save(book))
    members["xl/worksheets/sheet1.xml"] = edit(members["xl/worksheets/sheet1.xml"])
    return make_zip(members)


def save(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_admin_xlsx_with_100000_columns_is_refused(coordinator_client):
    content = persons_xlsx(
        lambda xml: xml.replace(
            b"</sheetData>", b'<row r="3">' + b"<c><v>1</v></c>" * 100_000 + b"</row></sheetData>"
        )
    )
    message = admin_upload(coordinator_client, content, "personen.xlsx", "xlsx")
    path = "xl/worksheets/sheet1.xml"
    assert f"„{path}“ in „personen.xlsx“, Zeile 3: mehr als 100 Spalten." in message


def test_admin_xlsx_billion_laughs_is_refused(coordinator_client):
    content = persons_xlsx(lambda xml: LAUGHS + body(xml))
    message = admin_upload(coordinator_client, content, "personen.xlsx", "xlsx")
    assert "deklariert einen DOCTYPE oder Entitäten" in message


def test_admin_csv_of_newlines_is_refused(coordinator_client):
    content = b"ID,Nachname,Vorname\n" + b"\n" * 200_000
    message = admin_upload(coordinator_client, content, "personen.csv", "csv")
    assert "„personen.csv“ hat mehr als 100.000 Zeilen" in message


def test_large_file_goes_to_the_worker_on_the_count_alone(
    coordinator_client, plan, settings, monkeypatch
):
    """Above the inline limit the view parses nothing: the scan's count starts the job."""
    settings.PLANWERK_IMPORT_INLINE_MAX_ROWS = 10

    def no_parse(*args, **kwargs):
        raise AssertionError("parsed inline")

    monkeypatch.setattr(wb, "read_workbook", no_parse)
    jobs = ImportJob.objects.count()
    response, peak = upload(coordinator_client, plan, wb.plan_workbook_xlsx(plan), "plan.xlsx")
    assert response.status_code == 200
    job = response.context["job"]
    assert ImportJob.objects.count() == jobs + 1
    assert job.rows_total == wb.workbook_scan(wb.plan_workbook_xlsx(plan), "plan.xlsx").rows
    assert peak < PEAK_BYTES
