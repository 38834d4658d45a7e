"""Campaigns in the API: everything the campaign page shows (motto, claim, lifecycle, languages,
web addresses, partners by role, channels with reach units, events with kind, topics, methods,
results and participants, key figures), the filters of the public campaign list, and no name or
contact detail of a person who did not consent — in any answer, to anybody."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from access.models import Membership
from campaigns import models as cp
from tests.api.conftest import auth
from tests.campaigns.factories import (
    CampaignEventFactory,
    CampaignFactory,
    CampaignLinkFactory,
    CampaignPartnerFactory,
    ChannelFactory,
    EventParticipantFactory,
    KeyFigureFactory,
    MarketFactory,
)
from tests.contacts.support import SHY, build_directory
from tests.factories import OrganisationFactory, PersonFactory, TargetGroupFactory

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = datetime.datetime(2025, 6, 15, 12, tzinfo=datetime.UTC)


def detail(client, campaign, **headers) -> dict:
    response = client.get(reverse("api:campaign-detail", args=[campaign.pk]), **headers)
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def altmark():
    """The Altmark campaign as seed 003 tells it, in miniature."""
    campaign = CampaignFactory(
        title="Mehr Platz für Entfaltung",
        slug="altmark",
        region="Altmark",
        motto="Mehr Platz für Entfaltung",
        slogan="Altmark – mehr Platz für Entfaltung",
        languages="de, en",
        period_label="2023 bis 2024",
        budget_amount=120000,
        budget_currency="EUR",
        budget_note="gefördert aus Landesmitteln",
    )
    CampaignLinkFactory(
        campaign=campaign, label="Website", url="https://altmark.example/", languages="de, en"
    )
    agency = OrganisationFactory(name="Agentur Nordlicht")
    CampaignPartnerFactory(
        campaign=campaign, organisation=agency, role=cp.CampaignPartner.Role.MANUFACTORY
    )
    ChannelFactory(
        campaign=campaign, name="Flyer", reach=40000, reach_unit="Exemplare", languages="de"
    )
    event = CampaignEventFactory(
        campaign=campaign,
        title="Netzwerktreffen Osterburg",
        kind=cp.CampaignEvent.Kind.NETWORK_MEETING,
        date_label="Januar 2024",
        place="Landessportschule Sachsen-Anhalt in Osterburg",
        topics="Fachkräfte\nTourismus\n\nWohnen",
        methods="Kraftfeldanalyse\nTouchpoint-Karte\nMini-Canvas",
        results="Vier Arbeitsgruppen gegründet.",
    )
    town = OrganisationFactory(name="Hansestadt Osterburg")
    EventParticipantFactory(
        event=event,
        person=PersonFactory(first_name="Nicole", last_name="Offen", public_contact=True),
        organisation=town,
        role="Bürgermeisterin",
    )
    EventParticipantFactory(event=event, person=None, organisation=town, role="Verwaltung")
    KeyFigureFactory(
        campaign=campaign,
        name="Nutzer des Key Visuals",
        unit="Bildungsakteure",
        target=500,
        actual=600,
        date_label="2023",
        note="laut Pressemeldung",
    )
    campaign.markets.add(MarketFactory(name="Niederlande", iso_code="NL"))
    return campaign


def test_api_campaign_holds_everything_its_page_shows(client, altmark):
    data = detail(client, altmark)

    assert "website" not in data
    assert data["motto"] == "Mehr Platz für Entfaltung"
    assert data["slogan"] == "Altmark – mehr Platz für Entfaltung"
    assert data["languages"] == ["de", "en"]
    assert (data["start_date"], data["end_date"]) == ("2023-01-01", "2024-12-31")
    assert data["date_precision"] == "year"
    assert data["budget_amount"] == "120000.00" and data["budget_currency"] == "EUR"
    assert data["budget_note"] == "gefördert aus Landesmitteln"
    assert data["content_changed_at"] is not None
    assert data["url"] == "http://testserver/kampagnen/altmark/"
    assert client.get(data["url"]).status_code == 200
    assert data["links"] == [
        {
            "position": altmark.links.get().position,
            "label": "Website",
            "label_en": "",
            "url": "https://altmark.example/",
            "languages": ["de", "en"],
            "in_german": [],
        }
    ]
    assert [(p["organisation"]["name"], p["role"]) for p in data["partners"]] == [
        ("Agentur Nordlicht", "manufactory")
    ]
    [channel] = data["channels"]
    assert (channel["reach"], channel["reach_unit"], channel["languages"]) == (
        40000,
        "Exemplare",
        ["de"],
    )
    [figure] = data["key_figures"]
    assert figure["name"] == "Nutzer des Key Visuals" and figure["unit"] == "Bildungsakteure"
    assert (figure["target"], figure["actual"]) == ("500.00", "600.00")
    assert (figure["date"], figure["date_precision"], figure["date_label"]) == (
        "2023-01-01",
        "year",
        "2023",
    )
    assert figure["note"] == "laut Pressemeldung"


def test_api_campaign_event_kind_topics_methods_results_participants(client, altmark):
    [event] = detail(client, altmark)["events"]

    assert event["kind"] == "network_meeting"
    assert event["place"] == "Landessportschule Sachsen-Anhalt in Osterburg"
    assert (event["date"], event["date_precision"]) == ("2024-01-01", "month")
    assert event["topics"] == ["Fachkräfte", "Tourismus", "Wohnen"]
    assert event["methods"] == ["Kraftfeldanalyse", "Touchpoint-Karte", "Mini-Canvas"]
    assert event["results"] == "Vier Arbeitsgruppen gegründet."
    named, town_only = event["participants"]
    assert named["person"]["name"] == "Nicole Offen"
    assert named["organisation"]["name"] == "Hansestadt Osterburg"
    assert named["role"] == "Bürgermeisterin"
    assert town_only["person"] is None
    assert town_only["organisation"]["name"] == "Hansestadt Osterburg"
    # the organisation a participant represents is listed by the API: its link answers
    assert client.get(town_only["organisation"]["api_url"]).status_code == 200
    assert client.get(named["person"]["api_url"]).status_code == 200


@pytest.mark.parametrize(("language", "name"), [("de", "Niederlande"), ("en", "Netherlands")])
def test_api_market_display_name_follows_the_clients_language(client, altmark, language, name):
    [market] = detail(client, altmark, HTTP_ACCEPT_LANGUAGE=language)["markets"]
    assert (market["name"], market["iso_code"]) == ("Niederlande", "NL")
    assert market["display_name"] == name


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("start", "end", "override", "expected"),
    [
        (D(2026, 1, 1), None, "", "planned"),
        (D(2025, 1, 1), D(2025, 12, 31), "", "running"),
        (D(2023, 1, 1), D(2024, 12, 31), "", "completed"),
        (None, None, "", ""),
        (D(2023, 1, 1), D(2024, 12, 31), "running", "running"),  # the editors know better
    ],
)
def test_api_campaign_lifecycle(client, start, end, override, expected):
    campaign = CampaignFactory(start_date=start, end_date=end, lifecycle_override=override)
    data = detail(client, campaign)
    assert data["lifecycle"] == expected
    assert "lifecycle_override" not in data


@pytest.fixture
def three():
    """Three published campaigns differing in every filter of the public list."""
    group, market = TargetGroupFactory(name="Fachkräfte"), MarketFactory(name="China")
    a = CampaignFactory(
        region="Leipzig", start_date=D(2017, 1, 1), end_date=D(2019, 12, 31), kind="network"
    )
    a.target_groups.add(group)
    a.markets.add(market)
    b = CampaignFactory(region="Ruhr", start_date=D(2024, 1, 1), lifecycle_override="")
    c = CampaignFactory(region="Altmark", start_date=D(2030, 1, 1))
    CampaignFactory(region="Geheim", status=cp.Campaign.Status.DRAFT, start_date=D(2024, 1, 1))
    return {"a": a, "b": b, "c": c, "group": group, "market": market}


def campaign_ids(client, query: str) -> set[int]:
    response = client.get(reverse("api:campaign-list") + "?page_size=200&" + query)
    assert response.status_code == 200, response.json()
    return {c["id"] for c in response.json()["results"]}


@time_machine.travel(TODAY, tick=False)
def test_api_campaign_filters_of_the_public_list(client, three):
    a, b, c = three["a"], three["b"], three["c"]

    assert campaign_ids(client, "") == {a.pk, b.pk, c.pk}
    assert campaign_ids(client, "region=Ruhr") == {b.pk}
    assert campaign_ids(client, "region=Geheim") == set()  # a draft's region
    assert campaign_ids(client, f"organiser={c.organiser_id}") == {c.pk}
    assert campaign_ids(client, "lifecycle=completed") == {a.pk}
    assert campaign_ids(client, "lifecycle=running") == {b.pk}
    assert campaign_ids(client, "lifecycle=planned") == {c.pk}
    assert campaign_ids(client, f"target_group={three['group'].pk}") == {a.pk}
    assert campaign_ids(client, f"market={three['market'].pk}") == {a.pk}
    assert campaign_ids(client, "year=2018") == {a.pk}
    assert campaign_ids(client, "region=Leipzig&lifecycle=running") == set()


@time_machine.travel(TODAY, tick=False)
def test_api_campaign_lifecycle_filter_honours_the_override(client, three):
    three["c"].lifecycle_override = cp.Campaign.Lifecycle.RUNNING
    three["c"].save()
    assert campaign_ids(client, "lifecycle=running") == {three["b"].pk, three["c"].pk}
    assert campaign_ids(client, "lifecycle=planned") == set()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("lifecycle=laufend", "lifecycle"),
        ("organiser=abc", "organiser"),
        ("organiser=0", "organiser"),
        ("page_size=abc", "page_size"),
        ("region=" + "x" * 151, "region"),
    ],
)
def test_api_campaign_bad_filter_answers_400_with_the_reason(client, three, query, field):
    response = client.get(reverse("api:campaign-list") + "?" + query, HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_api_campaign_organiser_of_a_draft_only_is_unknown_to_anonymous(client, three):
    draft = cp.Campaign.objects.get(region="Geheim")
    response = client.get(reverse("api:campaign-list") + f"?organiser={draft.organiser_id}")
    unknown = client.get(reverse("api:campaign-list") + "?organiser=987654")

    # a well-formed id nobody may see matches nothing, like one nobody knows
    assert response.status_code == unknown.status_code == 200
    assert response.json() == unknown.json()
    assert response.json()["count"] == 0


def test_api_campaign_filters_appear_in_the_schema(client):
    schema = client.get(reverse("api:schema") + "?format=json").json()
    params = {p["name"]: p for p in schema["paths"]["/api/v1/campaigns/"]["get"]["parameters"]}
    assert {"region", "organiser", "lifecycle", "target_group", "market", "year"} <= set(params)
    assert params["lifecycle"]["schema"]["enum"] == ["planned", "running", "completed"]


# --- privacy: the contacts rule ----------------------------------------------------------------

SECRETS = [SHY["first_name"], SHY["last_name"], SHY["phone"], SHY["email"], "0341/999-4712"]


def crawl_api(client, **headers) -> str:
    """Every list page and every object's detail of every endpoint, as text."""
    bodies = []
    for name in ("plan", "field", "measure", "campaign", "organisation", "person"):
        url = reverse(f"api:{name}-list") + "?page_size=200"
        response = client.get(url, **headers)
        assert response.status_code == 200
        bodies.append(response.content.decode())
        for item in response.json()["results"]:
            detail = client.get(reverse(f"api:{name}-detail", args=[item["id"]]), **headers)
            assert detail.status_code == 200
            bodies.append(detail.content.decode())
    return "\n".join(bodies)


def test_api_never_names_a_person_without_consent_to_anonymous_clients(client):
    world = build_directory()
    text = crawl_api(client)

    assert [s for s in SECRETS if s in text] == []
    # the shy person is there, by function, with the office's phone
    assert "Sachbearbeiterin" in text and "0341/123-4000" in text
    # the consenting person is named with their own details
    assert "Jürgen Müller" in text and world.named.email in text


def test_api_never_names_a_person_without_consent_to_members(client, make_token):
    world = build_directory()
    campaign_member, key = make_token("kampagne")
    Membership.objects.create(
        user=campaign_member, campaign=world.campaign, role=Membership.Role.COORDINATOR
    )
    _plan_member, plan_key = make_token("plan", plan=world.plan, role=Membership.Role.COORDINATOR)

    for token in (key, plan_key):
        text = crawl_api(client, **auth(token))
        assert [s for s in SECRETS if s in text] == []
        assert "Sachbearbeiterin" in text


def test_api_campaign_contact_and_participant_without_consent(client):
    world = build_directory()
    data = detail(client, world.campaign)

    contacts = {c["role"]: c for c in data["contacts"]}
    shy, named = contacts["Rückfragen"], contacts["Pressekontakt"]
    assert shy["person"]["name"] is None and shy["person"]["salutation"] == ""
    assert shy["person"]["display_name"] == "Sachbearbeiterin"
    assert (shy["person"]["phone"], shy["fax"]) == ("0341/123-4000", "")
    assert shy["person"]["api_url"] is None
    assert named["person"]["name"] == "Dr. Jürgen Müller"
    assert named["person"]["salutation"] == "herr"
    [event] = data["events"]
    names = [p["person"]["name"] for p in event["participants"]]
    assert names == ["Dr. Jürgen Müller", None]
    assert event["participants"][1]["person"]["display_name"] == "Sachbearbeiterin"


def test_api_erased_person_is_not_named_even_if_consent_was_given(client):
    world = build_directory()
    cp.CampaignContact.objects.filter(person=world.named).update(fax="0341/123-4299")
    world.named.erased_at = timezone.now()
    world.named.public_contact = False
    world.named.phone = world.named.email = ""
    world.named.first_name, world.named.last_name = "", "—"
    world.named.save()

    text = crawl_api(client)

    assert "Jürgen" not in text and "0341/123-4299" not in text
    listed = client.get(reverse("api:person-list") + "?page_size=200").json()["results"]
    assert world.named.pk not in {p["id"] for p in listed}
