from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from access.models import Membership
from actionplan import models as ap
from tests.factories import (
    BudgetLineFactory,
    MeasureFactory,
    OrganisationFactory,
    ResponsibilityFactory,
    ScheduleEntryFactory,
    StaffUserFactory,
    StepFactory,
    TargetGroupFactory,
    UserFactory,
)

Role = Membership.Role


def admin_url(obj_or_model, view, *args):
    opts = obj_or_model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def compare_url(obj, old, new):
    return admin_url(obj, "history_compare", obj.pk) + f"?old={old.history_id}&new={new.history_id}"


def revert_url(obj, record):
    return admin_url(obj, "history_revert", obj.pk, record.history_id)


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def snapshot(measure):
    """Everything a revert must restore: the measure's fields and its rows, by primary key."""
    measure = ap.Measure.objects.get(pk=measure.pk)

    def rows(qs, *names):
        return {obj.pk: tuple(getattr(obj, n) for n in names) for obj in qs}

    return {
        "measure": (
            measure.title,
            measure.description,
            measure.status,
            measure.code,
            measure.position,
        ),
        "target_groups": set(measure.target_groups.values_list("pk", flat=True)),
        "steps": rows(measure.steps.all(), "position", "parent_id", "text"),
        "schedule": rows(
            measure.schedule.all(), "position", "label", "start_date", "end_date", "dating"
        ),
        "responsibilities": rows(
            measure.responsibilities.all(), "position", "role", "organisation_id", "note"
        ),
        "budget": rows(
            measure.budget_lines.all(), "position", "category_id", "planned_amount", "note"
        ),
    }


@pytest.fixture
def org_a(db):
    return OrganisationFactory(name="Amt für Wirtschaftsförderung")


@pytest.fixture
def measure(db, org_a):
    """A measure with every kind of row, in its first version."""
    measure = MeasureFactory(
        title="Stadtmarketing stärken",
        code="A",
        description="Die Stadt wirbt gemeinsam mit den Kreativen für den Standort Leipzig.",
        state=ap.Measure.State.PUBLISHED,
    )
    measure.target_groups.add(TargetGroupFactory(name="Kreative"))
    first = StepFactory(measure=measure, position=1, text="Erster Schritt")
    StepFactory(measure=measure, parent=first, position=1, text="Unterschritt")
    StepFactory(measure=measure, position=2, text="Zweiter Schritt")
    ScheduleEntryFactory(measure=measure, position=1, label="II. Quartal 2011")
    ResponsibilityFactory(measure=measure, position=1, organisation=org_a)
    BudgetLineFactory(measure=measure, position=1, planned_amount=Decimal("1000.00"))
    return measure


@pytest.fixture
def users(db, measure, org_a):
    """Roles on the measure's plan: coordinator, an editor for the measure's organisation, an
    editor for another organisation, a reader; a coordinator of another plan; a superuser."""
    plan = measure.field.plan
    other_org = OrganisationFactory(name="Kulturamt")
    result = {}
    for key, role, org in (
        ("coordinator", Role.COORDINATOR, None),
        ("editor", Role.EDITOR, org_a),
        ("other_editor", Role.EDITOR, other_org),
        ("reader", Role.READER, None),
    ):
        result[key] = UserFactory(username=key, first_name=key.capitalize(), is_staff=True)
        Membership.objects.create(user=result[key], plan=plan, role=role, organisation=org)
    outsider = UserFactory(username="outsider", is_staff=True)
    other_plan = MeasureFactory().field.plan
    Membership.objects.create(user=outsider, plan=other_plan, role=Role.COORDINATOR)
    result["outsider"] = outsider
    result["superuser"] = StaffUserFactory(username="root")
    result["anonymous"] = None
    return result


def change_measure(measure, *, when=None):
    """A second version: texts, a target group, and every kind of row added, removed, changed."""
    measure = ap.Measure.objects.get(pk=measure.pk)
    measure.title = "Stadtmarketing gemeinsam stärken"
    measure.description = (
        "Die Stadt wirbt gemeinsam mit allen Kreativen und Unternehmen für den Standort Leipzig."
    )
    measure.status = ap.Measure.Status.IN_PROGRESS
    measure.save()
    measure.target_groups.add(TargetGroupFactory(name="Unternehmen"))
    first = measure.steps.get(position=1, parent=None)
    first.text = "Erster Schritt, überarbeitet"
    first.save()
    measure.steps.get(position=2, parent=None).delete()
    StepFactory(measure=measure, position=3, text="Neuer dritter Schritt")
    entry = measure.schedule.get()
    entry.label = "IV. Quartal 2012"
    entry.save()
    line = measure.budget_lines.get()
    line.planned_amount = Decimal("2500.00")
    line.save()
    ResponsibilityFactory(measure=measure, position=2, organisation=OrganisationFactory(name="Neu"))
    return measure
