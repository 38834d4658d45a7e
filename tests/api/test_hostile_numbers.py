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


NOT_A_SIZE = ["1e400", "NaN", "Infinity", "-0", "0000"]
HUGE_SIZES = ["1" + "0" * 400, "1" + "0" * 5000, str(10**30), "0000000050000"]


@pytest.mark.parametrize("value", NOT_A_SIZE)
def test_hostile_page_size_answers_400_with_the_message(client, plan, make_token, value):
    _user, key = make_token()
    before = counts()
    response = client.get(reverse("api:measure-list"), {"page_size": value}, **auth(key))
    assert response.status_code == 400
    assert response.json() == {"page_size": ["Eine positive ganze Zahl ist erforderlich."]}
    assert counts() == before


@pytest.mark.parametrize("value", HUGE_SIZES)
def test_huge_page_size_is_capped_as_any_large_one(client, plan, make_token, value):
    """A positive whole number, however long: capped at the largest page (as the schema's
    "positive integer" admits it), without int() of thousands of digits."""
    _user, key = make_token()
    response = client.get(reverse("api:measure-list"), {"page_size": value}, **auth(key))
    assert response.status_code == 200
    assert len(response.json()["results"]) == 2
    padded = client.get(reverse("api:measure-list"), {"page_size": "0000000001"}, **auth(key))
    assert len(padded.json()["results"]) == 1


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
