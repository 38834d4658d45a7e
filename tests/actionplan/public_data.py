"""Test data for the public pages: a Leipzig-shaped plan with every kind of content."""

import datetime
from decimal import Decimal

from actionplan import models as ap
from tests.factories import (
    BudgetCategoryFactory,
    FundingSourceFactory,
    OrganisationFactory,
    PersonFactory,
    PlanFactory,
    TargetGroupFactory,
)


def _entry(measure, position, label):
    """A schedule entry dated by the schedule parser, the way the admin and the import make it."""
    return ap.ScheduleEntry.objects.create(measure=measure, position=position, label=label)


def build_rich_plan(*, slug="leipzig", status=ap.Plan.Status.PUBLISHED, fields=5) -> ap.Plan:
    """Five fields of two measures each (Leipzig has 5 fields and 10 measures)."""
    city = OrganisationFactory(name=f"Stadt {slug}", short_name="", kind="city")
    culture = OrganisationFactory(name=f"Kulturamt {slug}", parent=city, email="kultur@example.org")
    economy = OrganisationFactory(name=f"Amt für Wirtschaftsförderung {slug}", parent=city)
    agency = OrganisationFactory(name=f"Aufbauwerk {slug}", kind="company", phone="0341/140")
    lead = PersonFactory(
        first_name="Susanne",
        last_name=f"Kucharski-{slug}",
        function="Amtsleiterin",
        organisation=culture,
        phone="0341/1234280",
        email=f"susanne@{slug}.example.org",
        public_contact=True,
    )
    shy = PersonFactory(
        salutation="herr",
        first_name="Michael",
        last_name=f"Verborgen-{slug}",
        organisation=economy,
        phone="0341/999-SECRET",
        email=f"secret@{slug}.example.org",
        public_contact=False,
    )
    plan = PlanFactory(
        slug=slug,
        title=f"Lokaler Maßnahmenplan {slug.title()}",
        subtitle="Joint Action Plan",
        status=status,
        issued_on=datetime.date(2011, 5, 1),
        issued_label="Mai 2011",
        project_lead=lead,
        author_organisation=culture,
    )
    groups = [TargetGroupFactory(name=n) for n in ("Stadtverwaltung", "Unternehmen der KKW")]
    personal = BudgetCategoryFactory(name="Personalkosten")
    orders = BudgetCategoryFactory(name="Auftragsvergabe")
    source = FundingSourceFactory(name="Creative Cities")
    titles = [
        "Netzwerke",
        "Bildung & Beschäftigung",
        "Marketing",
        "Stadtentwicklung",
        "Finanzierung",
    ]
    for f in range(fields):
        title = titles[f % len(titles)] + ("" if f < len(titles) else f" {f}")
        field = ap.FieldOfAction.objects.create(
            plan=plan,
            position=f + 1,
            title=title,
            target_state=f"Zielzustand für {title}.",
            lead_organisation=agency if f % 2 == 0 else economy,
            lead_note="in enger Abstimmung mit dem Stadtplanungsamt" if f == 3 else "",
        )
        ap.FieldContact.objects.create(field=field, person=lead if f % 2 == 0 else shy, position=1)
        for i, swot in enumerate(["weakness", "strength", "unclassified"] if f == 0 else []):
            ap.BaselineFinding.objects.create(
                field=field, position=i + 1, text=f"Befund {title} {i + 1}", swot=swot
            )
        if f:
            ap.BaselineFinding.objects.create(
                field=field, position=1, text=f"fehlende Netzwerke in {title}"
            )
        for m in range(2):
            measure = ap.Measure.objects.create(
                field=field,
                position=m + 1,
                code="AB"[m],
                title=f"Maßnahme {title} {'AB'[m]}",
                description="Beschreibung der Maßnahme." if m == 0 else "",
                status=ap.Measure.Status.values[(f + m) % 5],
                state=ap.Measure.State.PUBLISHED,
            )
            measure.target_groups.set(groups[: m + 1])
            parent = ap.Step.objects.create(measure=measure, position=1, text="Erfassung")
            ap.Step.objects.create(
                measure=measure, parent=parent, position=1, text="Unterpunkt der Erfassung"
            )
            ap.Step.objects.create(measure=measure, position=2, text="Umsetzung der Schritte")
            _entry(measure, 1, "März 2011 – Dezember 2012: Umsetzung")
            _entry(measure, 2, "ab Q3 2011")
            _entry(measure, 3, "im Anschluss an Mapping")
            ap.Responsibility.objects.create(
                measure=measure,
                position=1,
                organisation=agency if m == 0 else economy,
                role=ap.Responsibility.Role.LEAD,
                note="Einrichtung und Unterhaltung",
            )
            ap.Responsibility.objects.create(
                measure=measure,
                position=2,
                organisation=culture,
                person=shy,
                role=ap.Responsibility.Role.TUTOR,
            )
            ap.BudgetLine.objects.create(
                measure=measure,
                position=1,
                category=personal,
                funding_source=source,
                planned_amount=Decimal("12500.00"),
                actual_amount=Decimal("1000.50"),
            )
            ap.BudgetLine.objects.create(
                measure=measure,
                position=2,
                category=orders,
                funding_source=source,
                planned_amount=Decimal("2500.00"),
            )
    measures = list(ap.Measure.objects.filter(field__plan=plan).order_by("pk"))
    measures[0].related_measures.add(measures[2])
    measures[3].related_measures.add(measures[0])
    return plan
