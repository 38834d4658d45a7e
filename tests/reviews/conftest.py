"""A published plan whose first measure is organisation B's, with an editor of B, a
coordinator and the other roles of the permission matrix."""

from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from access.models import Membership
from actionplan import models as ap
from tests.actionplan.admin_support import change_form_data, inline_prefix
from tests.factories import OrganisationFactory, StaffUserFactory, UserFactory, build_plan

Role = Membership.Role


@dataclass
class Team:
    plan: ap.Plan
    measure: ap.Measure
    other_measure: ap.Measure
    users: dict

    def client(self, role) -> Client:
        client = Client()
        if self.users.get(role) is not None:
            client.force_login(self.users[role])
        return client


@pytest.fixture
def team(db):
    plan = build_plan(fields=1, measures_per_field=2, steps_per_measure=2, slug="offen")
    other_plan = build_plan(fields=1, measures_per_field=1, steps_per_measure=1, slug="anders")
    measure, other_measure = ap.Measure.objects.filter(field__plan=plan).order_by("position")
    measure.title, measure.description = "Radwege", "Alte Beschreibung der Radwege."
    measure.save()
    org_a = OrganisationFactory(name="Amt A")
    org_b = OrganisationFactory(name="Amt B")
    ap.Responsibility.objects.filter(measure__in=[measure, other_measure]).delete()
    ap.Responsibility.objects.create(
        measure=measure, organisation=org_b, position=1, role=ap.Responsibility.Role.LEAD
    )
    ap.Responsibility.objects.create(
        measure=other_measure, organisation=org_a, position=1, role=ap.Responsibility.Role.LEAD
    )
    users = {"anonymous": None, "superuser": StaffUserFactory(username="root")}
    users["staff"] = UserFactory(username="staff", is_staff=True)
    for role, name, org in (
        ("reader", Role.READER, None),
        ("editor_other_org", Role.EDITOR, org_a),
        ("editor", Role.EDITOR, org_b),
        ("coordinator", Role.COORDINATOR, None),
    ):
        users[role] = UserFactory(
            username=role, is_staff=True, first_name=role.capitalize(), last_name="Muster"
        )
        Membership.objects.create(user=users[role], plan=plan, role=name, organisation=org)
    users["other_coordinator"] = UserFactory(username="other", is_staff=True)
    Membership.objects.create(
        user=users["other_coordinator"], plan=other_plan, role=Role.COORDINATOR
    )
    measure.refresh_from_db()
    return Team(plan=plan, measure=measure, other_measure=other_measure, users=users)


def change_url(measure) -> str:
    return reverse("admin:actionplan_measure_change", args=[measure.pk])


def open_form(client, measure):
    response = client.get(change_url(measure))
    assert response.status_code == 200
    return change_form_data(response), response


def edit_measure(client, measure, *, description=None, new_step=None, submit=False, **extra):
    """Open the change form, change the description, add a step, save (and submit)."""
    data, response = open_form(client, measure)
    if description is not None:
        data["description"] = description
    if new_step is not None:
        prefix = inline_prefix(response, ap.Step)
        index = int(data[f"{prefix}-TOTAL_FORMS"])
        data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
        data[f"{prefix}-{index}-text"] = new_step
        data[f"{prefix}-{index}-position"] = str(index + 10)
        data[f"{prefix}-{index}-measure"] = str(measure.pk)
    data.update(extra)
    if submit:
        data["_submit_pending"] = "1"
    return client.post(change_url(measure), data)
