"""The OpenAPI 3 schema: generated without warnings, valid against the OpenAPI 3 meta-schema,
served at a stable URL, and describing every endpoint and filter."""

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db

PATHS = [
    "/api/v1/plans/",
    "/api/v1/plans/{id}/",
    "/api/v1/fields/",
    "/api/v1/fields/{id}/",
    "/api/v1/measures/",
    "/api/v1/measures/{id}/",
    "/api/v1/campaigns/",
    "/api/v1/campaigns/{id}/",
    "/api/v1/organisations/",
    "/api/v1/organisations/{id}/",
    "/api/v1/persons/",
    "/api/v1/persons/{id}/",
    "/api/v1/indicators/",
    "/api/v1/indicators/{id}/",
]


def test_schema_command_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    # --fail-on-warn: an unresolvable type or a broken enum name fails the test
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    assert schema["openapi"].startswith("3.")
    assert sorted(schema["paths"]) == sorted(PATHS)


def test_schema_served_at_stable_url_is_valid_openapi(client):
    response = client.get(reverse("api:schema") + "?format=json")

    assert reverse("api:schema") == "/api/v1/schema/"
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)  # raises on any violation of the OpenAPI 3 JSON schema
    assert sorted(schema["paths"]) == sorted(PATHS)
    assert "tokenAuth" in schema["components"]["securitySchemes"]
    # read-only: no operation but GET
    methods = {m for item in schema["paths"].values() for m in item if m != "parameters"}
    assert methods == {"get"}


def test_schema_describes_the_measure_filters_and_pagination(client):
    schema = client.get(reverse("api:schema") + "?format=json").json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/measures/"]["get"]["parameters"]}

    for name in ("plan", "field", "status", "target_group", "organisation", "role", "year", "q"):
        assert name in parameters, name
    assert parameters["status"]["schema"]["enum"] == [
        "planned",
        "in_progress",
        "completed",
        "postponed",
        "cancelled",
    ]
    assert parameters["year"]["schema"]["type"] == "integer"
    assert {"page", "page_size"} <= set(parameters)
    measure = schema["components"]["schemas"]["Measure"]["properties"]
    assert {"steps", "schedule", "responsibilities", "budget_lines", "target_groups"} <= set(
        measure
    )


def test_schema_validation_catches_a_broken_schema(client):
    schema = client.get(reverse("api:schema") + "?format=json").json()
    schema["paths"]["/api/v1/plans/"]["get"]["responses"] = "kaputt"
    with pytest.raises(Exception, match="kaputt|not of type|is not valid"):
        validate_schema(schema)


def test_schema_is_generated_once_per_language(client, monkeypatch):
    from drf_spectacular.generators import SchemaGenerator

    from api.views import SchemaView

    monkeypatch.setattr(SchemaView, "_schemas", {})
    calls = []
    original = SchemaGenerator.get_schema

    def counting(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counting)
    url = reverse("api:schema")
    first = client.get(url + "?format=json")
    second = client.get(url + "?format=json")
    english = client.get(url + "?format=json", HTTP_ACCEPT_LANGUAGE="en")

    assert first.json() == second.json()
    assert len(calls) == 2  # German once, English once
    assert english.status_code == 200
    assert second["Content-Disposition"] == first["Content-Disposition"]
