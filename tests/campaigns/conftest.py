import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

DEMO_FILE = settings.BASE_DIR / "fixtures" / "campaigns.json"


@pytest.fixture
def leipzig_plan(db):
    """The Leipzig demo plan, as ``make run`` loads it before the campaigns (the Leipzig
    campaign serves two of its measures)."""
    from actionplan.models import Plan

    call_command("load_demo_data", stdout=StringIO())
    return Plan.objects.get(slug="leipzig-2011")


@pytest.fixture
def demo_document(leipzig_plan):
    return json.loads(DEMO_FILE.read_text(encoding="utf-8"))


@pytest.fixture
def demo_campaigns(demo_document):
    """The four demo campaigns, loaded the way ``make run`` does; by slug."""
    from campaigns.models import Campaign

    call_command("load_campaign_demo_data", stdout=StringIO())
    return {c.slug: c for c in Campaign.objects.all()}
