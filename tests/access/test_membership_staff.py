"""The staff flag follows memberships: set with the first, cleared with the last, however the
membership is written (service, code, shell, bulk paths, loaddata, cascades)."""

import importlib
import json

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command

from access import rules
from access.models import AuditEvent, Membership
from access.services import membership_delete, membership_save
from campaigns.models import Campaign
from tests.factories import OrganisationFactory, PlanFactory, StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db

Role = Membership.Role


def _staff(user) -> bool:
    return get_user_model().objects.get(pk=user.pk).is_staff


@pytest.fixture
def plan():
    return PlanFactory()


@pytest.fixture
def newcomer():
    return UserFactory(username="neu", is_staff=False)


def test_membership_created_in_code_sets_the_flag(plan, newcomer):
    assert not _staff(newcomer)

    Membership.objects.create(user=newcomer, plan=plan, role=Role.READER)

    assert _staff(newcomer)
    assert newcomer.is_staff  # the instance the membership holds is updated too
    event = AuditEvent.objects.filter(action=AuditEvent.Action.PERMISSIONS_CHANGED).last()
    assert event.detail == "neu: staff=True superuser=False active=True"


def test_membership_of_a_campaign_sets_the_flag(newcomer):
    campaign = Campaign.objects.create(title="Kampagne", slug="kampagne", region="Leipzig")

    Membership.objects.create(user=newcomer, campaign=campaign, role=Role.EDITOR)

    assert _staff(newcomer)


def test_membership_service_sets_and_clears_the_flag(plan, newcomer):
    coordinator = StaffUserFactory(username="chefin")
    membership = Membership(user=newcomer, plan=plan, role=Role.READER)

    membership_save(membership, acting_user=coordinator)
    assert _staff(newcomer)

    membership_delete(membership, acting_user=coordinator)
    assert not _staff(newcomer)


def test_flag_is_kept_while_another_membership_remains(plan, newcomer):
    other = PlanFactory()
    first = Membership.objects.create(user=newcomer, plan=plan, role=Role.READER)
    Membership.objects.create(user=newcomer, plan=other, role=Role.COORDINATOR)

    first.delete()
    assert _staff(newcomer)

    Membership.objects.filter(user=newcomer).delete()  # the QuerySet path
    assert not _staff(newcomer)


def test_superuser_keeps_the_flag_without_membership(plan):
    root = StaffUserFactory(username="root")
    membership = Membership.objects.create(user=root, plan=plan, role=Role.READER)

    membership.delete()

    assert _staff(root)


def test_deleting_the_plan_clears_the_flag_of_its_members(plan, newcomer):
    Membership.objects.create(user=newcomer, plan=plan, role=Role.READER)
    assert _staff(newcomer)

    plan.delete()

    assert not Membership.objects.filter(user=newcomer).exists()
    assert not _staff(newcomer)


def test_moving_a_membership_to_another_account_moves_the_flag(plan, newcomer):
    successor = UserFactory(username="nachfolge", is_staff=False)
    membership = Membership.objects.create(user=newcomer, plan=plan, role=Role.READER)
    membership = Membership.objects.get(pk=membership.pk)  # as read from the database

    membership.user = successor
    membership.save()

    assert (_staff(newcomer), _staff(successor)) == (False, True)


def test_bulk_create_and_update_keep_the_flag_in_step(plan, newcomer):
    successor = UserFactory(username="nachfolge", is_staff=False)

    Membership.objects.bulk_create([Membership(user=newcomer, plan=plan, role=Role.READER)])
    assert _staff(newcomer)

    Membership.objects.filter(user=newcomer).update(user=successor)
    assert (_staff(newcomer), _staff(successor)) == (False, True)


def test_a_stale_user_object_does_not_write_the_old_flag_back(plan, newcomer):
    Membership.objects.create(user=newcomer, plan=plan, role=Role.READER)
    newcomer.first_name = "Nele"

    newcomer.save()  # the object the membership was created with

    assert _staff(newcomer)


def test_membership_loaded_as_an_import_sets_the_flag(plan, newcomer, tmp_path):
    """``manage.py loaddata`` (the serialized import) saves rows raw, without services."""
    fixture = tmp_path / "mitglieder.json"
    fixture.write_text(
        json.dumps(
            [
                {
                    "model": "access.membership",
                    "pk": 9001,
                    "fields": {
                        "user": newcomer.pk,
                        "plan": plan.pk,
                        "campaign": None,
                        "role": "editor",
                        "organisation": OrganisationFactory().pk,
                        "created_at": "2026-12-01T10:00:00Z",
                    },
                }
            ]
        )
    )
    assert not _staff(newcomer)

    call_command("loaddata", str(fixture), verbosity=0)

    assert Membership.objects.filter(pk=9001, user=newcomer).exists()
    assert _staff(newcomer)


def test_deleting_an_account_with_memberships_works(plan, newcomer):
    Membership.objects.create(user=newcomer, plan=plan, role=Role.READER)

    newcomer.delete()

    assert not get_user_model().objects.filter(username="neu").exists()


def test_should_be_staff_rule(plan, newcomer):
    root = StaffUserFactory(username="root")
    legacy = UserFactory(username="alt", is_staff=True)  # staff without any membership
    assert (rules.should_be_staff(newcomer), rules.should_be_staff(root)) == (False, True)
    assert not rules.should_be_staff(legacy)

    Membership.objects.create(user=newcomer, plan=plan, role=Role.READER)

    assert rules.should_be_staff(newcomer)


def test_data_migration_makes_existing_members_staff(plan, newcomer):
    outsider = UserFactory(username="aussen", is_staff=False)
    Membership.objects.create(user=newcomer, plan=plan, role=Role.READER)
    get_user_model().objects.filter(pk=newcomer.pk).update(is_staff=False)  # as before
    migration = importlib.import_module("access.migrations.0003_invitations_and_staff_flag")

    migration.members_become_staff(apps, None)

    assert (_staff(newcomer), _staff(outsider)) == (True, False)
    assert AuditEvent.objects.filter(detail__startswith="neu: staff=True").exists()
