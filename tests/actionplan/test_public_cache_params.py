"""The public page caches are keyed by the path plus only the query parameters the page reads
(``public_cache.canonical_request``): ``?junk=N`` neither fills the cache nor reaches the page."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actionplan import models as ap
from tests.actionplan.public_data import build_rich_plan
from tests.shared_data import module_data

pytestmark = pytest.mark.django_db

PAGE_PREFIXES = (
    "planwerk-page:",
    "planwerk-answer:",
    "planwerk-home:",
    "planwerk-campaign-page:",
    "planwerk-directory:",
    "planwerk-feed:",
)


@pytest.fixture(scope="module")
def plan_pk(django_db_setup, django_db_blocker):
    """Built once for the module (~0.5 s), rolled back at its end (tests/shared_data.py)."""
    with module_data(django_db_blocker):
        yield build_rich_plan(slug="leipzig").pk


@pytest.fixture
def plan(plan_pk, db):
    """Read again for each test: one test's changes to the instance never reach another."""
    return ap.Plan.objects.get(pk=plan_pk)


def page_entries(cache) -> int:
    """Stored pages in the test's in-memory cache (stamps and fragments are not counted)."""
    return sum(1 for key in cache._cache if any(prefix in key for prefix in PAGE_PREFIXES))


def test_junk_parameters_add_no_cache_entries_and_never_reach_the_page(plan, private_cache):
    url = plan.get_absolute_url()
    assert page_entries(private_cache) == 0
    plain = Client().get(url)
    after_first = page_entries(private_cache)
    assert after_first >= 1

    for n in range(500):
        response = Client().get(f"{url}?junk={n}")
        assert response.status_code == 200
        assert b"junk" not in response.content
        assert response.content == plain.content
        assert response.headers["ETag"] == plain.headers["ETag"]

    assert page_entries(private_cache) == after_first
    with CaptureQueriesContext(connection) as queries:
        assert Client().get(f"{url}?junk=x").content == plain.content
    # answered from the page cache, not by the view: no query (ATOMIC_REQUESTS' savepoint
    # inside the test's transaction aside)
    assert [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]] == []


def test_junk_first_stores_one_entry_under_the_canonical_url(plan, private_cache):
    url = plan.get_absolute_url()
    for n in range(50):
        response = Client().get(f"{url}?utm_source=x&junk={n}")
        assert b"junk" not in response.content and b"utm_source" not in response.content
    assert page_entries(private_cache) == 1  # the page cache only; no per-URL answer
    # the canonical URL itself is then answered from that entry and kept by the middleware
    assert Client().get(url).content == response.content


def test_known_filters_still_give_different_pages(plan, private_cache):
    listing = reverse("actionplan:measure_list", args=[plan.slug])
    fields = list(ap.FieldOfAction.objects.filter(plan=plan).order_by("position"))
    first = Client().get(f"{listing}?field={fields[0].slug}")
    second = Client().get(f"{listing}?field={fields[1].slug}")
    assert first.headers["ETag"] != second.headers["ETag"]
    assert first.content != second.content

    junk = Client().get(f"{listing}?junk=1&field={fields[0].slug}")
    assert junk.headers["ETag"] == first.headers["ETag"] and b"junk" not in junk.content
    query = f"q=Ma%C3%9Fnahme&field={fields[0].slug}"
    ordered = Client().get(f"{listing}?{query}")
    reordered = Client().get(f"{listing}?field={fields[0].slug}&q=Ma%C3%9Fnahme")
    assert ordered.headers["ETag"] == reordered.headers["ETag"]
    assert ordered.content == reordered.content


def test_parameter_values_are_bounded(plan):
    listing = reverse("actionplan:measure_list", args=[plan.slug])
    long_text = "x" * 5000
    response = Client().get(f"{listing}?q={long_text}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "x" * 201 not in html
    again = Client().get(f"{listing}?q={long_text}y")  # differs only past the bound
    assert again.headers["ETag"] == response.headers["ETag"]


@pytest.mark.parametrize(
    "url",
    [
        lambda plan: reverse("actionplan:plan_list"),
        lambda plan: reverse("contacts:directory"),
        lambda plan: reverse("campaigns:campaign_list"),
        lambda plan: reverse("actionplan:plan_timeline", args=[plan.slug]),
        lambda plan: reverse("feeds:plan_ical", args=[plan.slug]),
    ],
    ids=["home", "directory", "campaigns", "timeline", "feed"],
)
def test_other_cached_pages_ignore_junk(plan, private_cache, url):
    from tests.campaigns.factories import CampaignFactory

    CampaignFactory(status="published")
    address = url(plan)
    plain = Client().get(address)
    entries = page_entries(private_cache)
    for n in range(20):
        response = Client().get(f"{address}?junk={n}")
        assert response.status_code == 200 and b"junk" not in response.content
        assert response.headers.get("ETag") == plain.headers.get("ETag")
    assert page_entries(private_cache) == entries


def test_members_pages_are_unaffected(plan, staff_client):
    listing = reverse("actionplan:measure_list", args=[plan.slug])
    response = staff_client.get(f"{listing}?junk=1")
    assert response.status_code == 200 and not response.has_header("ETag")
