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
    from tests.imports.plan_support import history_count

    first = _load()
    assert " 0 changed, 0 deleted." in first
    assert "Written: 4 campaigns, 18 channels, 2 contact persons, 5 events" in first
    assert "18 channels" in first and "10 participants" in first
    assert "9 key figures" in first and "2 web addresses" in first
    assert (
        "In the database: 4 campaigns, 18 channels, 5 events, 10 participants, "
        "7 target markets." in first
    )
    totals, history = _totals(), history_count()
    second = _load()
    assert "Campaign document: 0 new, 0 changed, 0 deleted." in second
    assert "Written:" not in second
    assert _totals() == totals
    assert history_count() == history


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
