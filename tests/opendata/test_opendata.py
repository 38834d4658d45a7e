"""Open data of a published plan: CSV files (zipped), JSON, DCAT-AP.de metadata."""

import csv
import io
import json
import zipfile

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access.models import Membership
from actionplan import models as ap
from actionplan.licences import LICENCES, DataLicence
from imports.plan_workbook import DELETE, SHEETS
from tests.actionplan.admin_support import change_form_data
from tests.actionplan.public_data import build_rich_plan
from tests.factories import UserFactory, build_plan

pytestmark = pytest.mark.django_db

# fields, findings, measures, steps, schedule entries, responsibilities, budget lines
KINDS = "Handlungsfelder Ausgangslage Maßnahmen Schritte Zeitplan Zuständigkeiten Budget".split()
# the public indicators (indicators/, imports/plan_indicators.py)
KINDS += "Indikatoren Indikatorwerte Indikatorziele Indikatorverknüpfungen".split()
URLS = ("opendata:plan_csv", "opendata:plan_json", "opendata:plan_metadata")


def _url(name, plan):
    return reverse(name, kwargs={"plan_slug": plan.slug})


def _csv_files(response) -> dict[str, list[list[str]]]:
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    files = {}
    for name in archive.namelist():
        text = archive.read(name).decode("utf-8-sig")
        files[name] = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    return files


def _column(rows: list[list[str]], label: str) -> list[str]:
    """The values of one column below the header row."""
    index = rows[0].index(label)
    return [row[index] for row in rows[1:]]


def _all_text(files) -> str:
    return "\n".join(";".join(row) for rows in files.values() for row in rows)


@pytest.fixture
def rich():
    return build_rich_plan(slug="leipzig")


# --- the CSV files ------------------------------------------------------------------------------


def test_csv_zip_has_one_file_per_kind_with_german_headers_and_the_leipzig_content(client, leipzig):
    response = client.get(_url("opendata:plan_csv", leipzig))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert 'filename="leipzig-2011-csv.zip"' in response["Content-Disposition"]
    files = _csv_files(response)
    assert set(files) == {f"{kind}.csv" for kind in KINDS}
    for title, columns in SHEETS.values():
        assert files[f"{title}.csv"][0] == [c.label for c in columns if c is not DELETE]
    measures = ap.Measure.objects.filter(field__plan=leipzig, state="published")
    titles = _column(files["Maßnahmen.csv"], "Titel")
    assert sorted(titles) == sorted(measures.values_list("title", flat=True))
    assert len(titles) == 10  # the printed plan: five fields of two measures each
    fields = _column(files["Handlungsfelder.csv"], "Titel")
    assert fields == list(
        ap.FieldOfAction.objects.filter(plan=leipzig)
        .order_by("position")
        .values_list("title", flat=True)
    )
    assert "Marketing" in fields
    steps = ap.Step.objects.filter(measure__field__plan=leipzig).count()
    assert len(files["Schritte.csv"]) - 1 == steps
    budget = ap.BudgetLine.objects.filter(measure__field__plan=leipzig).count()
    assert len(files["Budget.csv"]) - 1 == budget


def test_csv_leaves_out_draft_measures_and_their_rows(client, rich):
    draft = ap.Measure.objects.filter(field__plan=rich).order_by("pk").first()
    draft.title = "Geheimer Entwurf"
    draft.state = ap.Measure.State.DRAFT
    draft.save()
    ap.Step.objects.create(measure=draft, position=9, text="Entwurfsschritt XYZ")

    files = _csv_files(client.get(_url("opendata:plan_csv", rich)))

    text = _all_text(files)
    assert "Geheimer Entwurf" not in text
    assert "Entwurfsschritt XYZ" not in text
    assert len(files["Maßnahmen.csv"]) - 1 == 9
    measure_column = [c.label for c in SHEETS["step"][1]].index("Maßnahme")
    field_column = [c.label for c in SHEETS["step"][1]].index("Handlungsfeld")
    draft_ref = (draft.field.slug, draft.code)
    for kind in ("Schritte", "Zeitplan", "Zuständigkeiten", "Budget"):
        refs = {(row[field_column], row[measure_column]) for row in files[f"{kind}.csv"][1:]}
        assert draft_ref not in refs, kind
        assert len(refs) == 9, kind


def test_csv_names_a_person_only_with_consent(client, rich):
    files = _csv_files(client.get(_url("opendata:plan_csv", rich)))

    text = _all_text(files)
    assert "Verborgen" not in text
    assert "SECRET" not in text
    assert "secret@" not in text
    persons = {name for name in _column(files["Zuständigkeiten.csv"], "Person") if name}
    # without consent: the organisation, as the pages name him (Person.public_name)
    assert persons == {"Stadt leipzig, Amt für Wirtschaftsförderung leipzig"}


def test_csv_cells_that_a_spreadsheet_would_evaluate_are_neutralised(client, rich):
    measure = ap.Measure.objects.filter(field__plan=rich).order_by("pk").first()
    measure.title = '=HYPERLINK("http://evil.example","klick")'
    measure.save()

    files = _csv_files(client.get(_url("opendata:plan_csv", rich)))

    titles = _column(files["Maßnahmen.csv"], "Titel")
    assert "'" + measure.title in titles
    assert measure.title not in titles


# --- the JSON document --------------------------------------------------------------------------


def test_json_holds_published_content_only(client, rich):
    draft = ap.Measure.objects.filter(field__plan=rich).order_by("pk").first()
    draft.title = "Geheimer Entwurf"
    draft.state = ap.Measure.State.DRAFT
    draft.save()

    response = client.get(_url("opendata:plan_json", rich))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    document = json.loads(response.content)
    measures = [m for f in document["plan"]["fields"] for m in f["measures"]]
    assert len(measures) == 9
    assert {m["state"] for m in measures} == {"published"}
    assert "Geheimer Entwurf" not in response.content.decode()
    assert document["plan"]["slug"] == "leipzig"


def test_json_names_a_person_only_with_consent(client, rich):
    response = client.get(_url("opendata:plan_json", rich))

    body = response.content.decode()
    for secret in ("Verborgen", "verborgen", "SECRET", "secret@", "Michael"):
        assert secret not in body
    persons = json.loads(body)["persons"]
    hidden = [p for p in persons.values() if not p["public_contact"]]
    assert hidden == [
        {
            "public_name": "Stadt leipzig, Amt für Wirtschaftsförderung leipzig",
            "function": "",
            "organisation": "amt-fuer-wirtschaftsfoerderung-leipzig",
            "public_contact": False,
        }
    ]
    lead = next(p for p in persons.values() if p["public_contact"])
    assert lead["last_name"] == "Kucharski-leipzig"
    assert lead["email"] == "susanne@leipzig.example.org"


# --- who gets what ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", URLS)
def test_a_draft_plan_has_no_open_data_not_even_for_its_coordinator(client, name):
    plan = build_rich_plan(slug="entwurf", status=ap.Plan.Status.DRAFT)
    coordinator = UserFactory()
    Membership.objects.create(user=coordinator, plan=plan, role=Membership.Role.COORDINATOR)

    assert client.get(_url(name, plan)).status_code == 404
    client.force_login(coordinator)
    assert client.get(_url(name, plan)).status_code == 404


@pytest.mark.parametrize("name", URLS)
def test_unknown_plan_and_writing_methods_are_refused(client, rich, name):
    assert client.get(reverse(name, kwargs={"plan_slug": "gibt-es-nicht"})).status_code == 404
    assert client.post(_url(name, rich)).status_code == 405


def test_open_data_answers_in_english_too(client, rich):
    response = client.get("/en" + _url("opendata:plan_json", rich))
    assert response.status_code == 200
    assert json.loads(response.content)["plan"]["slug"] == "leipzig"


@pytest.mark.parametrize("name", URLS)
def test_anonymous_requests_get_an_etag_and_304(client, rich, name):
    first = client.get(_url(name, rich))
    assert first.status_code == 200
    etag = first["ETag"]
    assert "public" in first["Cache-Control"]
    assert first["Link"] == '<https://www.govdata.de/dl-de/by-2-0>; rel="license"'

    again = Client().get(_url(name, rich), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304

    rich.title = "Neuer Titel"
    rich.save()
    changed = Client().get(_url(name, rich), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


# --- DCAT-AP.de metadata ------------------------------------------------------------------------


def test_metadata_is_a_dcat_dataset_with_the_chosen_licence(client, rich):
    rich.data_licence = DataLicence.CC_BY_4_0
    rich.save()

    response = client.get(_url("opendata:plan_metadata", rich))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json; charset=utf-8"
    dataset = json.loads(response.content)
    assert dataset["@type"] == "dcat:Dataset"
    assert dataset["@context"]["dcat"] == "http://www.w3.org/ns/dcat#"
    assert dataset["@context"]["dct"] == "http://purl.org/dc/terms/"
    assert dataset["dct:title"] == "Lokaler Maßnahmenplan Leipzig – Joint Action Plan"
    assert dataset["dct:description"]
    assert dataset["dct:license"] == {"@id": "http://dcat-ap.de/def/licenses/cc-by/4.0"}
    rich.refresh_from_db()
    assert dataset["dct:modified"]["@value"] == rich.content_changed_at.isoformat()
    assert dataset["dct:publisher"]["foaf:name"] == "Stadt leipzig, Kulturamt leipzig"
    assert dataset["dcatde:licenseAttributionByText"] == "Stadt leipzig, Kulturamt leipzig"
    assert dataset["dcat:keyword"][2] == "Marketing"
    distributions = {d["dct:title"]: d for d in dataset["dcat:distribution"]}
    assert set(distributions) == {"CSV (ZIP)", "JSON"}
    csv_url = "http://testserver" + _url("opendata:plan_csv", rich)
    json_url = "http://testserver" + _url("opendata:plan_json", rich)
    assert distributions["CSV (ZIP)"]["dcat:downloadURL"] == {"@id": csv_url}
    assert distributions["CSV (ZIP)"]["dcat:accessURL"] == {"@id": csv_url}
    assert distributions["CSV (ZIP)"]["dct:format"]["@id"].endswith("/file-type/CSV")
    assert distributions["CSV (ZIP)"]["dcat:mediaType"]["@id"].endswith("/text/csv")
    assert distributions["JSON"]["dcat:downloadURL"] == {"@id": json_url}
    assert distributions["JSON"]["dcat:mediaType"]["@id"].endswith("/application/json")
    for distribution in distributions.values():
        assert distribution["dct:license"] == dataset["dct:license"]
        assert Client().get(distribution["dcat:downloadURL"]["@id"]).status_code == 200
    assert "dcatde:contributorID" not in dataset


def test_metadata_without_attribution_licence_and_with_a_contributor_id(client, rich, settings):
    settings.OPENDATA_CONTRIBUTOR_ID = "http://dcat-ap.de/def/contributors/stadtLeipzig"
    rich.data_licence = DataLicence.CC0_1_0
    rich.save()

    dataset = json.loads(client.get(_url("opendata:plan_metadata", rich)).content)

    assert dataset["dct:license"] == {"@id": "http://dcat-ap.de/def/licenses/cc-zero"}
    assert "dcatde:licenseAttributionByText" not in dataset
    assert dataset["dcatde:contributorID"] == {
        "@id": "http://dcat-ap.de/def/contributors/stadtLeipzig"
    }


def test_every_licence_has_a_dcat_uri_and_a_text():
    assert set(LICENCES) == set(DataLicence.values)
    for licence in LICENCES.values():
        assert licence.uri.startswith("http://dcat-ap.de/def/licenses/")
        assert licence.url.startswith("https://")


# --- the plan page ------------------------------------------------------------------------------


def test_plan_page_links_the_open_data_and_names_the_licence(client, rich):
    html = client.get(rich.get_absolute_url()).content.decode()

    assert '<h2 id="open-data">Offene Daten</h2>' in html
    for name in URLS:
        assert f'href="{_url(name, rich)}"' in html
    assert (
        f'<link rel="alternate" type="application/ld+json" '
        f'href="{_url("opendata:plan_metadata", rich)}"'
    ) in html
    assert (
        '<a href="https://www.govdata.de/dl-de/by-2-0" rel="license">'
        "Datenlizenz Deutschland – Namensnennung – 2.0</a>"
    ) in html


def test_a_draft_plan_page_offers_no_open_data(client):
    plan = build_rich_plan(slug="entwurf", status=ap.Plan.Status.DRAFT)
    coordinator = UserFactory()
    Membership.objects.create(user=coordinator, plan=plan, role=Membership.Role.COORDINATOR)
    client.force_login(coordinator)

    html = client.get(plan.get_absolute_url()).content.decode()

    assert "offene-daten" not in html


def test_licence_chosen_in_the_admin_shows_on_the_page(client, rich, admin_client):
    assert "Creative Commons Zero" not in client.get(rich.get_absolute_url()).content.decode()
    change_url = reverse("admin:actionplan_plan_change", args=[rich.pk])
    data = change_form_data(admin_client.get(change_url))
    assert data["data_licence"] == DataLicence.DL_DE_BY_2_0
    data["data_licence"] = DataLicence.CC0_1_0

    response = admin_client.post(change_url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    rich.refresh_from_db()
    assert rich.data_licence == DataLicence.CC0_1_0
    html = Client().get(rich.get_absolute_url()).content.decode()
    assert (
        '<a href="https://creativecommons.org/publicdomain/zero/1.0/deed.de" rel="license">'
        "Creative Commons Zero 1.0 Universell (CC0 1.0)</a>"
    ) in html
    metadata = json.loads(Client().get(_url("opendata:plan_metadata", rich)).content)
    assert metadata["dct:license"] == {"@id": "http://dcat-ap.de/def/licenses/cc-zero"}


def test_an_unknown_licence_is_refused_in_the_admin(rich, admin_client):
    change_url = reverse("admin:actionplan_plan_change", args=[rich.pk])
    data = change_form_data(admin_client.get(change_url))
    data["data_licence"] = "proprietary"

    response = admin_client.post(change_url, data)

    assert response.status_code == 200
    assert "data_licence" in response.context["adminform"].form.errors
    rich.refresh_from_db()
    assert rich.data_licence == DataLicence.DL_DE_BY_2_0


# --- query counts -------------------------------------------------------------------------------

# Cold requests (nothing cached) of a member-less anonymous client: the plan, then the
# export's fixed set of queries.
# the indicators add one query to the JSON and two to the CSV (their rows, the measures' codes);
# the JSON's council papers (the plan's and the measures', each with their consultations) and
# documents (of the plan, fields and measures) five more
QUERIES = {"opendata:plan_csv": 14, "opendata:plan_json": 23, "opendata:plan_metadata": 4}


@pytest.mark.parametrize("name", URLS)
def test_query_count_does_not_grow_with_the_plan(name, private_cache):
    small = build_plan(fields=1, measures_per_field=1, slug="klein")
    large = build_plan(fields=6, measures_per_field=8, slug="gross")
    counts = []
    for plan in (small, large):
        private_cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert Client().get(_url(name, plan)).status_code == 200
        counts.append(len(queries))
    assert counts == [QUERIES[name], QUERIES[name]]


@pytest.mark.parametrize("name", URLS)
def test_a_repeated_anonymous_request_asks_the_database_nothing(
    name, rich, django_assert_num_queries
):
    Client().get(_url(name, rich))
    with django_assert_num_queries(0):
        assert Client().get(_url(name, rich)).status_code == 200
