"""Query counts per list endpoint, pinned and the same for a small and a large data set."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access.models import Membership
from actionplan import models as ap
from tests.api.conftest import auth
from tests.campaigns.factories import (
    CampaignContactFactory,
    CampaignEventFactory,
    CampaignFactory,
    CampaignLinkFactory,
    CampaignPartnerFactory,
    ChannelFactory,
    EventParticipantFactory,
    KeyFigureFactory,
)
from tests.factories import StepFactory, build_plan

pytestmark = pytest.mark.django_db

# anonymous: savepoint and release (ATOMIC_REQUESTS), count, page, one per prefetched
# relation; organisations: the named ones and the parent tree (access.rules). Campaigns: links,
# channels, events, their participants, key figures, partners, contacts, target groups,
# markets, measures.
PINNED = {
    # plans and measures: + council papers and documents (their consultations only when
    # there are papers)
    "api:plan-list": 7,
    "api:field-list": 6,
    "api:measure-list": 14,
    "api:campaign-list": 14,
    "api:organisation-list": 6,
    "api:person-list": 4,
}


def world(size: int, prefix: str = "p"):
    for i in range(size):
        slug = f"{prefix}{i}"
        plan = build_plan(fields=2, measures_per_field=size, steps_per_measure=2, slug=slug)
        measures = list(ap.Measure.objects.filter(field__plan=plan))
        parent = measures[0].steps.first()
        StepFactory(measure=measures[0], parent=parent, position=1)
        measures[0].related_measures.add(*measures[1:])
        campaign = CampaignFactory()
        campaign.related_measures.add(*measures)
        for _ in range(size):
            ChannelFactory(campaign=campaign)
            event = CampaignEventFactory(campaign=campaign)
            EventParticipantFactory(event=event)
            EventParticipantFactory(event=event, person__public_contact=False)
            CampaignPartnerFactory(campaign=campaign)
            CampaignContactFactory(campaign=campaign)
            CampaignLinkFactory(campaign=campaign)
            KeyFigureFactory(campaign=campaign)
    return plan


def count(client, name, **headers) -> int:
    url = reverse(name) + "?page_size=200"
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **headers)
    assert response.status_code == 200
    assert response.json()["count"] > 0
    return len(ctx.captured_queries)


@pytest.mark.parametrize("size", [1, 4])
@pytest.mark.parametrize("name", sorted(PINNED))
def test_api_list_queries_pinned_independent_of_size(client, name, size, django_assert_num_queries):
    world(size)
    with django_assert_num_queries(PINNED[name]):
        response = client.get(reverse(name) + "?page_size=200")
    assert response.status_code == 200
    assert response.json()["count"] >= size


def test_api_list_queries_of_a_token_member_independent_of_size(client, make_token):
    plan = world(1)
    _user, key = make_token("lesend", plan=plan, role=Membership.Role.COORDINATOR)
    client.get(reverse("api:plan-list"), **auth(key))  # first use: last_used_at written
    small = {name: count(client, name, **auth(key)) for name in PINNED}
    world(3, prefix="gross")
    large = {name: count(client, name, **auth(key)) for name in PINNED}
    assert small == large
