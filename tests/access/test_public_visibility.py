"""Public pages under the per-measure workflow: a published plan can hold draft measures."""

import pytest
from django.urls import reverse

from access.models import Membership
from actionplan import models as ap
from tests.factories import UserFactory, build_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(db):
    plan = build_plan(fields=1, measures_per_field=2, steps_per_measure=1)
    draft = ap.Measure.objects.filter(field__plan=plan).order_by("position").last()
    draft.title = "Noch nicht freigegeben"
    draft.state = ap.Measure.State.DRAFT
    draft.review_comment = "Bitte Budget ergänzen."
    draft.save()
    return plan


def _draft(plan):
    return ap.Measure.objects.get(field__plan=plan, state=ap.Measure.State.DRAFT)


def test_draft_measure_of_a_published_plan_is_hidden_from_visitors(client, plan):
    draft = _draft(plan)
    assert client.get(draft.get_absolute_url()).status_code == 404
    for url in (
        plan.get_absolute_url(),
        draft.field.get_absolute_url(),
        reverse("actionplan:plan_timeline", args=[plan.slug]),
        reverse("actionplan:measure_list", args=[plan.slug]) + "?q=freigegeben",
        "/sitemap.xml",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Noch nicht freigegeben" not in response.content.decode(), url
    listed = client.get("/").context["plans"]
    assert [p.measure_count for p in listed] == [1]


def test_members_see_the_draft_with_its_state_and_review_comment(client, plan):
    reader = UserFactory(is_staff=False)
    Membership.objects.create(user=reader, plan=plan, role=Membership.Role.READER)
    client.force_login(reader)
    draft = _draft(plan)
    html = client.get(draft.get_absolute_url()).content.decode()
    assert "Entwurf:" in html and "Bitte Budget ergänzen." in html
    assert "Noch nicht freigegeben" in client.get(plan.get_absolute_url()).content.decode()
    assert [p.measure_count for p in client.get("/").context["plans"]] == [2]


def test_overview_fragment_is_cached_per_audience(client, plan):
    reader = UserFactory()
    Membership.objects.create(user=reader, plan=plan, role=Membership.Role.READER)
    client.force_login(reader)
    assert "Noch nicht freigegeben" in client.get(plan.get_absolute_url()).content.decode()
    client.logout()
    # the member's cached overview must not be served to a visitor
    assert "Noch nicht freigegeben" not in client.get(plan.get_absolute_url()).content.decode()
