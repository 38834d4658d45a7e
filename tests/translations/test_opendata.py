"""Open data in two languages: the JSON document holds ``title`` and ``title_en``, each CSV file
a column „… (englisch)“ right after each German text column, and the DCAT-AP.de metadata names
English as a language of the dataset where English texts exist (only published ones count).

The JSON and CSV files are written by ``actionplan.export`` (h-doc) and
``imports.plan_workbook`` (h-sheet); their tests here check the open-data side of the shared
convention (i18n contract) and are marked as expected failures until both are merged.
"""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actionplan import models as ap
from imports.plan_workbook import SHEETS
from opendata.dcat import EU
from tests.actionplan.public_data import build_rich_plan
from tests.opendata.test_dcat_shacl import shapes, violations  # noqa: F401 - the fixture
from tests.opendata.test_opendata import _csv_files, _url
from tests.translations.test_api import english_of, fill_english
from translations import registry

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
]

GERMAN = {"@id": f"{EU}/language/DEU"}
ENGLISH = {"@id": f"{EU}/language/ENG"}
SECRET = "Secret draft in English"
# the model of each row sheet of the workbook
SHEET_MODELS = {
    "field": ap.FieldOfAction,
    "finding": ap.BaselineFinding,
    "measure": ap.Measure,
    "step": ap.Step,
    "schedule": ap.ScheduleEntry,
    "responsibility": ap.Responsibility,
    "budget": ap.BudgetLine,
}


@pytest.fixture
def rich(db):
    plan = build_rich_plan(slug="zweisprachig")
    draft = ap.Measure.objects.filter(field__plan=plan).order_by("pk").first()
    draft.state = ap.Measure.State.DRAFT
    draft.save()
    return plan, draft


def in_english(rich):
    """Every text of the plan in English too, the draft measure's saying it is secret."""
    plan, draft = rich
    fill_english()
    ap.Measure.objects.filter(pk=draft.pk).update(title_en=SECRET, description_en=SECRET)
    plan.refresh_from_db()
    return plan


def metadata(plan) -> dict:
    response = Client().get(_url("opendata:plan_metadata", plan))
    assert response.status_code == 200
    return json.loads(response.content)


# --- DCAT-AP.de ---------------------------------------------------------------------------------


def test_german_only_plan_keeps_its_german_metadata(rich):
    plan, _draft = rich

    dataset = metadata(plan)

    assert dataset["dct:language"] == GERMAN
    assert dataset["dct:title"] == str(plan)
    assert all(isinstance(keyword, str) for keyword in dataset["dcat:keyword"])


def test_english_texts_add_english_language_title_and_keywords(rich, shapes):  # noqa: F811
    plan = in_english(rich)

    dataset = metadata(plan)

    assert dataset["dct:language"] == [GERMAN, ENGLISH]
    english_title = f"{plan.title_en} – {plan.subtitle_en}"
    assert dataset["dct:title"] == [
        {"@value": str(plan), "@language": "de"},
        {"@value": english_title, "@language": "en"},
    ]
    assert {"@value": plan.introduction_en, "@language": "en"} in dataset["dct:description"]
    fields = ap.FieldOfAction.objects.filter(plan=plan).order_by("position")
    assert dataset["dcat:keyword"] == [
        *(f.title for f in fields),
        *({"@value": english_of(f, "title"), "@language": "en"} for f in fields),
    ]
    csv, json_ = (d["dct:description"] for d in dataset["dcat:distribution"])
    assert "(englisch)" in csv and "title_en" in json_
    assert violations(dataset, shapes) == []


def test_one_published_english_measure_is_enough_and_a_drafts_is_not(rich, private_cache):
    plan, draft = rich
    ap.Measure.objects.filter(pk=draft.pk).update(description_en=SECRET)

    assert metadata(plan)["dct:language"] == GERMAN

    published = ap.Measure.objects.filter(field__plan=plan, state="published").last()
    ap.Measure.objects.filter(pk=published.pk).update(description_en="A description")
    private_cache.clear()  # (an edit in the admin renews the cached answer)

    dataset = metadata(plan)
    assert dataset["dct:language"] == [GERMAN, ENGLISH]
    assert dataset["dct:title"] == str(plan)  # no English title: the German one alone
    assert SECRET not in json.dumps(dataset)


def test_metadata_in_english_costs_the_same_queries(rich, private_cache):
    counts = []
    for prepare in (lambda: rich[0], lambda: in_english(rich)):
        plan = prepare()
        private_cache.clear()
        with CaptureQueriesContext(connection) as queries:
            metadata(plan)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert metadata(plan)["dct:language"] == [GERMAN, ENGLISH]


# --- JSON and CSV -------------------------------------------------------------------------------


def test_json_holds_every_published_text_in_both_languages(client, rich):
    plan = in_english(rich)

    response = client.get(_url("opendata:plan_json", plan))

    document = json.loads(response.content)["plan"]
    assert document["title"] == plan.title and document["title_en"] == plan.title_en
    assert document["subtitle_en"] == plan.subtitle_en
    measures = {}
    for field in document["fields"]:
        assert field["title_en"].startswith("EN actionplan.FieldOfAction title")
        measures.update({m["title"]: m for m in field["measures"]})
    for measure in ap.Measure.objects.filter(field__plan=plan, state="published"):
        printed = measures[measure.title]
        assert printed["title_en"] == english_of(measure, "title")
        if measure.description:
            assert printed["description_en"] == english_of(measure, "description")
        steps = [s for s in printed.get("steps", []) if isinstance(s, dict)]
        assert all(s["text_en"].startswith("EN actionplan.Step text") for s in steps)
    assert SECRET not in response.content.decode()


def test_csv_has_an_english_column_after_each_german_text_column(client, rich):
    plan = in_english(rich)

    files = _csv_files(client.get(_url("opendata:plan_csv", plan)))

    checked = 0
    for kind, model in SHEET_MODELS.items():
        title, columns = SHEETS[kind]
        header = files[f"{title}.csv"][0]
        for column in columns:
            if not registry.is_translated(model, column.attribute):
                continue
            index = header.index(column.label)
            assert header[index + 1] == f"{column.label} (englisch)", (kind, column.label)
            # every row with a German text has its English one (all were filled in)
            values = [row[index + 1] for row in files[f"{title}.csv"][1:] if row[index]]
            assert all(v.startswith(f"EN {model._meta.label} ") for v in values), column
            checked += len(values)
    assert checked > 30
    assert SECRET not in "\n".join(";".join(r) for rows in files.values() for r in rows)


def test_the_open_data_files_answer_in_both_ui_languages_alike(client, rich, private_cache):
    """The files are the same for every reader: German and English side by side, not the
    reader's language (a download link on an English page gives the same bytes)."""
    plan = in_english(rich)
    url = _url("opendata:plan_json", plan)

    german = client.get(url).content
    private_cache.clear()
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content

    assert german == english
    assert reverse("opendata:plan_json", kwargs={"plan_slug": plan.slug}) == url
