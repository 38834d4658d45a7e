"""Filters (the public measure list's, across plans) and pagination."""

import pytest
from django.urls import reverse

from actionplan import models as ap
from tests.factories import ScheduleEntryFactory, build_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(db):
    plan = build_plan(fields=2, measures_per_field=5, steps_per_measure=1, slug="filter")
    late = ap.Measure.objects.filter(field__plan=plan).order_by("pk").last()
    ScheduleEntryFactory(measure=late, position=2, label="ab Herbst 2013")
    return plan


def ids(client, query: str) -> set[int]:
    response = client.get(reverse("api:measure-list") + "?page_size=200&" + query)
    assert response.status_code == 200, response.content
    return {m["id"] for m in response.json()["results"]}


def measures(plan):
    return list(
        ap.Measure.objects.filter(field__plan=plan).prefetch_related(
            "target_groups", "responsibilities"
        )
    )


def test_api_filter_by_plan_and_field(client, plan):
    other = build_plan(fields=1, measures_per_field=2, steps_per_measure=0, slug="andere")
    all_ids = {m.pk for m in measures(plan)}
    field = plan.fields.order_by("position").last()

    assert ids(client, f"plan={plan.pk}") == all_ids
    assert ids(client, f"plan={other.pk}").isdisjoint(all_ids)
    assert ids(client, f"field={field.pk}") == {
        m.pk for m in measures(plan) if m.field_id == field.pk
    }


@pytest.mark.parametrize("status", ap.Measure.Status.values)
def test_api_filter_by_status(client, plan, status):
    expected = {m.pk for m in measures(plan) if m.status == status}
    assert expected
    assert ids(client, f"status={status}") == expected


def test_api_filter_by_target_group_organisation_and_role(client, plan):
    items = measures(plan)
    group = items[0].target_groups.get()
    org = items[1].responsibilities.get().organisation

    assert ids(client, f"target_group={group.pk}") == {
        m.pk for m in items if group in m.target_groups.all()
    }
    by_org = {
        m.pk for m in items if any(r.organisation_id == org.pk for r in m.responsibilities.all())
    }
    assert ids(client, f"organisation={org.pk}") == by_org
    assert ids(client, f"organisation={org.pk}&role=lead") == by_org
    assert ids(client, f"organisation={org.pk}&role=support") == set()


def test_api_filter_by_year_uses_parsed_schedule_dates(client, plan):
    items = measures(plan)
    late = max(items, key=lambda m: m.pk)

    assert ids(client, "year=2011") == {m.pk for m in items}  # every one: II. Quartal 2011
    assert ids(client, "year=2013") == {late.pk}  # ab Herbst 2013
    assert ids(client, "year=2012") == set()


def test_api_filter_by_search_words(client, plan):
    target = measures(plan)[3]
    assert ids(client, f"q={target.title.split()[-1]}") == {target.pk}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=fertig", "status"),
        ("year=zwanzig", "year"),
        ("year=99999", "year"),
        ("field=0", "field"),
        ("field=1.0", "field"),
        ("page_size=-3", "page_size"),
        ("plan=abc", "plan"),
        ("target_group=-1", "target_group"),
        ("role=chef", "role"),
    ],
)
def test_api_filter_bad_values_answer_400_with_reason(client, plan, query, field):
    response = client.get(reverse("api:measure-list") + "?" + query, HTTP_ACCEPT_LANGUAGE="de")

    assert response.status_code == 400
    assert field in response.json()
    assert response.json()[field][0]  # a message, in the client's language


def test_api_filter_on_a_draft_field_reads_as_unknown(client, plan):
    draft = build_plan(fields=1, measures_per_field=1, steps_per_measure=0, status="draft")
    response = client.get(reverse("api:measure-list") + f"?field={draft.fields.get().pk}")
    unknown = client.get(reverse("api:measure-list") + "?field=987654")

    # a well-formed id matches nothing the client may not see: the same empty list
    assert response.status_code == unknown.status_code == 200
    assert response.json() == unknown.json()
    assert response.json()["count"] == 0


def test_api_campaign_filters(client):
    from tests.campaigns.factories import CampaignFactory, CampaignPartnerFactory, MarketFactory

    market = MarketFactory(name="China", iso_code="CN")
    a = CampaignFactory(start_date="2017-01-01", end_date="2019-12-31", kind="network")
    b = CampaignFactory(start_date="2021-05-01")
    a.markets.add(market)
    partner = CampaignPartnerFactory(campaign=b)

    def campaign_ids(query):
        response = client.get(reverse("api:campaign-list") + "?" + query)
        assert response.status_code == 200, response.content
        return {c["id"] for c in response.json()["results"]}

    assert campaign_ids("year=2018") == {a.pk}
    assert campaign_ids("year=2030") == {b.pk}  # open end
    assert campaign_ids("kind=network") == {a.pk}
    assert campaign_ids(f"market={market.pk}") == {a.pk}
    assert campaign_ids(f"organisation={partner.organisation_id}") == {b.pk}
    assert campaign_ids(f"organisation={a.organiser_id}") == {a.pk}


def test_api_pagination_pages_through_all_measures_once(client, plan):
    seen, url, pages = [], reverse("api:measure-list") + "?page_size=3", 0
    while url:
        data = client.get(url).json()
        assert data["count"] == 10
        assert len(data["results"]) <= 3
        seen += [m["id"] for m in data["results"]]
        url, pages = data["next"], pages + 1

    assert pages == 4
    assert sorted(seen) == sorted(m.pk for m in measures(plan))
    assert len(seen) == len(set(seen))


def test_api_pagination_limits_and_bad_pages(client, plan):
    default = client.get(reverse("api:measure-list")).json()
    huge = client.get(reverse("api:measure-list") + "?page_size=100000").json()

    assert len(default["results"]) == 10  # 50 per page by default
    assert len(huge["results"]) == 10  # capped at 200, not refused
    assert client.get(reverse("api:measure-list") + "?page=99").status_code == 404
    assert client.get(reverse("api:measure-list") + "?page=x").status_code == 404


def test_api_unknown_id_answers_404(client, plan):
    assert client.get(reverse("api:measure-detail", args=[987654])).status_code == 404
    assert client.get("/api/v1/measures/abc/").status_code == 404


@pytest.mark.parametrize(
    ("language", "message"),
    [("de", "Eine gültige Ganzzahl ist erforderlich."), ("en", "A valid integer is required.")],
)
def test_api_messages_follow_the_clients_language(client, language, message):
    response = client.get(
        reverse("api:measure-list") + "?year=zwanzig", HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.json() == {"year": [message]}
    assert response["Content-Language"] == language
    assert "Accept-Language" in response["Vary"]


def test_api_token_message_in_the_clients_language(client):
    url = reverse("api:plan-list")
    german = client.get(url, HTTP_AUTHORIZATION="Token falsch", HTTP_ACCEPT_LANGUAGE="de")
    english = client.get(url, HTTP_AUTHORIZATION="Token falsch", HTTP_ACCEPT_LANGUAGE="en")
    assert german.json() == {"detail": "Ungültiger, abgelaufener oder widerrufener Token."}
    assert english.json() == {"detail": "Invalid, expired or revoked token."}
