import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from campaigns.models import Campaign, Channel
from campaigns.resources import CampaignResource, ChannelResource
from imports.formats import CSV, restore
from tests.campaigns.factories import CampaignFactory, ChannelFactory, MarketFactory
from tests.factories import OrganisationFactory, StaffUserFactory, TargetGroupFactory
from tests.imports.support import admin_url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_campaign_export_columns_and_values():
    campaign = CampaignFactory(
        title="Stadt der Städte",
        organiser=OrganisationFactory(name="Regionalverband Ruhr"),
        budget_amount=Decimal("10000000.00"),
        period_label="2017 bis 2019",
        start_date=datetime.date(2017, 1, 1),
    )
    campaign.target_groups.set([TargetGroupFactory(name="Investoren")])
    campaign.markets.set([MarketFactory(name="China"), MarketFactory(name="Polen")])
    dataset = CampaignResource().export()
    row = dict(zip(dataset.headers, dataset[0], strict=True))
    assert row["title"] == "Stadt der Städte"
    assert row["organiser"] == "Regionalverband Ruhr"
    assert row["budget"] == "10000000.00"
    assert row["period label"] == "2017 bis 2019"
    assert row["target groups"] == "Investoren"
    assert set(row["target markets"].split(";")) == {"China", "Polen"}


def test_campaign_export_headers_in_german():
    with translation.override("de"):
        headers = CampaignResource().export().headers
    assert "Titel" in headers and "Zielmärkte" in headers


def test_campaign_export_query_count_is_constant(django_assert_max_num_queries):
    groups = [TargetGroupFactory(name=f"Gruppe {i}") for i in range(3)]
    for campaign in CampaignFactory.create_batch(60):
        campaign.target_groups.set(groups)
        campaign.markets.set([MarketFactory(name="China")])
    with django_assert_max_num_queries(4):
        dataset = CampaignResource().export()
    assert len(dataset) == 60


def test_channel_export_query_count_is_constant(django_assert_max_num_queries):
    for campaign in CampaignFactory.create_batch(20):
        ChannelFactory.create_batch(3, campaign=campaign)
    with django_assert_max_num_queries(1):
        dataset = ChannelResource().export()
    assert len(dataset) == 60
    assert set(dataset["campaign"]) == set(Campaign.objects.values_list("slug", flat=True))


TRICKY = ["=1+1", "@SUM(A1)", "+49 341 123", "-5 Grad"]


def test_admin_exports_campaigns_and_channels_with_formula_protection(client):
    """The admin's spreadsheet export stays; its text cells never start a formula."""
    campaigns = CampaignFactory.create_batch(len(TRICKY))
    for campaign, text in zip(campaigns, TRICKY, strict=True):
        Campaign.objects.filter(pk=campaign.pk).update(title=text)
        ChannelFactory(campaign=campaign, name=text)
    client.force_login(StaffUserFactory())
    for model, resource, column in (
        (Campaign, CampaignResource, "title"),
        (Channel, ChannelResource, "name"),
    ):
        model_admin = admin.site._registry[model]
        index = next(i for i, f in enumerate(model_admin.get_export_formats()) if f is CSV)
        prefix = resource.__name__.lower()
        data = {"format": str(index), "resource": "0"}
        data.update({f"{prefix}_{n}": "on" for n in resource().get_export_order()})
        response = client.post(admin_url(model, "export"), data)
        assert response.status_code == 200
        rows = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
        label = str(resource().fields[column].column_name)
        cells = sorted(row[label] for row in rows)
        assert cells == sorted("'" + text for text in TRICKY)
        assert sorted(restore(cell) for cell in cells) == sorted(TRICKY)


@pytest.mark.parametrize("resource", [CampaignResource, ChannelResource])
def test_campaign_resources_do_not_import(resource):
    """Campaign files are imported as campaign documents only (imports/campaign_document.py)."""
    dataset = resource().export()
    with pytest.raises(NotImplementedError, match="campaign documents"):
        resource().import_data(dataset, dry_run=True)


@pytest.mark.parametrize("model", ["campaign", "channel"])
def test_admin_has_no_row_import_for_campaigns(staff_client, model):
    with pytest.raises(NoReverseMatch):
        reverse(f"admin:campaigns_{model}_import")
    response = staff_client.get(reverse(f"admin:campaigns_{model}_changelist"))
    assert "import_link" not in response.content.decode()
