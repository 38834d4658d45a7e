"""A measure with many and long inline rows, and the people who edit it."""

from dataclasses import dataclass

from access.models import Membership
from actionplan import models as ap
from tests.factories import (
    BudgetLineFactory,
    MeasureFactory,
    OrganisationFactory,
    PersonFactory,
    ResponsibilityFactory,
    ScheduleEntryFactory,
    StepFactory,
    TargetGroupFactory,
    UserFactory,
)

ROWS = {"steps": 8, "schedule": 6, "responsibilities": 5, "budget": 4}
LONG = (
    "Abstimmung mit den Fachämtern, den Trägern der Kreativwirtschaft und den "
    "Quartiersmanagements über Räume, Termine und die gemeinsame Öffentlichkeitsarbeit"
)
SCHEDULE_LABELS = [
    "Januar 2011: Arbeitsaufnahme",
    "21. Februar 2011: öffentliche Vorstellung bei der Veranstaltung im Werk II",
    "II. Quartal 2011",
    "März 2011 – Dezember 2012: Umsetzung in allen beteiligten Stadtteilen",
    "Herbst 2012",
    "2013 ff.",
]


@dataclass
class Workbench:
    measure: ap.Measure
    coordinator: object
    editor: object


def measure_with_many_rows() -> Workbench:
    """A measure of a published plan with long rows in every inline, its plan's coordinator
    and an editor whose organisation leads it."""
    lead = OrganisationFactory(name="Amt für Stadterneuerung und Wohnungsbauförderung")
    measure = MeasureFactory(
        code="A",
        title="Einrichtung, Nutzung und Stärkung einer ‚Kontaktstelle Kreativwirtschaft‘ als "
        "Querschnittsstelle zu den Akteuren",
        description=LONG,
    )
    measure.target_groups.set([TargetGroupFactory(name=f"Zielgruppe {i}") for i in range(3)])
    measure.related_measures.set([MeasureFactory(field=measure.field)])
    for i in range(ROWS["steps"]):
        StepFactory(measure=measure, position=i + 1, text=f"{i + 1}. {LONG}")
    for i, label in enumerate(SCHEDULE_LABELS[: ROWS["schedule"]]):
        entry = ScheduleEntryFactory.build(measure=measure, position=i + 1, label=label)
        entry.apply_dates()
        entry.save()
    ResponsibilityFactory(
        measure=measure, position=1, organisation=lead, role=ap.Responsibility.Role.LEAD
    )
    for i in range(1, ROWS["responsibilities"]):
        ResponsibilityFactory(
            measure=measure,
            position=i + 1,
            person=PersonFactory(),
            note=f"Ansprechpartner für Teilprojekt {i}, erreichbar dienstags und donnerstags",
        )
    for i in range(ROWS["budget"]):
        BudgetLineFactory(
            measure=measure,
            position=i + 1,
            planned_amount=1250 * (i + 1),
            actual_amount=1000 * i,
            note="Kofinanzierung aus dem Programm ‚Stärken vor Ort‘, Anteil der Stadt Leipzig",
        )
    plan = measure.field.plan
    coordinator = UserFactory(username="koordination", is_staff=True)
    editor = UserFactory(username="redaktion", is_staff=True)
    Membership.objects.create(user=coordinator, plan=plan, role=Membership.Role.COORDINATOR)
    Membership.objects.create(
        user=editor, plan=plan, role=Membership.Role.EDITOR, organisation=lead
    )
    return Workbench(measure=measure, coordinator=coordinator, editor=editor)
