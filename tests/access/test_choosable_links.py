"""Every link choice asks the access module (issue 19, item 1): a measure form, a campaign form
and the campaign document import refuse the ID or name of a measure the user may not see,
without showing its title; admin filters name only visible objects."""

import datetime

import pytest
from django.urls import reverse
from django.utils.translation import gettext

from access import rules
from access.models import Membership
from actionplan.models import Measure, Plan
from campaigns.models import Campaign
from imports.campaign_document import CampaignImportError, campaign_document_import
from tests.actionplan.admin_support import change_form_data
from tests.factories import FieldOfActionFactory, MeasureFactory, UserFactory
from versions.models import PlanVersion

pytestmark = pytest.mark.django_db

SECRET = "Geheimer Entwurf der Nachbarstadt"
Role = Membership.Role


@pytest.fixture
def world():
    own = FieldOfActionFactory(plan__slug="eigener-plan").plan
    own_measure = MeasureFactory(field__plan=own, state=Measure.State.DRAFT, title="Eigene")
    public_other = MeasureFactory(field__plan__slug="oeffentlich", title="Öffentlich woanders")
    draft_plan = FieldOfActionFactory(
        plan__slug="entwurf",
        plan__title="Entwurfsplan Nachbarstadt",
        plan__status=Plan.Status.DRAFT,
    ).plan
    hidden = MeasureFactory(field__plan=draft_plan, title=SECRET, state=Measure.State.DRAFT)
    coordinator = UserFactory(username="koordination", is_staff=True)
    Membership.objects.create(user=coordinator, plan=own, role=Role.COORDINATOR)
    campaign = Campaign.objects.create(title="Kampagne", slug="kampagne", region="Leipzig")
    campaign_editor = UserFactory(username="kampagnenredaktion", is_staff=True)
    Membership.objects.create(user=campaign_editor, campaign=campaign, role=Role.EDITOR)
    campaign_coordinator = UserFactory(username="kampagnenkoordination", is_staff=True)
    Membership.objects.create(user=campaign_coordinator, campaign=campaign, role=Role.COORDINATOR)
    return {
        "own": own,
        "own_measure": own_measure,
        "public_other": public_other,
        "draft_plan": draft_plan,
        "hidden": hidden,
        "coordinator": coordinator,
        "campaign": campaign,
        "campaign_editor": campaign_editor,
        "campaign_coordinator": campaign_coordinator,
    }


def test_choosable_measures_are_the_visible_ones(world):
    chosen = set(rules.choosable(world["coordinator"], Measure.objects.all()))
    assert chosen == {world["own_measure"], world["public_other"]}
    assert world["hidden"] not in rules.choosable(world["campaign_editor"], Measure.objects.all())


def _post_related(client, user, url, related_ids):
    client.force_login(user)
    page = client.get(url)
    assert page.status_code == 200
    data = change_form_data(page)
    data["related_measures"] = [str(pk) for pk in related_ids]
    return client.post(url, data)


def test_measure_form_refuses_a_hidden_related_measure(client, world):
    measure = world["own_measure"]
    url = reverse("admin:actionplan_measure_change", args=[measure.pk])
    response = _post_related(client, world["coordinator"], url, [world["hidden"].pk])
    assert response.status_code == 200, "the form again, with an error"
    errors = response.context["adminform"].form.errors
    assert "related_measures" in errors
    assert str(world["hidden"].pk) in str(errors["related_measures"])
    assert SECRET not in response.content.decode()
    assert not measure.related_measures.exists()
    assert not measure.history.filter(history_change_reason__icontains=SECRET).exists()


def test_measure_form_takes_a_visible_related_measure(client, world):
    measure = world["own_measure"]
    url = reverse("admin:actionplan_measure_change", args=[measure.pk])
    response = _post_related(client, world["coordinator"], url, [world["public_other"].pk])
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(measure.related_measures.all()) == [world["public_other"]]


def test_campaign_form_refuses_a_hidden_related_measure(client, world):
    url = reverse("admin:campaigns_campaign_change", args=[world["campaign"].pk])
    response = _post_related(client, world["campaign_editor"], url, [world["hidden"].pk])
    assert response.status_code == 200
    assert "related_measures" in response.context["adminform"].form.errors
    assert SECRET not in response.content.decode()
    assert not world["campaign"].related_measures.exists()


def test_campaign_import_treats_a_hidden_measure_as_missing(world):
    document = {
        "format": "planwerk-campaigns",
        "version": 1,
        "campaigns": [
            {
                "slug": "kampagne",
                "title": "Kampagne",
                "region": "Leipzig",
                "related_measures": [{"plan": "entwurf", "measure": world["hidden"].slug}],
            }
        ],
    }
    with pytest.raises(CampaignImportError) as refused:
        campaign_document_import(
            data=document, acting_user=world["campaign_coordinator"], dry_run=True
        )
    assert gettext("no such measure") in str(refused.value.problems)  # German by default
    assert SECRET not in str(refused.value.problems)
    assert not world["campaign"].related_measures.exists()


def test_admin_filter_names_only_visible_plans(client, world):
    PlanVersion.objects.create(
        plan=world["own"],
        label="Stand Mai 2011",
        slug="stand-mai-2011",
        snapshot={},
        date=datetime.date(2011, 5, 1),
    )
    client.force_login(world["coordinator"])
    page = client.get(reverse("admin:versions_planversion_changelist"))
    assert page.status_code == 200
    html = page.content.decode()
    assert world["own"].title in html
    assert world["draft_plan"].title not in html


def test_history_names_a_hidden_linked_measure_by_number_only(client, world):
    """A link recorded before the choices were limited (or made by a superuser) stays in the
    measure's history; its readers see the title only of what they may see themselves."""
    from django.contrib.auth.models import AnonymousUser

    from history.diff import compare

    measure = world["own_measure"]
    measure.title = "Eigene, neu"
    measure.save()
    measure.related_measures.add(world["hidden"], world["public_other"])
    measure.title = "Eigene, verknüpft"
    measure.save()  # the history row that holds the links
    old, new = measure.history.order_by("history_date", "history_id")[1:3]
    hidden = f"#{world['hidden'].pk} (für Sie nicht sichtbar)"

    client.force_login(world["coordinator"])
    for url in (
        reverse("admin:actionplan_measure_history", args=[measure.pk]),
        reverse("admin:actionplan_measure_history_compare", args=[measure.pk])
        + f"?old={old.history_id}&new={new.history_id}",
    ):
        html = client.get(url).content.decode()
        assert SECRET not in html, url
        assert hidden in html and "Öffentlich woanders" in html, url

    superuser = UserFactory(username="chefin", is_staff=True, is_superuser=True)
    assert SECRET in str(compare(old, new, user=superuser).fields)
    public = str(compare(old, new, user=AnonymousUser()).fields)
    assert SECRET not in public and "Öffentlich woanders" in public
