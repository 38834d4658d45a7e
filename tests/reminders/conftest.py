"""A plan with milestones around 15 June 2011 (the frozen "today") and the editors of two
organisations, plus users who must get nothing."""

import datetime
from dataclasses import dataclass

import pytest
import time_machine

from access.models import Membership
from actionplan import models as ap
from reminders.models import ReminderPreference
from tests.factories import (
    MeasureFactory,
    OrganisationFactory,
    PlanFactory,
    ResponsibilityFactory,
    ScheduleEntryFactory,
    UserFactory,
)
from tests.smtp_support import smtp_server  # noqa: F401 (a fixture for the tests here)

BERLIN = datetime.timezone(datetime.timedelta(hours=2))
NOW = datetime.datetime(2011, 6, 15, 7, 0, tzinfo=BERLIN)  # a Wednesday
TODAY = NOW.date()
MONDAY = datetime.date(2011, 6, 13)


@dataclass
class World:
    plan: ap.Plan
    users: dict
    measures: dict


def _measure(field, code, title, org, labels, **kwargs):
    measure = MeasureFactory(field=field, code=code, title=title, **kwargs)
    ResponsibilityFactory(measure=measure, organisation=org, position=1)
    for position, label in enumerate(labels, start=1):
        ScheduleEntryFactory(measure=measure, position=position, label=label)
    return measure


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(db, settings):
    settings.PLANWERK_BASE_URL = "https://plan.example.org"
    settings.DEFAULT_FROM_EMAIL = "Planwerk <planwerk@example.org>"
    org_a = OrganisationFactory(name="Kulturamt")
    org_a_unit = OrganisationFactory(name="Abteilung Kulturförderung", parent=org_a)
    org_b = OrganisationFactory(name="Amt für Wirtschaftsförderung")
    plan = PlanFactory(slug="leipzig", title="Maßnahmenplan Leipzig")
    field = ap.FieldOfAction.objects.create(plan=plan, position=1, title="Kreativwirtschaft")
    published, draft = ap.Measure.State.PUBLISHED, ap.Measure.State.DRAFT
    measures = {
        "a": _measure(
            field,
            "A",
            "Kreativquartier <Plagwitz>",
            org_a,
            [
                "II. Quartal 2011",  # ends 30 June: due
                "I. Quartal 2011",  # ended 31 March: overdue
                "Herbst 2011",  # ends 30 November: later than 30 days
                "im Anschluss an Mapping",  # undated
                "ab 1. Juli 2011",  # open start on 1 July: due
            ],
            state=published,
        ),
        "a_draft": _measure(field, "B", "Entwurf A", org_a, ["bis 20. Juni 2011"], state=draft),
        "a_unit": _measure(field, "C", "Förderprogramm", org_a_unit, ["Mai 2011"], state=published),
        "a_done": _measure(
            field,
            "D",
            "Erledigt",
            org_a,
            ["I. Quartal 2011"],
            state=published,
            status=ap.Measure.Status.COMPLETED,
        ),
        "b": _measure(field, "E", "Gewerbehof", org_b, ["Juni 2011"], state=published),
    }
    # A draft plan in which organisation A also has a measure; editor A has no role in it.
    secret_plan = PlanFactory(slug="geheim", title="Geheimplan", status=ap.Plan.Status.DRAFT)
    secret_field = ap.FieldOfAction.objects.create(plan=secret_plan, position=1, title="Geheim")
    measures["secret"] = _measure(
        secret_field, "F", "Geheimprojekt", org_a, ["Juni 2011"], state=draft
    )

    users = {
        "editor_a": UserFactory(username="editor_a", first_name="Anna", last_name="Amt"),
        "editor_b": UserFactory(username="editor_b", first_name="Ben", last_name="Brown"),
        "opted_out": UserFactory(username="opted_out"),
        "inactive": UserFactory(username="inactive", is_active=False),
        "no_email": UserFactory(username="no_email", email=""),
        "coordinator": UserFactory(username="coordinator"),
        "reader": UserFactory(username="reader"),
    }
    Role = Membership.Role
    for name, role, org in (
        ("editor_a", Role.EDITOR, org_a),
        ("editor_b", Role.EDITOR, org_b),
        ("opted_out", Role.EDITOR, org_a),
        ("inactive", Role.EDITOR, org_a),
        ("no_email", Role.EDITOR, org_a),
        ("coordinator", Role.COORDINATOR, None),
        ("reader", Role.READER, None),
    ):
        Membership.objects.create(user=users[name], plan=plan, role=role, organisation=org)
    ReminderPreference.objects.create(user=users["editor_b"], language="en")
    ReminderPreference.objects.create(user=users["opted_out"], opted_out_at=NOW)
    return World(plan=plan, users=users, measures=measures)
