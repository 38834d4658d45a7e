"""A real client against the API: schemathesis generates requests from the OpenAPI schema and
sends them to Django's WSGI application in-process, with the demo data loaded. All of its
checks run on every answer: no server error, no status the schema does not document, no body
that breaks the schema, content types and headers as documented, invalid parameters rejected
and valid ones accepted.

Both kinds of cases are generated: positive (parameters as the schema allows) and negative
(parameters the schema forbids, which must answer a documented 400). Derandomized (the same
cases on every run) and bounded, so the module stays fast and deterministic.

The operations run in a loop of their own instead of ``schema.parametrize()``: schemathesis'
pytest integration of lazily loaded schemas does not run under pytest 9 yet.
"""

import io

import pytest
import schemathesis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.modes import GenerationMode

from tests.shared_data import module_data

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 15
SCHEMA_URL = "/api/v1/schema/?format=json"
# The WSGI test client hands schemathesis the body as sent; a real client unpacks gzip itself.
HEADERS = {"Accept-Encoding": "identity"}


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    with module_data(django_db_blocker):
        call_command("load_demo_data", stdout=io.StringIO())
        call_command("load_campaign_demo_data", stdout=io.StringIO())
        yield


@pytest.fixture
def api_schema(demo_data, db):
    # Django's own WSGI handler, as a server runs it; but like Django's test client, without
    # closing the database connection after each request (it holds the test's transaction).
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi(SCHEMA_URL, WSGIHandler())
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


def run_operation(operation, mode: GenerationMode) -> list[str]:
    """Every generated case of one operation; the failures as text (empty when all pass)."""
    failures: list[str] = []
    cases = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    def check(case):
        cases.append(case)
        case.call_and_validate(headers=HEADERS)

    try:
        check()
    except Exception as exc:  # the operation's (shrunk) failures; the others run on
        failures.append(f"{mode} {operation.label}: {exc}")
    assert cases, f"no case generated for {operation.label}"
    return failures


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_answers_as_its_schema_says(api_schema, mode):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    # plans, fields, measures, campaigns, organisations, persons, indicators: list and detail each
    assert len(operations) == 14

    failures = [f for operation in operations for f in run_operation(operation, mode)]

    assert not failures, "\n\n".join(failures)


def operation(schema, method: str, path: str):
    return schema[path][method]


@pytest.mark.parametrize(
    ("path", "kwargs", "headers", "status"),
    [
        ("/api/v1/measures/", {"query": {"year": "zwanzig"}}, {}, 400),
        ("/api/v1/measures/", {"query": {"page_size": "0"}}, {}, 400),
        ("/api/v1/measures/", {"query": {"page": "999"}}, {}, 404),
        ("/api/v1/measures/{id}/", {"path_parameters": {"id": 987654}}, {}, 404),
        ("/api/v1/plans/", {}, {"Authorization": "Token falsch"}, 401),
        (
            "/api/v1/plans/{id}/",
            {"path_parameters": {"id": 1}},
            {"Authorization": "Token x y"},
            401,
        ),
    ],
)
def test_each_error_is_documented_with_its_body(api_schema, path, kwargs, headers, status):
    case = operation(api_schema, "GET", path).Case(**kwargs)

    response = case.call(headers={**HEADERS, **headers})

    assert response.status_code == status
    case.validate_response(response)  # documented status, body and content type


def test_rate_limit_answer_is_documented(api_schema, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1/min", "user": "1/min"},
    }
    case = operation(api_schema, "GET", "/api/v1/plans/").Case()
    cache.clear()  # loading the schema counted

    first, second = case.call(headers=HEADERS), case.call(headers=HEADERS)

    assert (first.status_code, second.status_code) == (200, 429)
    headers = {name.lower(): values for name, values in second.headers.items()}
    assert int(headers["retry-after"][0]) > 0
    case.validate_response(second)


def test_other_addresses_below_the_api_answer_json_404(client):
    for path in ("/api/v1/plans/abc/", "/api/v1/plans/-1/", "/api/v1/nichts/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": response.json()["detail"]}
