import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.shared_data import module_data

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


@pytest.fixture(scope="module")
def demo_campaign_pks(django_db_setup, django_db_blocker):
    """The Leipzig plan and the four demo campaigns, loaded once per module the way ``make run``
    does and rolled back after; slug -> pk. Only for modules in which every test uses them
    (tests/shared_data.py); each test runs in a savepoint of its own."""
    from campaigns.models import Campaign

    with module_data(django_db_blocker):
        call_command("load_demo_data", stdout=StringIO())
        call_command("load_campaign_demo_data", stdout=StringIO())
        yield dict(Campaign.objects.values_list("slug", "pk"))
