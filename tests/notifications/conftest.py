"""A plan with two coordinators and editors of three organisations around one measure, which
the unit below the Kulturamt is responsible for."""

from dataclasses import dataclass

import pytest

from access.models import Membership
from actionplan import models as ap
from tests.factories import (
    MeasureFactory,
    OrganisationFactory,
    PlanFactory,
    ResponsibilityFactory,
    UserFactory,
)
from tests.smtp_support import smtp_server  # noqa: F401 (a fixture for the tests here)

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@dataclass
class World:
    plan: ap.Plan
    measure: ap.Measure
    other: ap.Measure  # the Wirtschaftsförderung's measure
    users: dict


@pytest.fixture
def inline_tasks(settings):
    """Notification jobs run at once, in the test's thread."""
    settings.TASKS = IMMEDIATE


@pytest.fixture
def world(db, settings):
    return build_world(settings)


def build_world(settings) -> World:
    settings.PLANWERK_BASE_URL = "https://plan.example.org"
    settings.DEFAULT_FROM_EMAIL = "Planwerk <planwerk@example.org>"
    city = OrganisationFactory(name="Stadt Leipzig")
    kulturamt = OrganisationFactory(name="Kulturamt", parent=city)
    unit = OrganisationFactory(name="Abteilung Kulturförderung", parent=kulturamt)
    wirtschaft = OrganisationFactory(name="Wirtschaftsförderung", parent=city)
    plan = PlanFactory(slug="leipzig", title="Maßnahmenplan Leipzig")
    field = ap.FieldOfAction.objects.create(plan=plan, position=1, title="Kreativwirtschaft")
    measure = MeasureFactory(
        field=field, code="A", title="Kreativquartier <Plagwitz>", state=ap.Measure.State.DRAFT
    )
    ResponsibilityFactory(measure=measure, organisation=unit, position=1)
    other = MeasureFactory(field=field, code="B", title="Gewerbehof", state=ap.Measure.State.DRAFT)
    ResponsibilityFactory(measure=other, organisation=wirtschaft, position=1)
    other_plan = PlanFactory(slug="dresden", title="Maßnahmenplan Dresden")

    users = {
        name: UserFactory(username=name, first_name=first, last_name=last, is_staff=True)
        for name, first, last in (
            ("coord", "Clara", "Koordinatorin"),
            ("coord2", "Carl", "Koordinator"),
            ("editor", "Erika", "Kulturamt"),
            ("unit_editor", "Uwe", "Einheit"),
            ("city_editor", "Stefan", "Stadt"),
            ("other_editor", "Otto", "Wirtschaft"),
            ("reader", "Rita", "Leserin"),
            ("elsewhere", "Eva", "Dresden"),
            ("no_email", "Nora", "Ohne"),
            ("inactive", "Ina", "Inaktiv"),
        )
    }
    users["no_email"].email = ""
    users["no_email"].save()
    users["inactive"].is_active = False
    users["inactive"].save()
    Role = Membership.Role
    for name, target, role, org in (
        ("coord", plan, Role.COORDINATOR, None),
        ("coord2", plan, Role.COORDINATOR, None),
        ("editor", plan, Role.EDITOR, kulturamt),
        ("unit_editor", plan, Role.EDITOR, unit),
        ("city_editor", plan, Role.EDITOR, city),
        ("other_editor", plan, Role.EDITOR, wirtschaft),
        ("reader", plan, Role.READER, None),
        ("elsewhere", other_plan, Role.COORDINATOR, None),
        ("elsewhere", other_plan, Role.EDITOR, kulturamt),
        ("no_email", plan, Role.EDITOR, kulturamt),
        ("inactive", plan, Role.COORDINATOR, None),
    ):
        Membership.objects.create(user=users[name], plan=target, role=role, organisation=org)
    return World(plan=plan, measure=measure, other=other, users=users)
