"""Duplicate vocabulary entries merged by a data migration that keeps history and links."""

import json
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.forms import modelform_factory
from django.urls import reverse

from access.models import Membership
from actionplan import models as ap
from actionplan.admin_merge import VocabularyForm
from actionplan.vocabulary import merge_demo_duplicates, vocabulary_merge
from campaigns.models import Campaign
from tests.factories import (
    BudgetLineFactory,
    MeasureFactory,
    OrganisationFactory,
    PlanFactory,
    TargetGroupFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_merge_moves_links_keeps_one_entry_and_records_history():
    keep = TargetGroupFactory(name="Unternehmen")
    duplicate = TargetGroupFactory(name="Unternehmer")
    both, only_duplicate = MeasureFactory(), MeasureFactory()
    both.target_groups.add(keep, duplicate)
    only_duplicate.target_groups.add(duplicate)
    campaign = Campaign.objects.create(title="Stadt der Städte", slug="sds", region="Ruhr")
    campaign.target_groups.add(duplicate)
    before = both.history.count()

    merge_demo_duplicates(apps)

    assert list(ap.TargetGroup.objects.filter(name__startswith="Unternehme")) == [keep]
    assert list(both.target_groups.all()) == [keep]
    assert list(only_duplicate.target_groups.all()) == [keep]
    assert list(campaign.target_groups.all()) == [keep]
    deleted = ap.TargetGroup.history.filter(id=duplicate.pk, history_type="-").get()
    assert "Unternehmen" in deleted.history_change_reason
    assert both.history.count() == before + 1
    latest = both.history.order_by("-history_date", "-history_id").first()
    assert [row.targetgroup_id for row in latest.target_groups.all()] == [keep.pk]


def test_merge_does_nothing_without_both_entries():
    keep = TargetGroupFactory(name="Unternehmen")
    merge_demo_duplicates(apps)
    assert list(ap.TargetGroup.objects.all()) == [keep]


def test_demo_data_no_longer_creates_the_duplicate():
    document = json.loads(Path("fixtures/campaigns.json").read_text(encoding="utf-8"))
    text = json.dumps(document, ensure_ascii=False)
    assert '"Unternehmer"' not in text and '"Unternehmen"' in text


def test_migration_merges_with_the_migration_state_models():
    state = MigrationExecutor(connection).loader.project_state(
        ("actionplan", "0011_merge_duplicate_target_groups")
    )
    keep = TargetGroupFactory(name="Unternehmen")
    duplicate = TargetGroupFactory(name="Unternehmer")
    measure = MeasureFactory()
    measure.target_groups.add(duplicate)

    merge_demo_duplicates(state.apps)

    assert list(measure.target_groups.all()) == [keep]
    assert not ap.TargetGroup.objects.filter(pk=duplicate.pk).exists()
    assert ap.TargetGroup.history.filter(id=duplicate.pk, history_type="-").count() == 1
    latest = measure.history.order_by("-history_date", "-history_id").first()
    assert latest.history_type == "~" and "Unternehmer" in latest.history_change_reason
    assert [row.targetgroup_id for row in latest.target_groups.all()] == [keep.pk]


def test_merge_of_budget_categories_repoints_budget_lines():
    keep = ap.BudgetCategory.objects.create(name="Personalkosten")
    duplicate = ap.BudgetCategory.objects.create(name="Personalkosten ")
    line = BudgetLineFactory(category=duplicate)
    vocabulary_merge(apps, duplicate, keep)
    line.refresh_from_db()
    assert line.category == keep
    assert line.history.first().history_change_reason.startswith("„Personalkosten")


@pytest.fixture
def coordinator_and_editor(db):
    org = OrganisationFactory(name="Kulturamt")
    plan = PlanFactory()
    coord = UserFactory(username="coord", is_staff=True)
    editor = UserFactory(username="editor", is_staff=True)
    Membership.objects.create(user=coord, plan=plan, role=Membership.Role.COORDINATOR)
    Membership.objects.create(user=editor, plan=plan, role=Membership.Role.EDITOR, organisation=org)
    return coord, editor


CHANGELIST = reverse("admin:actionplan_targetgroup_changelist")


def test_admin_merge_action_asks_then_merges_for_coordinators(client, coordinator_and_editor):
    coord, _editor = coordinator_and_editor
    keep = TargetGroupFactory(name="Unternehmen")
    duplicate = TargetGroupFactory(name="Unternehmer")
    measure = MeasureFactory()
    measure.target_groups.add(duplicate)
    client.force_login(coord)
    selected = {"action": "merge", ACTION_CHECKBOX_NAME: [keep.pk, duplicate.pk]}
    page = client.post(CHANGELIST, selected)
    assert page.status_code == 200
    assert "Diesen Eintrag behalten" in page.content.decode()
    assert ap.TargetGroup.objects.count() == 2
    done = client.post(CHANGELIST, {**selected, "post": "yes", "keep": keep.pk})
    assert done.status_code == 302
    assert list(ap.TargetGroup.objects.all()) == [keep]
    assert list(measure.target_groups.all()) == [keep]
    deleted = ap.TargetGroup.history.get(id=duplicate.pk, history_type="-")
    assert deleted.history_user == coord


def test_editors_cannot_merge(client, coordinator_and_editor):
    _coord, editor = coordinator_and_editor
    keep = TargetGroupFactory(name="Unternehmen")
    duplicate = TargetGroupFactory(name="Unternehmer")
    client.force_login(editor)
    client.post(
        CHANGELIST,
        {"action": "merge", ACTION_CHECKBOX_NAME: [duplicate.pk], "post": "yes", "keep": keep.pk},
    )
    assert ap.TargetGroup.objects.count() == 2


def test_vocabulary_form_refuses_a_name_differing_only_in_case():
    TargetGroupFactory(name="Unternehmen")
    admin_form = modelform_factory(ap.TargetGroup, form=VocabularyForm, fields=["name", "position"])
    bound = admin_form({"name": " unternehmen ", "position": 0})
    assert not bound.is_valid()
    assert "Unternehmen" in bound.errors["name"][0]
    assert admin_form({"name": "Unternehmer", "position": 0}).is_valid()
