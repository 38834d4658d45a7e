"""HTTP behaviour of the API: ETag and 304, rate limits (429), CORS for reading, HEAD."""

import pytest
from django.urls import reverse

from access.models import Membership
from actionplan import models as ap
from tests.api.conftest import auth
from tests.factories import build_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(db):
    return build_plan(fields=1, measures_per_field=3, steps_per_measure=1, slug="http")


@pytest.mark.parametrize(
    "name", ["api:plan-list", "api:measure-list", "api:api-root", "api:schema"]
)
def test_api_etag_answers_304_when_unchanged(client, plan, name):
    url = reverse(name)
    first = client.get(url)
    etag = first["ETag"]

    again = client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert first.status_code == 200
    assert etag.startswith('"') and len(etag) > 10
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert client.get(url, HTTP_IF_NONE_MATCH='"anders"').status_code == 200


def test_api_etag_changes_with_the_content(client, plan):
    url = reverse(
        "api:measure-detail", args=[ap.Measure.objects.filter(field__plan=plan).first().pk]
    )
    etag = client.get(url)["ETag"]
    ap.Measure.objects.filter(field__plan=plan).update(title="Neuer Titel")

    response = client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert response["ETag"] != etag
    assert response.json()["title"] == "Neuer Titel"


def test_api_etag_of_a_member_differs_and_is_private(client, plan, make_token):
    measure = ap.Measure.objects.filter(field__plan=plan).first()
    ap.Measure.objects.filter(pk=measure.pk).update(state=ap.Measure.State.DRAFT)
    _user, key = make_token("lesend", plan=plan)
    url = reverse("api:measure-list")

    public = client.get(url)
    member = client.get(url, HTTP_IF_NONE_MATCH=public["ETag"], **auth(key))

    assert member.status_code == 200  # the public copy never stands in for the member's
    assert member.json()["count"] == public.json()["count"] + 1
    assert "private" in member["Cache-Control"]
    assert "public" in public["Cache-Control"]
    assert "Authorization" in public["Vary"]


def test_api_head_answers_like_get_without_body(client, plan):
    url = reverse("api:plan-list")
    get, head = client.get(url), client.head(url)
    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"] == get["ETag"]


def test_api_rate_limit_answers_429_for_anonymous_clients(client, plan, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/min", "user": "100/min"},
    }
    url = reverse("api:plan-list")
    statuses = [client.get(url).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    limited = client.get(url)
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    # another address has its own allowance
    assert client.get(url, REMOTE_ADDR="203.0.113.9").status_code == 200


def test_api_rate_limit_of_token_users_is_per_user(client, plan, settings, make_token):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/min", "user": "4/min"},
    }
    _user, key = make_token("lesend", plan=plan, role=Membership.Role.READER)
    url = reverse("api:plan-list")

    statuses = [client.get(url, **auth(key)).status_code for _ in range(5)]

    assert statuses == [200, 200, 200, 200, 429]


def test_api_rate_limit_counts_the_proxy_address_not_the_clients_claim(client, plan, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/min", "user": "100/min"},
    }
    url = reverse("api:plan-list")
    # without a configured proxy header, a forged X-Forwarded-For changes nothing
    statuses = [
        client.get(url, HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code for i in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_api_cors_allows_reading_from_any_origin(client, plan):
    response = client.get(reverse("api:plan-list"), HTTP_ORIGIN="https://daten.example.org")

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in response


def test_api_cors_preflight_offers_read_methods_only(client, plan):
    response = client.options(
        reverse("api:measure-list"),
        HTTP_ORIGIN="https://daten.example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, if-none-match",
    )

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    methods = {m.strip() for m in response["Access-Control-Allow-Methods"].split(",")}
    assert methods == {"GET", "HEAD", "OPTIONS"}
    headers = response["Access-Control-Allow-Headers"].lower()
    assert "authorization" in headers and "if-none-match" in headers


def test_api_cors_not_on_the_pages(client, plan):
    response = client.get(reverse("actionplan:plan_list"), HTTP_ORIGIN="https://daten.example.org")
    assert "Access-Control-Allow-Origin" not in response


def test_api_browsable_html_renders_for_browsers(client, plan):
    response = client.get(reverse("api:measure-list"), HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Maßnahme 1.1" in response.content.decode()
    # the page holds a CSRF token: never for a shared cache
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    assert "/static/api/code.css" in response.content.decode()
    assert "<style" not in response.content.decode()
