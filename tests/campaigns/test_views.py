"""Public campaign pages: list and filters, the campaign page, draft rules, the links both ways
with plan measures, the sitemap, caching and query budgets."""

import datetime
import re
from html import unescape

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from access.models import Membership
from actionplan import models as ap
from campaigns.models import Campaign
from tests.campaigns.factories import (
    CampaignEventFactory,
    CampaignFactory,
    ChannelFactory,
    MarketFactory,
    build_full_campaign,
)
from tests.factories import (
    MeasureFactory,
    OrganisationFactory,
    PlanFactory,
    TargetGroupFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST = "/kampagnen/"


def _text(response) -> str:
    """The visible text of the page's main element, whitespace collapsed."""
    html = response.content.decode()
    main = html.split('<main id="main"', 1)[1].split(">", 1)[1].split("</main>", 1)[0]
    main = re.sub(r"<(script|style|title|desc)[^>]*>.*?</\1>", " ", main, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", main)).split())


def _titles(response) -> list[str]:
    return re.findall(
        r'class="card__title"><a href="[^"]+" lang="de">([^<]+)</a>', response.content.decode()
    )


# --- list and filters ------------------------------------------------------------------------


@pytest.fixture
def campaigns():
    today = datetime.date(2026, 12, 2)
    ruhr = CampaignFactory(
        title="Stadt der Städte",
        region="Metropole Ruhr",
        organiser=OrganisationFactory(name="Regionalverband Ruhr"),
        period_label="2017 bis 2019",
    )
    ruhr.markets.add(MarketFactory(name="China", iso_code="CN"))
    ruhr.target_groups.add(TargetGroupFactory(name="Investoren"))
    altmark = CampaignFactory(
        title="Altmark", region="Altmark", period_label="Standortmarketing-Kampagne 2026"
    )
    altmark.target_groups.add(TargetGroupFactory(name="Rückkehrer"))
    leipzig = CampaignFactory(title="Leipzig liebt Regionales", region="Leipzig")
    later = CampaignFactory(title="Zukunft", region="Leipzig", period_label="2030")
    draft = CampaignFactory(
        title="Geheimer Entwurf", region="Geheimstadt", status=Campaign.Status.DRAFT
    )
    return {
        "today": today,
        "ruhr": ruhr,
        "altmark": altmark,
        "leipzig": leipzig,
        "later": later,
        "draft": draft,
    }


@time_machine.travel(datetime.datetime(2026, 12, 2, 12, tzinfo=datetime.UTC))
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Altmark", "Leipzig liebt Regionales", "Stadt der Städte", "Zukunft"]),
        ("region=Leipzig", ["Leipzig liebt Regionales", "Zukunft"]),
        ("status=completed", ["Stadt der Städte"]),
        ("status=running", ["Altmark"]),
        ("status=planned", ["Zukunft"]),
        ("year=2018", ["Stadt der Städte"]),
        ("year=2026", ["Altmark"]),
        ("region=Altmark&status=completed", []),
    ],
)
def test_list_filters(client, campaigns, query, expected):
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200
    assert _titles(response) == expected
    assert "Geheimer Entwurf" not in response.content.decode()


def test_list_filters_by_organiser_target_group_and_market(client, campaigns):
    ruhr = campaigns["ruhr"]
    for query in (
        f"organiser={ruhr.organiser_id}",
        f"target_group={ruhr.target_groups.get().pk}",
        f"market={ruhr.markets.get().pk}",
    ):
        assert _titles(client.get(f"{LIST}?{query}")) == ["Stadt der Städte"], query


def test_list_filter_options_name_markets_in_the_ui_language(client, campaigns):
    assert ">China</option>" in client.get(LIST).content.decode()
    MarketFactory(name="Großbritannien", iso_code="GB").campaigns.add(campaigns["ruhr"])
    german = client.get(LIST).content.decode()
    english = client.get("/en" + LIST).content.decode()
    assert ">Großbritannien</option>" in german
    assert ">United Kingdom</option>" in english and "Großbritannien" not in english


def test_list_bad_filter_values_are_reported_not_fatal(client, campaigns):
    response = client.get(f"{LIST}?year=abc&market=999999&status=vorbei&organiser=x")
    assert response.status_code == 200
    text = _text(response)
    assert "Einige Filterwerte waren ungültig und wurden nicht berücksichtigt" in text
    assert "Jahr: Bitte eine gültige Auswahl treffen. abc ist keine gültige Auswahl." in text
    assert len(_titles(response)) == 4


def test_list_offers_only_values_of_visible_campaigns(client, campaigns):
    secret = TargetGroupFactory(name="Nur im Entwurf")
    campaigns["draft"].target_groups.add(secret)
    html = client.get(LIST).content.decode()
    assert "Nur im Entwurf" not in html
    assert campaigns["draft"].region not in re.findall(r"<option[^>]*>([^<]+)<", html)


def test_list_empty_result_says_so(client, campaigns):
    response = client.get(f"{LIST}?region=Altmark&status=completed")
    assert "Keine Kampagne passt zu diesen Filtern" in _text(response)


# --- the campaign page -----------------------------------------------------------------------


def test_campaign_page_shows_every_part(client):
    campaign = build_full_campaign(size=2, title="Stadt der Städte", budget_amount=10_000_000)
    campaign.slogan = "5 Millionen Menschen, 53 Städte, 1 Metropole"
    campaign.motto = "Stadt der Städte"
    campaign.languages = "de, en, zh"
    campaign.save()
    text = _text(client.get(campaign.get_absolute_url()))
    assert "Claim: 5 Millionen Menschen, 53 Städte, 1 Metropole" in text
    assert "Motto: Stadt der Städte" in text
    assert "10.000.000 EUR" in text
    assert "Sprachen Deutsch, Englisch, Chinesisch" in text
    for channel in campaign.channels.all():
        assert channel.name in text
        assert f"Reichweite: {channel.reach:,} Exemplare".replace(",", ".") in text
    for event in campaign.events.all():
        assert event.title in text
        for link in event.participant_links.select_related("person", "organisation"):
            assert f"{link.person.formal_name} ({link.organisation.name})" in text
    assert "Mini-Canvas" in text
    for link in campaign.links.all():
        assert link.url in text
    for measure in campaign.related_measures.all():
        assert measure.title in text
    for market in campaign.markets.all():
        assert market.name in text


def test_campaign_page_escapes_user_text(client):
    campaign = CampaignFactory(title="<script>alert(1)</script>", summary="<b>fett</b>")
    ChannelFactory(campaign=campaign, name='"><img src=x onerror=alert(1)>')
    html = client.get(campaign.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_campaign_page_hides_a_non_consenting_contacts_details(client):
    from tests.campaigns.factories import CampaignContactFactory

    contact = CampaignContactFactory(
        person__public_contact=False,
        person__phone="0171 1234567",
        person__email="privat@example.org",
        fax="0341 999",
    )
    html = client.get(contact.campaign.get_absolute_url()).content.decode()
    # no name without consent (contacts: Person.public_name); the role and organisation stay
    assert contact.person.last_name not in html
    assert contact.person.public_name in html
    assert "0171 1234567" not in html and "privat@example.org" not in html
    assert "0341 999" not in html


def test_campaign_page_lists_only_visible_measures_and_measure_page_lists_campaign(client):
    campaign = CampaignFactory(title="Leipzig liebt Regionales")
    shown = MeasureFactory(title="Marketingkonzept")
    hidden = MeasureFactory(title="Entwurfsmaßnahme", state=ap.Measure.State.DRAFT)
    in_draft_plan = MeasureFactory(
        title="Maßnahme im Entwurfsplan", field__plan=PlanFactory(status=ap.Plan.Status.DRAFT)
    )
    campaign.related_measures.add(shown, hidden, in_draft_plan)
    text = _text(client.get(campaign.get_absolute_url()))
    assert "Marketingkonzept" in text
    assert "Entwurfsmaßnahme" not in text and "Entwurfsplan" not in text
    measure_page = client.get(shown.get_absolute_url())
    assert campaign.get_absolute_url() in measure_page.content.decode()
    assert "Leipzig liebt Regionales" in _text(measure_page)


# --- drafts ----------------------------------------------------------------------------------


def test_draft_campaign_invisible_anonymously_everywhere(client):
    draft = CampaignFactory(title="Geheimer Entwurf", slug="geheim", status=Campaign.Status.DRAFT)
    measure = MeasureFactory()
    draft.related_measures.add(measure)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get("/en" + draft.get_absolute_url()).status_code == 404
    assert "Geheimer Entwurf" not in client.get(LIST).content.decode()
    assert "geheim" not in client.get("/sitemap.xml").content.decode()
    measure_page = client.get(measure.get_absolute_url()).content.decode()
    assert "Geheimer Entwurf" not in measure_page and "/kampagnen/geheim/" not in measure_page
    # staff without a role in the campaign see no more than the public
    staff = Client()
    staff.force_login(UserFactory(is_staff=True))
    assert staff.get(draft.get_absolute_url()).status_code == 404
    assert "Geheimer Entwurf" not in staff.get(measure.get_absolute_url()).content.decode()


def test_draft_campaign_visible_to_its_members_with_a_banner():
    draft = CampaignFactory(title="Geheimer Entwurf", status=Campaign.Status.DRAFT)
    member = UserFactory(is_staff=True)
    Membership.objects.create(user=member, campaign=draft, role=Membership.Role.READER)
    client = Client()
    client.force_login(member)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "Diese Kampagne ist nicht veröffentlicht" in response.content.decode()
    assert "Geheimer Entwurf" in client.get(LIST).content.decode()
    assert "ETag" not in response


def test_sitemap_lists_published_campaigns_in_both_languages(client):
    campaign = CampaignFactory(slug="stadt-der-staedte")
    xml = client.get("/sitemap.xml").content.decode()
    assert "http://testserver/kampagnen/stadt-der-staedte/" in xml
    assert "http://testserver/en/kampagnen/stadt-der-staedte/" in xml
    assert "http://testserver/kampagnen/</loc>" in xml
    campaign.status = Campaign.Status.ARCHIVED
    campaign.save()
    assert "stadt-der-staedte" not in client.get("/sitemap.xml").content.decode()


def test_home_page_and_nav_link_to_the_campaigns(client):
    html = client.get("/").content.decode()
    assert html.count(f'href="{LIST}"') >= 2
    with translation.override("en"):
        english = client.get(reverse("actionplan:plan_list")).content.decode()
    assert 'href="/en/kampagnen/"' in english


# --- caching ---------------------------------------------------------------------------------


def test_anonymous_pages_cached_and_revalidated_until_something_changes(client):
    campaign = CampaignFactory(title="Stadt der Städte")
    channel = ChannelFactory(campaign=campaign, name="Printanzeigen")
    url = campaign.get_absolute_url()
    first = client.get(url)
    etag = first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(LIST)["ETag"] != etag
    channel.name = "Printanzeigen in Fachmagazinen"
    channel.save()
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert "Printanzeigen in Fachmagazinen" in changed.content.decode()
    campaign.status = Campaign.Status.DRAFT
    campaign.save()
    assert client.get(url).status_code == 404
    assert "Stadt der Städte" not in client.get(LIST).content.decode()


def test_measure_state_change_reaches_the_cached_campaign_page(client):
    campaign = CampaignFactory()
    measure = MeasureFactory(title="Marketingkonzept")
    campaign.related_measures.add(measure)
    assert "Marketingkonzept" in client.get(campaign.get_absolute_url()).content.decode()
    measure.state = ap.Measure.State.DRAFT
    measure.save()
    assert "Marketingkonzept" not in client.get(campaign.get_absolute_url()).content.decode()


def test_campaign_change_reaches_the_cached_measure_page(client):
    campaign = CampaignFactory(title="Stadt der Städte")
    measure = MeasureFactory()
    campaign.related_measures.add(measure)
    assert "Stadt der Städte" in client.get(measure.get_absolute_url()).content.decode()
    campaign.status = Campaign.Status.DRAFT
    campaign.save()
    assert "Stadt der Städte" not in client.get(measure.get_absolute_url()).content.decode()


def test_cache_hit_costs_one_query(client, django_assert_num_queries):
    campaign = CampaignFactory()
    client.get(campaign.get_absolute_url())
    # the newest campaign and plan stamps, inside the request's savepoint
    with django_assert_num_queries(3):
        assert client.get(campaign.get_absolute_url()).status_code == 200


# --- query budgets ---------------------------------------------------------------------------

LIST_QUERIES = 11
PAGE_QUERIES = 15  # + the campaign's documents (attachments)


@pytest.mark.parametrize("size", [1, 6])
def test_query_count_independent_of_campaigns_channels_and_events(size, django_assert_num_queries):
    campaigns = [build_full_campaign(size=size) for _ in range(size)]
    client = Client()
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(f"{LIST}?nocache={size}").status_code == 200
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get(f"{campaigns[0].get_absolute_url()}?n={size}").status_code == 200
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(f"{LIST}?region=Leipzig&year=&n={size}").status_code == 200


def test_measure_page_query_count_independent_of_its_campaigns(django_assert_num_queries):
    measure = MeasureFactory()
    counts = []
    for size in (1, 8):
        for _ in range(size):
            CampaignFactory().related_measures.add(measure)
        client = Client()
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{measure.get_absolute_url()}?n={size}").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_event_without_participants_and_figures_shows_empty_notes(client):
    campaign = CampaignFactory()
    CampaignEventFactory(campaign=campaign, title="Netzwerktreffen")
    text = _text(client.get(campaign.get_absolute_url()))
    assert "Netzwerktreffen" in text
    assert "Es sind keine Kennzahlen erfasst." in text
    assert "Es sind keine Kanäle erfasst." in text
