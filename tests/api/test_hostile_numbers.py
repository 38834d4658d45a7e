"""Numbers no one means in the API's query parameters answer 400 or 404 with a message, never
500: a thousand-digit page size (``int()`` of more than 4300 digits raises ValueError), "1e400",
"NaN", "-0", 10**30 as an id or a year. The API only reads, so nothing in the database changes."""

import pytest
from django.urls import reverse

from actionplan import models as ap
from tests.api.conftest import auth
from tests.factories import build_plan

pytestmark = pytest.mark.django_db

HOSTILE = ["1e400", "NaN", "Infinity", "-0", "1" + "0" * 400, "1" + "0" * 5000, str(10**30)]


@pytest.fixture
def plan(db):
    return build_plan(fields=1, measures_per_field=2, steps_per_measure=1, slug="zahlen")


def counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (ap.Plan, ap.Measure, ap.BudgetLine))


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_page_size_answers_400_with_the_message(client, plan, make_token, value):
    _user, key = make_token()
    before = counts()
    response = client.get(reverse("api:measure-list"), {"page_size": value}, **auth(key))
    assert response.status_code == 400
    assert response.json() == {"page_size": ["Eine positive ganze Zahl ist erforderlich."]}
    assert counts() == before


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("name", ["page", "year", "plan", "field", "organisation"])
def test_hostile_numbers_in_parameters_answer_400_or_404(client, plan, make_token, value, name):
    _user, key = make_token()
    before = counts()
    response = client.get(reverse("api:measure-list"), {name: value}, **auth(key))
    assert response.status_code in (400, 404), response.content[:200]
    body = response.json()
    assert body.get(name) or body.get("detail"), body
    assert counts() == before
