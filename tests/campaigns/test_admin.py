import pytest
from django.apps import apps
from django.contrib import admin
from django.core import checks
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from campaigns.models import Campaign, CampaignEvent, Channel, Market
from imports.campaign_document import campaign_document_import
from tests.campaigns.factories import (
    CampaignEventFactory,
    CampaignFactory,
    ChannelFactory,
    EventParticipantFactory,
    MarketFactory,
)
from tests.factories import OrganisationFactory, TargetGroupFactory

pytestmark = pytest.mark.django_db

REGISTERED = [Campaign, Channel, CampaignEvent, Market]


@pytest.fixture
def demo(demo_document):
    campaign_document_import(data=demo_document)


def _url(model, view, *args):
    return reverse(f"admin:campaigns_{model._meta.model_name}_{view}", args=args)


def test_admin_every_campaigns_model_is_editable():
    inline_models = {
        inline.model for model in REGISTERED for inline in admin.site._registry[model].inlines
    }
    for model in apps.get_app_config("campaigns").get_models():
        if model.__name__.startswith("Historical") or model._meta.auto_created:
            continue
        assert admin.site.is_registered(model) or model in inline_models, model


def test_admin_system_checks_pass():
    errors = [m for m in checks.run_checks() if m.level >= checks.ERROR]
    assert errors == []


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m.__name__)
def test_admin_pages_for_superuser(staff_client, demo, model):
    obj = model.objects.order_by("pk").last()
    for view, args in [
        ("changelist", ()),
        ("add", ()),
        ("change", (obj.pk,)),
        ("history", (obj.pk,)),
    ]:
        response = staff_client.get(_url(model, view, *args))
        assert response.status_code == 200, (view, response.status_code)


def test_admin_pages_refuse_anonymous_and_non_staff(client, user):
    campaign = CampaignFactory(status=Campaign.Status.DRAFT)
    url = _url(Campaign, "change", campaign.pk)
    assert client.get(url).status_code == 302
    client.force_login(user)
    assert client.get(url).status_code == 302


def test_admin_campaign_change_page_shows_inlines(staff_client, demo):
    campaign = Campaign.objects.get(slug="stadt-der-staedte")
    response = staff_client.get(_url(Campaign, "change", campaign.pk))
    content = response.content.decode()
    for text in ("Thjnk", "Digitale Videos und Geschichten", "RVR-Wirtschaftsausschuss"):
        assert text in content


def test_admin_event_change_page_lists_participants(staff_client, demo):
    event = CampaignEvent.objects.get(campaign__slug="altmark-mehr-platz-fuer-entfaltung")
    response = staff_client.get(_url(CampaignEvent, "change", event.pk))
    assert "Reckling-Kurz" in response.content.decode()


def test_admin_campaign_changelist_filters_and_search(staff_client, demo):
    url = _url(Campaign, "changelist")
    response = staff_client.get(url, {"q": "Ruhr"})
    assert list(response.context["cl"].result_list) == [
        Campaign.objects.get(slug="stadt-der-staedte")
    ]
    response = staff_client.get(url, {"kind__exact": "programme", "status__exact": "published"})
    assert [c.slug for c in response.context["cl"].result_list] == ["bildungsmarketing-erfurt"]
    response = staff_client.get(url, {"region": "Altmark"})
    assert response.status_code == 200
    assert [c.slug for c in response.context["cl"].result_list] == [
        "altmark-mehr-platz-fuer-entfaltung"
    ]


def _campaign_changelist_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(_url(Campaign, "changelist"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _make_campaigns(count, organisations):
    for i in range(count):
        campaign = CampaignFactory(
            organiser=organisations[i % len(organisations)], region=f"Region {i % 7}"
        )
        ChannelFactory.create_batch(2, campaign=campaign)
        CampaignEventFactory(campaign=campaign)


def test_admin_campaign_changelist_query_count_is_constant(
    staff_client, django_assert_max_num_queries
):
    organisations = OrganisationFactory.create_batch(5)
    _make_campaigns(5, organisations)
    few = _campaign_changelist_queries(staff_client)
    _make_campaigns(50, organisations)
    assert Campaign.objects.count() == 55
    # +1 since import/export ask access.rules: the user's memberships, read once per request
    with django_assert_max_num_queries(10):
        response = staff_client.get(_url(Campaign, "changelist"))
    assert response.context["cl"].result_count == 55
    assert _campaign_changelist_queries(staff_client) == few


def test_admin_channel_and_event_changelists_query_count(
    staff_client, django_assert_max_num_queries
):
    campaigns = CampaignFactory.create_batch(30)
    for campaign in campaigns:
        ChannelFactory.create_batch(2, campaign=campaign)
        EventParticipantFactory(event=CampaignEventFactory(campaign=campaign))
    # Channel: +1 since import/export ask access.rules (the user's memberships, once)
    with django_assert_max_num_queries(9):
        assert staff_client.get(_url(Channel, "changelist")).status_code == 200
    with django_assert_max_num_queries(8):
        assert staff_client.get(_url(CampaignEvent, "changelist")).status_code == 200


def test_admin_market_changelist(staff_client, django_assert_max_num_queries):
    for code in ("DE", "CN", "US", "NL", "GB", "TR", "PL"):
        MarketFactory(name=f"Markt {code}", iso_code=code)
    with django_assert_max_num_queries(7):
        assert staff_client.get(_url(Market, "changelist")).status_code == 200


def test_admin_autocomplete_for_organisations_and_target_groups(staff_client):
    OrganisationFactory(name="Leipzig Tourismus und Marketing GmbH", short_name="LTM")
    TargetGroupFactory(name="Rückkehrer")
    for field_name, term, expected in [
        ("organiser", "LTM", "Leipzig Tourismus und Marketing GmbH"),
        ("target_groups", "Rück", "Rückkehrer"),
    ]:
        response = staff_client.get(
            reverse("admin:autocomplete"),
            {
                "app_label": "campaigns",
                "model_name": "campaign",
                "field_name": field_name,
                "term": term,
            },
        )
        assert response.status_code == 200
        assert [r["text"] for r in response.json()["results"]] == [expected]


def test_admin_add_campaign_records_history_user(staff_client, staff_user):
    organiser = OrganisationFactory(name="Regionalverband Ruhr")
    group = TargetGroupFactory(name="Investoren")
    data = {
        "title": "Stadt der Städte",
        "slug": "stadt-der-staedte",
        "kind": "campaign",
        "status": "draft",
        "region": "Metropole Ruhr",
        "organiser": organiser.pk,
        "date_precision": "year",
        "period_label": "2017 bis 2019",
        "start_date": "2017-01-01",
        "end_date": "2019-12-31",
        "budget_amount": "10000000",
        "budget_currency": "EUR",
        "target_groups": [group.pk],
    }
    # every inline of the add page starts empty (read from the page, not listed here)
    page = staff_client.get(_url(Campaign, "add"))
    for inline in page.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    data |= {
        "channels-TOTAL_FORMS": "1",
        "channels-0-position": "1",
        "channels-0-kind": "print",
        "channels-0-status": "done",
        "channels-0-name": "Printanzeigen",
        "channels-0-date_precision": "day",
    }
    response = staff_client.post(_url(Campaign, "add"), data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    campaign = Campaign.objects.get(slug="stadt-der-staedte")
    assert campaign.channels.get().name == "Printanzeigen"
    assert list(campaign.target_groups.all()) == [group]
    assert campaign.history.first().history_user == staff_user


def test_admin_rejects_negative_reach_with_message(staff_client):
    campaign = CampaignFactory()
    with translation.override("de"):
        response = staff_client.post(
            _url(Channel, "add"),
            {
                "campaign": campaign.pk,
                "position": "1",
                "kind": "print",
                "status": "done",
                "name": "Flyer",
                "reach": "-5",
                "date_precision": "day",
            },
            HTTP_ACCEPT_LANGUAGE="de",
        )
    assert response.status_code == 200
    assert "Die Reichweite darf nicht negativ sein." in response.content.decode()
    assert Channel.objects.count() == 0


def test_admin_import_export_pages(staff_client):
    """Spreadsheet export of campaigns and channels; files come in as campaign documents."""
    CampaignFactory()
    for model in (Campaign, Channel):
        assert staff_client.get(_url(model, "export")).status_code == 200
    assert staff_client.get(_url(Campaign, "document_import")).status_code == 200
    assert staff_client.get(_url(Campaign, "document_export")).status_code == 200
