"""Shared data of the start-page tests: a plan with the Kulturamt's measures in every state."""

import datetime

import pytest
from django.utils import timezone

from access.models import Membership
from actionplan import models as ap
from actionplan.services import measure_set_state
from tests.browser import conftest as browser_conftest
from tests.factories import (
    BudgetLineFactory,
    FieldOfActionFactory,
    MeasureFactory,
    OrganisationFactory,
    PlanFactory,
    ResponsibilityFactory,
    ScheduleEntryFactory,
    StaffUserFactory,
    UserFactory,
)

Role = Membership.Role


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def dated_entry(measure, due, label, position=1):
    return ScheduleEntryFactory(
        measure=measure, label=label, start_date=due, end_date=due, position=position
    )


def complete(measure, org, *, lead=True, budget=True, due=None):
    """A responsibility (lead) for ``org``, a budget line and a dated schedule entry."""
    ResponsibilityFactory(
        measure=measure,
        organisation=org,
        role=ap.Responsibility.Role.LEAD if lead else ap.Responsibility.Role.RESPONSIBLE,
    )
    if budget:
        BudgetLineFactory(measure=measure)
    if due is not None:
        dated_entry(measure, due, f"Termin {measure.title}")


@pytest.fixture
def world(db):
    """A plan with measures of the Kulturamt (draft sent back, in review, published with a
    milestone in 10 days and one overdue) and one of the Wirtschaftsförderung; its coordinator
    (Clara Koordinatorin), an editor for the Kulturamt, a reader, a superuser."""
    plan = PlanFactory(title="Maßnahmenplan Leipzig", slug="leipzig")
    field = FieldOfActionFactory(plan=plan, position=1, title="Kultur")
    kulturamt = OrganisationFactory(name="Kulturamt")
    wirtschaft = OrganisationFactory(name="Wirtschaftsförderung")
    users = {
        "coordinator": UserFactory(
            username="koordination", first_name="Clara", last_name="Koordinatorin", is_staff=True
        ),
        "editor": UserFactory(username="redaktion", is_staff=True),
        "reader": UserFactory(username="lesen", is_staff=True),
        "superuser": StaffUserFactory(username="super"),
        "staff": UserFactory(username="staff-ohne-rolle", is_staff=True),
    }
    for name, role, org in (
        ("coordinator", Role.COORDINATOR, None),
        ("editor", Role.EDITOR, kulturamt),
        ("reader", Role.READER, None),
    ):
        Membership.objects.create(user=users[name], plan=plan, role=role, organisation=org)

    sent_back = MeasureFactory(field=field, title="Stadtteilfeste", state="draft")
    complete(sent_back, kulturamt, due=days(-40))
    in_review = MeasureFactory(field=field, title="Kreativquartier", state="draft")
    complete(in_review, kulturamt, budget=False, due=days(200))
    published = MeasureFactory(field=field, title="Kulturpass", state="published")
    complete(published, kulturamt, due=days(10))
    foreign = MeasureFactory(field=field, title="Gründerzentrum", state="published")
    complete(foreign, wirtschaft, lead=False, due=days(5))

    coordinator = users["coordinator"]
    measure_set_state(measure=sent_back, state="review", acting_user=users["editor"])
    measure_set_state(
        measure=sent_back,
        state="draft",
        acting_user=coordinator,
        comment="Bitte den Zeitplan prüfen.",
    )
    measure_set_state(measure=in_review, state="review", acting_user=users["editor"])
    return {
        "plan": plan,
        "field": field,
        "kulturamt": kulturamt,
        "wirtschaft": wirtschaft,
        "users": users,
        "sent_back": sent_back,
        "in_review": in_review,
        "published": published,
        "foreign": foreign,
    }


def login(client, world, name):
    client.force_login(world["users"][name])
    return client


# The browser fixtures (Chromium, live server URL) for tests/workbench/*_browser.py.
chromium_browser = browser_conftest.chromium_browser
live_url = browser_conftest.live_url
