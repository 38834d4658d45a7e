"""Optimistic locking on the campaign admin: a stale change form is refused."""

import pytest
from django.test import Client
from django.urls import reverse

from campaigns.models import Channel
from tests.actionplan.admin_support import change_form_data, inline_prefix
from tests.campaigns.factories import CampaignFactory, ChannelFactory
from tests.factories import StaffUserFactory, TargetGroupFactory

pytestmark = pytest.mark.django_db


def login(name):
    client = Client()
    client.force_login(StaffUserFactory(username=name, first_name=name.capitalize()))
    return client


def test_locking_stale_campaign_save_is_refused(settings):
    campaign = CampaignFactory(title="Leipzig liebt Regionales", goals="Alt")
    channel = ChannelFactory(campaign=campaign, name="Flyer")
    groups = TargetGroupFactory.create_batch(2)
    url = reverse("admin:campaigns_campaign_change", args=[campaign.pk])
    anna, ben = login("anna"), login("ben")
    data_a = change_form_data(anna.get(url))
    response_b = ben.get(url)
    data_b = change_form_data(response_b)
    data_a["goals"] = "Ziele von Anna"
    data_a["target_groups"] = [str(g.pk) for g in groups]
    assert anna.post(url, data_a).status_code == 302
    prefix = inline_prefix(response_b, Channel)
    data_b[f"{prefix}-0-name"] = "Plakate von Ben"

    response = ben.post(url, data_b)

    assert response.status_code == 409
    page = response.content.decode()
    assert "Diese Kampagne wurde inzwischen von Anna geändert" in page
    campaign.refresh_from_db()
    channel.refresh_from_db()
    assert campaign.goals == "Ziele von Anna"
    assert channel.name == "Flyer"
    labels = [label for label, _old, _new in response.context["lock_conflict"].changes]
    assert labels == ["Ziele", "Zielgruppen"]
    assert "Plakate von Ben" in page
