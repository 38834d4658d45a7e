import datetime
from decimal import Decimal

import pytest
import tablib
from django.utils import translation

from campaigns.models import Campaign, Channel
from campaigns.resources import CampaignResource, ChannelResource
from tests.campaigns.factories import CampaignFactory, ChannelFactory, MarketFactory
from tests.factories import OrganisationFactory, StaffUserFactory, TargetGroupFactory

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


def _superuser():
    # imports check every row against access.rules: here the one who may create campaigns
    return StaffUserFactory()


def test_campaign_import_creates_and_skips_unchanged_rows():
    OrganisationFactory(name="Landeshauptstadt Erfurt")
    TargetGroupFactory(name="Bildungsakteure")
    dataset = tablib.Dataset(
        headers=["slug", "title", "kind", "status", "city/region", "organiser", "target groups"]
    )
    dataset.append(
        [
            "bildungsmarketing-erfurt",
            "Regionales Bildungsmarketing Erfurt",
            "programme",
            "draft",
            "Erfurt",
            "Landeshauptstadt Erfurt",
            "Bildungsakteure",
        ]
    )
    result = CampaignResource().import_data(dataset, dry_run=False, user=_superuser())
    assert not result.has_errors() and not result.has_validation_errors()
    campaign = Campaign.objects.get(slug="bildungsmarketing-erfurt")
    assert campaign.organiser.name == "Landeshauptstadt Erfurt"
    assert [g.name for g in campaign.target_groups.all()] == ["Bildungsakteure"]
    again = CampaignResource().import_data(dataset, dry_run=False, user=_superuser())
    assert again.totals["skip"] == 1
    assert Campaign.objects.count() == 1


def test_channel_import_rejects_negative_reach():
    CampaignFactory(slug="leipzig-liebt-regionales")
    dataset = tablib.Dataset(headers=["id", "campaign", "kind", "name", "reach", "status"])
    dataset.append(["", "leipzig-liebt-regionales", "print", "Imageflyer", "-40000", "done"])
    result = ChannelResource().import_data(dataset, dry_run=False, user=_superuser())
    assert result.has_validation_errors()
    errors = result.invalid_rows[0].field_specific_errors
    assert errors["reach"] == ["The reach must not be negative."]
    assert Channel.objects.count() == 0
    dataset[0] = ("", "leipzig-liebt-regionales", "print", "Imageflyer", "40000", "done")
    result = ChannelResource().import_data(dataset, dry_run=False, user=_superuser())
    assert not result.has_errors() and not result.has_validation_errors()
    assert Channel.objects.get().reach == 40000


def test_import_with_foreign_language_headers_is_an_error_not_a_silent_skip():
    CampaignFactory(slug="stadt-der-staedte")
    with translation.override("de"):
        headers = CampaignResource().export().headers
    dataset = tablib.Dataset(headers=headers)
    dataset.append(["neue-kampagne", "Neue Kampagne"] + [""] * (len(headers) - 2))
    result = CampaignResource().import_data(dataset, dry_run=False, user=_superuser())
    assert result.has_errors()
    message = str(result.base_errors[0].error)
    assert message.startswith("Unknown columns: Kurzname (URL), Titel,")
    assert "Missing columns: slug" in message
    assert Campaign.objects.count() == 1


def test_import_header_error_in_german():
    dataset = tablib.Dataset(headers=["slug", "Titel"])
    dataset.append(["x", "X"])
    with translation.override("de"):
        result = CampaignResource().import_data(dataset, dry_run=True)
        message = str(result.base_errors[0].error)
    assert message.startswith("Unbekannte Spalten: slug. Fehlende Spalten: Kurzname (URL).")
