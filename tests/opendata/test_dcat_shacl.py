"""The DCAT-AP.de metadata against SHACL shapes (pyshacl): the project's own shapes, written
from SEMIC DCAT-AP 3.0 and GovData's DCAT-AP.de 2.0 (opendata/shapes/dcat-ap-de.ttl), which
the metadata claims to follow (``dct:conformsTo`` of its catalog record)."""

import copy
import json
from pathlib import Path

import pytest
from django.urls import reverse
from pyshacl import validate
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF, SH

from actionplan.licences import DataLicence
from opendata.dcat import DCATAP_VERSION, DCATDE_VERSION
from tests.factories import MeasureFactory, PlanFactory

pytestmark = [
    pytest.mark.django_db,
    # rdflib's JSON-LD parser still uses its own deprecated ConjunctiveGraph
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
]

SHAPES = Path(__file__).resolve().parents[2] / "opendata" / "shapes" / "dcat-ap-de.ttl"
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


def metadata(client, plan) -> dict:
    response = client.get(reverse("opendata:plan_metadata", kwargs={"plan_slug": plan.slug}))
    assert response.status_code == 200
    return json.loads(response.content)


def check(document: dict, shapes: Graph) -> list[tuple[str, str, str]]:
    """The validation results: (severity, focus node, message)."""
    data = Graph().parse(data=json.dumps(document), format="json-ld")
    _conforms, report, _text = validate(data, shacl_graph=shapes, inference="none")
    return sorted(
        (
            str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
            str(report.value(result, SH.focusNode)),
            str(report.value(result, SH.resultMessage)),
        )
        for result in report.subjects(RDF.type, SH.ValidationResult)
    )


def violations(document: dict, shapes: Graph) -> list[str]:
    return [message for severity, _, message in check(document, shapes) if severity == "Violation"]


def test_the_demo_plan_meets_the_shapes(client, leipzig, shapes):
    document = metadata(client, leipzig)

    results = check(document, shapes)

    # the only remark: no contributor ID is configured (needed for direct delivery to GovData)
    assert [(severity, message.split(" (")[0]) for severity, _, message in results] == [
        (
            "Warning",
            "dcat:Dataset: ohne dcatde:contributorID kann GovData den Datensatz nicht "
            "direkt übernehmen",
        )
    ]


def test_with_a_contributor_id_nothing_is_left(client, leipzig, shapes, settings):
    settings.OPENDATA_CONTRIBUTOR_ID = "http://dcat-ap.de/def/contributors/stadtLeipzig"

    assert check(metadata(client, leipzig), shapes) == []


def test_a_plan_without_publisher_or_contact_still_meets_them(client, shapes, settings):
    settings.OPENDATA_CONTRIBUTOR_ID = "http://dcat-ap.de/def/contributors/stadtLeipzig"
    plan = PlanFactory(author_organisation=None, introduction="", region="Halle (Saale)")
    MeasureFactory(field__plan=plan)
    plan.data_licence = DataLicence.CC_BY_4_0
    plan.save()

    document = metadata(client, plan)

    assert check(document, shapes) == []
    assert document["dct:publisher"]["foaf:name"] == "Halle (Saale)"


def test_the_metadata_is_listed_in_a_catalog_and_declares_its_profiles(client, leipzig):
    data = Graph().parse(data=json.dumps(metadata(client, leipzig)), format="json-ld")
    dataset = next(data.subjects(RDF.type, DCAT.Dataset))
    catalog = next(data.subjects(RDF.type, DCAT.Catalog))
    record = next(data.subjects(RDF.type, DCAT.CatalogRecord))
    publisher = data.value(dataset, DCT.publisher)

    assert (catalog, DCAT.dataset, dataset) in data
    assert (record, FOAF.primaryTopic, dataset) in data
    assert set(data.objects(record, DCT.conformsTo)) == {
        URIRef(DCATAP_VERSION),
        URIRef(DCATDE_VERSION),
    }
    assert (publisher, RDF.type, FOAF.Agent) in data
    assert data.value(catalog, DCT.publisher) == publisher


def test_the_shapes_catch_what_the_profile_forbids(client, leipzig, shapes):
    good = metadata(client, leipzig)

    organisation_only = copy.deepcopy(good)  # the old output: publisher not typed foaf:Agent
    organisation_only["dct:publisher"]["@type"] = "foaf:Organization"
    organisation_only["@reverse"]["dcat:dataset"]["dct:publisher"]["@type"] = "foaf:Organization"
    assert any("foaf:Agent" in m for m in violations(organisation_only, shapes))

    no_attribution = copy.deepcopy(good)  # Datenlizenz Deutschland – Namensnennung
    del no_attribution["dcat:distribution"][0]["dcatde:licenseAttributionByText"]
    assert any("Konvention 35" in m for m in violations(no_attribution, shapes))

    no_profile = copy.deepcopy(good)
    no_profile["@reverse"]["foaf:primaryTopic"]["dct:conformsTo"] = []
    assert len([m for m in violations(no_profile, shapes) if "conformsTo" in m]) == 2

    no_access = copy.deepcopy(good)
    del no_access["dcat:distribution"][1]["dcat:accessURL"]
    no_access["dcat:distribution"][1]["dct:format"] = {"@id": "http://example.org/json"}
    messages = violations(no_access, shapes)
    assert any("dcat:accessURL" in m for m in messages)
    assert any("file-type" in m for m in messages)

    no_title = copy.deepcopy(good)
    del no_title["dct:title"]
    assert any("dcat:Dataset: dct:title" in m for m in violations(no_title, shapes))
