"""A channel's status cannot contradict its campaign's lifecycle, and a duration is no reach:
model validation, the admin forms (a German error, not a 500), the data migration that brought
existing rows in line, and what readers see when time moves a campaign past its end."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import translation

from campaigns.models import Campaign, Channel
from tests.actionplan.admin_support import change_form_data, inline_prefix
from tests.campaigns.factories import CampaignFactory, ChannelFactory

ENDED = {"start_date": datetime.date(2017, 1, 1), "end_date": datetime.date(2019, 12, 31)}
LATER = {"start_date": datetime.date(2099, 1, 1), "end_date": datetime.date(2099, 12, 31)}
RUNNING = {"lifecycle_override": Campaign.Lifecycle.RUNNING}


def errors_of(channel) -> dict:
    with pytest.raises(ValidationError) as info, translation.override("de"):
        channel.full_clean()
    return info.value.message_dict


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("campaign", "status", "message"),
    [
        (
            ENDED,
            "planned",
            "Die Kampagne ist abgeschlossen, dieser Kanal kann nicht mehr „geplant“",
        ),
        (LATER, "done", "Die Kampagne hat noch nicht begonnen"),
        (LATER, "unreported", "„Umsetzung nicht berichtet“ gilt nur für Kanäle einer abgeschl"),
        (RUNNING, "unreported", "„Umsetzung nicht berichtet“ gilt nur für Kanäle einer abgeschl"),
    ],
)
def test_channel_status_contradicting_the_campaign_is_rejected(campaign, status, message):
    channel = ChannelFactory.build(campaign=CampaignFactory(**campaign), status=status)
    assert errors_of(channel)["status"][0].startswith(message)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("campaign", "statuses"),
    [
        (ENDED, ["done", "dropped", "unreported"]),
        (LATER, ["planned", "dropped"]),
        (RUNNING, ["planned", "done", "dropped"]),
        ({}, ["planned", "done", "dropped", "unreported"]),  # undated: nothing to contradict
    ],
)
def test_channel_status_in_line_with_the_campaign_is_accepted(campaign, statuses):
    owner = CampaignFactory(**campaign)
    for status in statuses:
        ChannelFactory.build(campaign=owner, status=status).full_clean()


@pytest.mark.django_db
@pytest.mark.parametrize("unit", ["Wochen", " woche ", "Tage", "months"])
def test_a_duration_is_not_accepted_as_reach(unit):
    channel = ChannelFactory.build(campaign=CampaignFactory(), reach=4, reach_unit=unit)
    assert errors_of(channel)["reach_unit"] == [
        "Eine Dauer ist keine Reichweite: Tragen Sie sie als Zeitraum des Kanals ein "
        "(z. B. „vier Wochen“) und lassen Sie die Reichweite leer."
    ]
    ChannelFactory.build(
        campaign=CampaignFactory(), reach=40000, reach_unit="Exemplare"
    ).full_clean()


# --- admin ------------------------------------------------------------------------------------


def _channel_form(channel, **changes) -> dict:
    data = {
        "campaign": channel.campaign_id,
        "position": channel.position,
        "kind": channel.kind,
        "status": channel.status,
        "name": channel.name,
        "description": "",
        "reach": "",
        "reach_unit": "",
        "reach_label": "",
        "languages": "",
        "url": "",
        "period_label": "",
        "start_date": "",
        "end_date": "",
        "date_precision": "day",
    }
    return data | changes


@pytest.mark.django_db
def test_admin_channel_form_shows_the_status_error_in_german(staff_client):
    channel = ChannelFactory(campaign=CampaignFactory(**ENDED), status="done")
    url = reverse("admin:campaigns_channel_change", args=[channel.pk])
    response = staff_client.post(
        url, _channel_form(channel, status="planned"), HTTP_ACCEPT_LANGUAGE="de"
    )
    assert response.status_code == 200
    assert "Die Kampagne ist abgeschlossen, dieser Kanal kann nicht mehr „geplant“ sein." in (
        response.content.decode()
    )
    channel.refresh_from_db()
    assert channel.status == "done"
    response = staff_client.post(url, _channel_form(channel, status="unreported"))
    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.status == "unreported"
    assert channel.history.count() == 2


@pytest.mark.django_db
def test_admin_campaign_ended_with_planned_channels_is_an_error_not_a_500(staff_client):
    """Marking a campaign completed while a channel is still planned: the inline says why."""
    campaign = CampaignFactory(status="draft")
    channel = ChannelFactory(campaign=campaign, status="planned")
    url = reverse("admin:campaigns_campaign_change", args=[campaign.pk])
    page = staff_client.get(url)
    data = change_form_data(page)
    prefix = inline_prefix(page, Channel)
    data |= {"lifecycle_override": "completed", f"{prefix}-0-status": "planned"}
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "Die Kampagne ist abgeschlossen" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.lifecycle_override == ""
    data[f"{prefix}-0-status"] = "dropped"
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    campaign.refresh_from_db()
    channel.refresh_from_db()
    assert (campaign.lifecycle, channel.status) == ("completed", "dropped")


# --- what readers see ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_planned_channel_of_a_campaign_that_has_since_ended_reads_as_not_reported(client):
    with time_machine.travel(datetime.datetime(2019, 6, 1, 12, tzinfo=datetime.UTC)):
        campaign = CampaignFactory(**ENDED)
        channel = ChannelFactory(campaign=campaign, name="Printanzeigen", status="planned")
        channel.full_clean()  # in line while the campaign runs
        html = client.get(campaign.get_absolute_url()).content.decode()
        assert "Print · geplant" in html
    campaign.refresh_from_db()  # time has moved on: the campaign ended, nobody edited it
    campaign.content_changed_at = None
    campaign.save()
    html = client.get(campaign.get_absolute_url()).content.decode()
    assert "Print · Umsetzung nicht berichtet" in html and "geplant" not in html


# --- the data migration ------------------------------------------------------------------------

BEFORE = [("campaigns", "0004_channel_status_values")]
AFTER = [("campaigns", "0005_channels_in_line_with_campaigns")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_migration_brings_contradicting_channels_in_line_and_keeps_history():
    try:
        apps = _migrate(BEFORE)
        Campaign_ = apps.get_model("campaigns", "Campaign")
        Channel_ = apps.get_model("campaigns", "Channel")
        ended = Campaign_.objects.create(title="Ruhr", slug="ruhr", region="Ruhr", **ENDED)
        running = Campaign_.objects.create(title="Leipzig", slug="le", region="Leipzig", **RUNNING)
        Channel_.objects.create(campaign=ended, name="Printanzeigen", status="planned")
        Channel_.objects.create(campaign=ended, name="Website", status="done")
        Channel_.objects.create(campaign=running, name="Podcast", status="planned")
        Channel_.objects.create(
            campaign=running,
            name="Social Media",
            status="done",
            description="Eine Kampagne.",
            reach=4,
            reach_unit="Wochen",
            reach_label="vierwöchige Social-Media-Kampagne",
        )

        _migrate(AFTER)
        # read through today's models: on to the latest schema first (later migrations only
        # add columns, e.g. the English texts of campaigns/0006)
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
        rows = {c.name: c for c in Channel.objects.all()}
        assert {name: c.status for name, c in rows.items()} == {
            "Printanzeigen": "unreported",
            "Website": "done",
            "Podcast": "planned",
            "Social Media": "done",
        }
        social = rows["Social Media"]
        assert (social.reach, social.reach_unit, social.reach_label) == (None, "", "")
        assert social.period_label == "4 Wochen"
        assert social.description == "Eine Kampagne. vierwöchige Social-Media-Kampagne"
        # every changed row is valid now, and its history says what happened and why
        for channel in rows.values():
            channel.full_clean()
        record = rows["Printanzeigen"].history.get()
        assert record.status == "unreported" and "geplant" in record.history_change_reason
        assert "Reichweite" in rows["Social Media"].history.get().history_change_reason
        assert not rows["Website"].history.exists()
        assert Campaign.objects.get(slug="ruhr").content_changed_at is not None
        assert Campaign.objects.get(slug="le").content_changed_at is not None
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db
def test_import_of_a_contradicting_channel_status_names_the_place():
    from imports.campaign_document import CampaignImportError, campaign_document_import
    from tests.imports.test_campaign_document import _minimal

    data = _minimal(period={"label": "2017 bis 2019"})
    data["campaigns"][0]["channels"][0]["status"] = "planned"
    with pytest.raises(CampaignImportError) as info:
        campaign_document_import(data=data)
    assert info.value.path == "campaigns[0].channels[0].status"
    assert not Campaign.objects.exists()
