"""Shared data of the API tests: the draft-leak world of tests/access, extended by campaigns,
persons without consent and an organisation only a draft names."""

import pytest

from access.models import Membership
from actionplan import models as ap
from api.services import api_token_create
from campaigns import models as cp
from tests.access.test_draft_leak import MARKER, leak  # noqa: F401 - the shared fixture
from tests.campaigns.factories import CampaignEventFactory, CampaignFactory, ChannelFactory
from tests.factories import PersonFactory, ResponsibilityFactory, UserFactory

ENDPOINTS = ("plans", "fields", "measures", "campaigns", "organisations", "persons")


@pytest.fixture
def api_leak(leak):  # noqa: F811
    """``leak`` plus: a draft campaign (with channel and event); a published campaign related to
    a published and a draft measure; a person named only by the draft plan; a person without
    consent, responsible for a published measure, whose own phone and e-mail are secret."""
    draft_plan = leak["draft_plan"]
    person = ap.FieldContact.objects.get(field__plan=draft_plan).person
    person.last_name = f"{MARKER}-PERSON"
    person.save()

    draft_campaign = CampaignFactory(
        title=f"{MARKER}-KAMPAGNE", status=cp.Campaign.Status.DRAFT, slug="geheim"
    )
    ChannelFactory(campaign=draft_campaign, name=f"{MARKER}-KANAL")
    CampaignEventFactory(campaign=draft_campaign, title=f"{MARKER}-TERMIN")
    campaign = CampaignFactory(title="Offene Kampagne", slug="offen")
    ChannelFactory(campaign=campaign, name="Flyer", reach=40000, languages="de, en")
    CampaignEventFactory(campaign=campaign, title="Netzwerktreffen", topics="Begrüßung\nAusblick")
    campaign.related_measures.add(leak["public"][0], leak["hidden"])

    shy = PersonFactory(
        last_name="Zurückhaltend",
        phone=f"{MARKER}-TELEFON",
        email="geheim-entwurf@example.org",
        public_contact=False,
    )
    ResponsibilityFactory(measure=leak["public"][0], organisation=None, person=shy, position=9)
    return {**leak, "campaign": campaign, "draft_campaign": draft_campaign, "shy": shy}


@pytest.fixture
def make_token(db):
    """A usable token of a (new) user, optionally with a role in a plan: (user, key)."""

    def make(username="token-user", *, plan=None, role=Membership.Role.READER, **user_fields):
        user = UserFactory(username=username, is_staff=True, **user_fields)
        if plan is not None:
            Membership.objects.create(user=user, plan=plan, role=role)
        _token, key = api_token_create(acting_user=user, name="Test")
        return user, key

    return make


def auth(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


@pytest.fixture(autouse=True)
def generous_rates(settings):
    """The crawls make more requests than the production rate allows a minute; the throttle
    tests set their own rates."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100000/min", "user": "100000/min"},
    }
