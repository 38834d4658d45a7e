"""Hostile JSON documents: each answers with a German message that names its place in the file
(line and column, or the document path), never a 500 or a traceback, within a memory bound,
and leaves the database unchanged.

The campaign document goes through the admin as a coordinator uploads it; the whole-plan
document through ``manage.py import_plan`` (and one case through ``import_campaigns``). The
commands write their messages in English, so their cases check the English text. Speed is not
asserted here (the scan is one linear pass; a quadratic one would show as a hung test).
"""

import json
import tracemalloc
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from access.models import Membership
from actionplan.models import BudgetLine, Measure, Plan
from campaigns.models import Campaign, Channel, KeyFigure
from contacts.models import Organisation, Person
from tests.campaigns.factories import CampaignFactory
from tests.factories import UserFactory
from tests.imports.plan_support import history_count
from tests.imports.support import stored_uploads
from tests.imports.support import upload as upload_rows

pytestmark = pytest.mark.django_db

IMPORT_URL = "admin:campaigns_campaign_document_import"
# Peak of Python allocations while one request or command handles one hostile file (each at
# most about 1 MB): parsing is refused before the document is built, so far less is needed.
MEMORY_BOUND = 48 * 1024 * 1024


def de(msgid: str, **values) -> str:
    with translation.override("de"):
        text = gettext(msgid)
    return text % values if values else text


def state() -> tuple:
    """Everything an import could change, and the history tables."""
    models = (Campaign, Channel, KeyFigure, Organisation, Person, Plan, Measure, BudgetLine)
    return tuple(model.objects.count() for model in models), history_count()


def measured(call):
    """``call()``'s result and the peak of memory Python allocated meanwhile."""
    tracemalloc.start()
    try:
        result = call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return result, peak


# --- the campaign document in the admin ---------------------------------------------------


@pytest.fixture
def coordinator(client):
    campaign = CampaignFactory(slug="flyer", title="Flyer", region="Erfurt")
    user = UserFactory(username="koordination", is_staff=True)
    Membership.objects.create(user=user, campaign=campaign, role=Membership.Role.COORDINATOR)
    client.force_login(user)
    return client


def campaign_document(**budget) -> dict:
    item = {"slug": "flyer", "title": "Flyer 2026", "region": "Erfurt"}
    if budget:
        item["budget"] = budget
    return {"format": "planwerk-campaigns", "version": 1, "campaigns": [item]}


def encoded(document) -> bytes:
    return document if isinstance(document, bytes) else json.dumps(document).encode()


def upload(client, content: bytes):
    file = SimpleUploadedFile("kampagnen.json", content, content_type="application/json")
    with translation.override("de"):
        return client.post(reverse(IMPORT_URL), {"import_file": file}, HTTP_ACCEPT_LANGUAGE="de")


def problems_of(response) -> list[str]:
    assert response.status_code == 200
    assert "result" not in response.context, "the hostile file was previewed as importable"
    return [
        f"{p.column}: {p.message}" if p.column else p.message for p in response.context["problems"]
    ]


def deep(opening: bytes, levels: int = 100_000) -> bytes:
    return opening * levels


PLACED = "Line %(line)s, column %(column)s: %(problem)s"


def placed(line: int, column: int, msgid: str, **values) -> str:
    return de(PLACED, line=line, column=column, problem=de(msgid, **values))


CAMPAIGN_CASES = {
    "lists nested 100,000 deep": (
        deep(b"["),
        placed(1, 33, "lists and objects are nested deeper than %(limit)s levels.", limit=32),
    ),
    "objects nested 100,000 deep": (
        deep(b'{"a":'),
        placed(1, 161, "lists and objects are nested deeper than %(limit)s levels.", limit=32),
    ),
    "a list of 200,001 values": (
        b"[" + b"0," * 200_000 + b"0]",
        placed(1, 400_000, "the document holds more than %(limit)s values.", limit=200_000),
    ),
    "a text of 100,001 characters": (
        b'{"campaigns": [\n {"title": "' + b"x" * 100_001 + b'"}]}',
        placed(2, 12, "a text is longer than %(limit)s characters.", limit=100_000),
    ),
    "the literal 1e400": (
        b'{"campaigns": [{"budget": {"amount": 1e400}}]}',
        placed(1, 38, "the number “%(value)s” is too large.", value="1e400"),
    ),
    "a literal of 5,000 digits": (
        b'{"campaigns": [{"budget": {"amount": 1' + b"0" * 5000 + b"}}]}",
        placed(1, 38, "a number longer than %(limit)s characters.", limit=40),
    ),
    "the literal NaN": (
        b'{"campaigns": [{"budget": {"amount": NaN}}]}',
        placed(1, 38, "“%(value)s” is not a number.", value="NaN"),
    ),
    "the literal -Infinity": (
        b'{"campaigns": [{"reach": -Infinity}]}',
        placed(1, 26, "“%(value)s” is not a number.", value="-Infinity"),
    ),
    "Latin-1 bytes": (
        '{"campaigns": [\n{"title": "Für Jüngere"}]}'.encode("latin-1"),
        de(
            "The file is not UTF-8 text (line %(line)s, column %(column)s). "
            "Please save it as UTF-8 JSON.",
            line=2,
            column=13,
        ),
    ),
    "an unterminated text of 40,000 escaped quotes": (
        b'["' + b'\\"' * 40_000,
        de(
            "The file is not a JSON document (line %(line)s, column %(column)s: %(error)s).",
            line=1,
            column=2,
            error="Unterminated string starting at",
        ),
    ),
    "an empty file": (b" \n ", de("The file is empty.")),
    "the amount 1e400 as text": (
        campaign_document(amount="1e400"),
        "campaigns[0].budget.amount: "
        + de(
            "“%(value)s” does not fit: at most %(whole)s digits before the decimal point "
            "and %(places)s after it.",
            value="1e400",
            whole=12,
            places=2,
        ),
    ),
    "the amount 10**30 as a number": (
        campaign_document(amount=10**30),
        "campaigns[0].budget.amount: "
        + de(
            "“%(value)s” does not fit: at most %(whole)s digits before the decimal point "
            "and %(places)s after it.",
            value=str(10**30),
            whole=12,
            places=2,
        ),
    ),
    "the amount NaN as text": (
        campaign_document(amount="NaN"),
        "campaigns[0].budget.amount: " + de("not a number: %(value)r", value="NaN"),
    ),
    "the amount Infinity as text": (
        campaign_document(amount="Infinity"),
        "campaigns[0].budget.amount: " + de("not a number: %(value)r", value="Infinity"),
    ),
    "the amount 1 and 400 zeros as text": (
        campaign_document(amount="1" + "0" * 400),
        "campaigns[0].budget.amount: " + de("not a number: %(value)r", value="1" + "0" * 400)[:40],
    ),
    "a reach of 10**30": (
        {
            **campaign_document(),
            "campaigns": [
                {
                    **campaign_document()["campaigns"][0],
                    "channels": [{"name": "Flyer", "reach": 10**30}],
                }
            ],
        },
        "campaigns[0].channels[0].reach: "
        + de("%(value)s is too large: at most %(limit)s.", value=10**30, limit=2**31 - 1),
    ),
}


@pytest.mark.parametrize("case", CAMPAIGN_CASES)
def test_hostile_campaign_document_is_refused_with_its_place(coordinator, case):
    content, expected = CAMPAIGN_CASES[case]
    before = state()

    response, peak = measured(lambda: upload(coordinator, encoded(content)))

    problems = problems_of(response)
    assert any(problem.startswith(expected) for problem in problems), problems
    assert expected.split(":")[0] in response.content.decode()
    assert peak < MEMORY_BOUND, f"{peak / 2**20:.1f} MB"
    assert state() == before
    assert stored_uploads() == []


@pytest.mark.parametrize(
    "content",
    [
        json.dumps(campaign_document(amount="500")).encode("utf-8-sig"),
        json.dumps(campaign_document(amount="500")).encode("utf-16"),
        json.dumps(campaign_document(amount="-0")).encode(),
    ],
    ids=["UTF-8 with BOM", "UTF-16 with BOM", "the amount -0"],
)
def test_other_encodings_and_minus_zero_are_read(coordinator, content):
    before = state()
    response = upload(coordinator, content)
    assert response.status_code == 200
    assert "problems" not in response.context, response.context.get("problems")
    assert response.context["result"].changes  # the title changes
    assert "Flyer 2026" in response.content.decode()
    assert state() == before  # a preview


# --- the whole-plan document through manage.py import_plan --------------------------------


def plan_document(**budget) -> dict:
    line = {"category": "Sachkosten", "planned_amount": "1500.00", **budget}
    measure = {"position": 1, "title": "Beratung", "budget": [line]}
    field = {"position": 1, "title": "Bildung", "measures": [measure]}
    plan = {"slug": "plan", "title": "Plan", "region": "Erfurt", "fields": [field]}
    return {"format": "planwerk.plan/1", "plan": plan}


def run_import_plan(tmp_path, content: bytes) -> str:
    """The command's refusal (the file's name left out); asserts memory and database."""
    path = tmp_path / "plan.json"
    path.write_bytes(content)
    before = state()
    tracemalloc.start()
    try:
        with pytest.raises(CommandError) as raised:
            call_command("import_plan", str(path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < MEMORY_BOUND, f"{peak / 2**20:.1f} MB"
    assert state() == before
    return str(raised.value).replace(f"{path}: ", "").replace(str(path), "FILE")


def test_the_plan_document_of_these_tests_imports(tmp_path, capsys):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan_document()))
    call_command("import_plan", str(path))
    assert BudgetLine.objects.get().planned_amount == 1500


def english(msgid: str, **values) -> str:
    return msgid % values if values else msgid


def placed_en(line: int, column: int, msgid: str, **values) -> str:
    return f"Line {line}, column {column}: " + english(msgid, **values)


OUT_OF_RANGE = (
    "“%(value)s” does not fit: at most %(whole)s digits before the decimal point "
    "and %(places)s after it."
)
AMOUNT = "plan.fields[0].measures[0].budget[0].planned_amount: "


def organisations(levels: int) -> dict:
    orgs = {"o0": {"name": "Stadt"}}
    for level in range(1, levels):
        orgs[f"o{level}"] = {"name": f"Amt {level}", "parent": f"o{level - 1}"}
    return orgs


PLAN_CASES = {
    "lists nested 100,000 deep": (
        deep(b"["),
        placed_en(1, 33, "lists and objects are nested deeper than %(limit)s levels.", limit=32),
    ),
    "the literal 1e400": (
        json.dumps(plan_document(planned_amount="X")).replace('"X"', "1e400").encode(),
        "the number “1e400” is too large.",
    ),
    "the amount 1e400 as text": (
        plan_document(planned_amount="1e400"),
        AMOUNT + english(OUT_OF_RANGE, value="1e400", whole=12, places=2),
    ),
    "the amount 10**30 as a number": (
        plan_document(actual_amount=10**30),
        AMOUNT.replace("planned", "actual")
        + english(OUT_OF_RANGE, value=str(10**30), whole=12, places=2),
    ),
    "the amount NaN as text": (
        plan_document(planned_amount="NaN"),
        AMOUNT + "Enter a number such as 5,000.00.",
    ),
    "a position of 10**30": (
        {
            **plan_document(),
            "plan": {**plan_document()["plan"], "fields": [{"position": 10**30, "title": "F"}]},
        },
        "plan.fields[0].position: must be a whole number from 1 to 2147483647",
    ),
    "organisations 1,000 levels deep": (
        {**plan_document(), "organisations": organisations(1000)},
        "organisations are nested deeper than 20 levels",
    ),
    "a contact key that is a list": (
        {
            **plan_document(),
            "persons": {"p": {"last_name": "Muster"}},
            "plan": {
                **plan_document()["plan"],
                "fields": [{"position": 1, "title": "F", "contacts": [["p"], "p", "p"]}],
            },
        },
        "plan.fields[0].contacts[2]: person 'p' listed twice",
    ),
    "Latin-1 bytes": (
        '{"plan": {"title": "Für alle"}}'.encode("latin-1"),
        "The file is not UTF-8 text (line 1, column 22). Please save it as UTF-8 JSON.",
    ),
}


@pytest.mark.parametrize("case", PLAN_CASES)
def test_hostile_plan_document_is_refused_by_import_plan(tmp_path, case):
    content, expected = PLAN_CASES[case]
    message = run_import_plan(tmp_path, encoded(content))
    assert expected in message, message


def test_plan_document_larger_than_an_upload_is_refused_before_it_is_read(tmp_path, settings):
    settings.PLANWERK_UPLOAD_MAX_BYTES = 1000
    message = run_import_plan(tmp_path, json.dumps(plan_document(note="x" * 1000)).encode())
    assert message == "FILE is larger than 1000 bytes (PLANWERK_UPLOAD_MAX_MB)."


def test_import_campaigns_refuses_deep_nesting_with_its_place(tmp_path):
    path = tmp_path / "kampagnen.json"
    path.write_bytes(deep(b'{"campaigns": '))
    before = state()
    with pytest.raises(CommandError, match=r"Line 1, column 449: lists and objects are nested"):
        call_command("import_campaigns", str(path))
    assert state() == before


# --- numbers typed into the admin's amount fields ----------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "1e400",
        "NaN",
        "Infinity",
        "-Infinity",
        "1" + "0" * 400,
        str(10**30),
        "1.000.000.000.000.000",
    ],
)
@pytest.mark.parametrize(
    "model,name",
    [(Campaign, "budget_amount"), (BudgetLine, "planned_amount"), (KeyFigure, "target")],
)
def test_admin_amount_field_refuses_hostile_numbers_with_a_german_message(model, name, typed):
    field = model._meta.get_field(name).formfield()
    with translation.override("de"):
        with pytest.raises(ValidationError) as raised:
            field.clean(typed)
        message = raised.value.messages[0]
    # the language's own message, or Django's German one about the column's digits
    not_a_number = de("Enter a number such as %(example)s.", example="5.000,00")
    assert message == not_a_number or message.startswith(
        "Bitte sicherstellen, dass der Wert höchstens"
    )
    assert "Ziffern" in message or message == not_a_number


def test_admin_amount_field_reads_minus_zero_as_zero():
    field = Campaign._meta.get_field("budget_amount").formfield()
    with translation.override("de"):
        assert field.clean("-0") == 0
        assert field.clean("999.999.999.999,99") == Decimal("999999999999.99")


def test_null_texts_of_a_plan_document_are_read_as_empty(tmp_path, capsys):
    document = plan_document()
    document["persons"] = {"p": {"last_name": "Muster", "first_name": None, "phone": None}}
    document["plan"]["fields"][0]["contacts"] = ["p"]
    document["plan"]["subtitle"] = None
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document))
    call_command("import_plan", str(path))  # a NOT NULL column was a 500 (IntegrityError)
    person = Person.objects.get(last_name="Muster")
    assert (person.first_name, person.phone, Plan.objects.get().subtitle) == ("", "", "")


# --- numbers in a row import (persons as CSV) -----------------------------------------------


@pytest.mark.parametrize(
    ("typed", "msgid"),
    [
        ("9999999999999999999", "%(value)s is too large: at most %(limit)s."),
        ("1e400", "“%(value)s” is not a whole number."),
        ("NaN", "“%(value)s” is not a number."),
    ],
)
def test_hostile_id_in_a_row_import_is_a_row_error(client, typed, msgid):
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    before = state()
    response = upload_rows(client, Person, f"ID,Nachname,Vorname\n{typed},Muster,Ina\n")
    assert response.status_code == 200
    assert escape(de(msgid, value=typed, limit=2**63 - 1)) in response.content.decode()
    assert state() == before


def test_load_campaign_demo_data_refuses_a_latin1_file_with_its_place(tmp_path):
    path = tmp_path / "kampagnen.json"
    path.write_bytes('{"campaigns": [{"title": "Für"}]}'.encode("latin-1"))
    before = state()
    with pytest.raises(CommandError, match=r"Cannot read .*: The file is not UTF-8 text \(line 1"):
        call_command("load_campaign_demo_data", "--file", str(path))
    assert state() == before


# --- the row import's JSON format (persons) -------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"[" * 100_000, "tiefer als 32 Ebenen verschachtelt"),
        (b'[{"Nachname": "Muster", "ID": 1e400}]', "1e400"),
    ],
)
def test_hostile_json_in_a_row_import_is_refused_before_tablib_reads_it(client, content, expected):
    from django.contrib import admin

    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    formats = admin.site._registry[Person].get_import_formats()
    index = next(i for i, f in enumerate(formats) if f().get_title() == "json")
    before = state()
    tracemalloc.start()
    try:
        response = client.post(
            reverse("admin:contacts_person_import"),
            {
                "import_file": SimpleUploadedFile("personen.json", content),
                "format": str(index),
                "resource": "0",
            },
        )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert response.status_code == 200
    page = response.content.decode()
    assert "Zeile 1, Spalte" in page and expected in page
    assert state() == before
    assert peak < 48 * 1024 * 1024
