"""Wrong API tokens are throttled per client address (issue 19, item 1): guessing stops after
PLANWERK_API_TOKEN_FAILURE_RATE failures; a right token from elsewhere is not affected."""

import datetime

import pytest
import time_machine
from rest_framework.settings import api_settings

from api.services import api_token_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_per_minute(settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "token_failure": "3/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    api_settings.reload()
    yield
    api_settings.reload()


def _get(client, key, address="203.0.113.7"):
    return client.get("/api/v1/plans/", HTTP_AUTHORIZATION=f"Token {key}", REMOTE_ADDR=address)


def test_guessing_is_stopped_and_resumes_after_the_window(client, three_per_minute):
    _token, key = api_token_create(acting_user=UserFactory(), name="Richtig")
    with time_machine.travel(datetime.datetime(2026, 12, 6, 12, 0, tzinfo=datetime.UTC)) as now:
        statuses = [_get(client, f"falsch-{n}").status_code for n in range(3)]
        assert statuses == [401, 401, 401]
        refused = _get(client, "falsch-4")
        assert refused.status_code == 429
        assert int(refused["Retry-After"]) > 0
        assert _get(client, key).status_code == 429, "from this address, even the right one"
        assert _get(client, key, address="198.51.100.2").status_code == 200, "others go on"
        now.shift(datetime.timedelta(seconds=61))
        assert _get(client, key).status_code == 200


def test_right_tokens_are_not_counted(client, three_per_minute):
    _token, key = api_token_create(acting_user=UserFactory(), name="Richtig")
    assert {_get(client, key).status_code for _ in range(6)} == {200}
