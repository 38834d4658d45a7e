import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from campaigns.models import Campaign, CampaignEvent, Channel, EventParticipant, Market
from contacts.models import Organisation, Person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _plan(leipzig_plan):
    """``make run`` loads the Leipzig plan first: its campaign serves two of its measures."""


def _load(*args) -> str:
    out = StringIO()
    call_command("load_campaign_demo_data", *args, stdout=out)
    return out.getvalue()


def _totals():
    models = (Campaign, Channel, CampaignEvent, EventParticipant, Market, Organisation, Person)
    return [model.objects.count() for model in models]


def test_load_campaign_demo_data_is_idempotent_and_prints_counts():
    first = _load()
    assert "Campaigns: 4 created, 0 replaced, 0 skipped" in first
    assert "18 channels" in first and "10 participants" in first
    assert "9 key figures" in first and "2 links" in first
    assert (
        "In the database: 4 campaigns, 18 channels, 5 events, 10 participants, "
        "7 target markets." in first
    )
    totals = _totals()
    second = _load()
    assert "Campaigns: 0 created, 0 replaced, 4 skipped" in second
    assert _totals() == totals
    third = _load("--replace")
    assert "Campaigns: 0 created, 4 replaced, 0 skipped" in third
    assert _totals() == totals


def test_load_campaign_demo_data_reports_bad_file_with_path(tmp_path):
    bad = tmp_path / "campaigns.json"
    bad.write_text(json.dumps({"campaigns": [{"slug": "x", "title": "X"}]}), encoding="utf-8")
    with pytest.raises(CommandError, match=r"campaigns\[0\]\.region: is required"):
        _load("--file", str(bad))
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(CommandError, match="Cannot read"):
        _load("--file", str(bad))
    assert Campaign.objects.count() == 0


def test_load_campaign_demo_data_without_the_plan_says_what_to_do():
    from actionplan.models import Plan

    Plan.objects.all().delete()
    with pytest.raises(CommandError, match="run load_demo_data first"):
        _load()
    assert Campaign.objects.count() == 0
