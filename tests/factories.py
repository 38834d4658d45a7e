"""factory_boy factories shared by the whole suite."""

import factory
from django.contrib.auth import get_user_model

from actionplan import models as ap
from contacts import models as ct


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("test-password-123")


class StaffUserFactory(UserFactory):
    is_staff = True
    is_superuser = True


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ct.Organisation

    name = factory.Sequence(lambda n: f"Amt {n}")
    short_name = factory.Sequence(lambda n: f"A{n}")
    kind = ct.Organisation.Kind.DEPARTMENT
    phone = "0341/123-0"
    email = factory.Sequence(lambda n: f"amt{n}@example.org")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ct.Person

    salutation = ct.Person.Salutation.FRAU
    first_name = factory.Sequence(lambda n: f"Erika{n}")
    last_name = factory.Sequence(lambda n: f"Muster{n}")
    organisation = factory.SubFactory(OrganisationFactory)
    phone = "0341/555-1"
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    public_contact = True


class TargetGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ap.TargetGroup
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Zielgruppe {n}")


class BudgetCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ap.BudgetCategory
        django_get_or_create = ("name",)

    name = factory.Iterator(
        ["Personalkosten", "Auftragsvergabe", "Mittel für Öffentlichkeitsarbeit"]
    )


class FundingSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ap.FundingSource
        django_get_or_create = ("name",)

    name = "Creative Cities"


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ap.Plan

    title = factory.Sequence(lambda n: f"Maßnahmenplan {n}")
    slug = factory.Sequence(lambda n: f"plan-{n}")
    subtitle = "Lokaler Maßnahmenplan"
    region = "Leipzig"
    issued_label = "Mai 2011"
    funding_note = "Dieses Projekt wird aus Mitteln des EFRE kofinanziert."
    introduction = "Einleitung des Plans."
    status = ap.Plan.Status.PUBLISHED


class FieldOfActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ap.FieldOfAction

    plan = factory.SubFactory(PlanFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Handlungsfeld {n}")
    target_state = "Ein erreichbarer Zielzustand."
    lead_organisation = factory.SubFactory(OrganisationFactory)


class BaselineFindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ap.BaselineFinding

    field = factory.SubFactory(FieldOfActionFactory)
    position = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Befund {n}")


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ap.Measure

    field = factory.SubFactory(FieldOfActionFactory)
    position = factory.Sequence(lambda n: n + 1)
    code = ""
    title = factory.Sequence(lambda n: f"Maßnahme {n}")
    state = ap.Measure.State.PUBLISHED


class StepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ap.Step

    measure = factory.SubFactory(MeasureFactory)
    position = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Schritt {n}")


class ScheduleEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ap.ScheduleEntry

    measure = factory.SubFactory(MeasureFactory)
    position = factory.Sequence(lambda n: n + 1)
    label = "März 2011 – Dezember 2012: Umsetzung"


class ResponsibilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ap.Responsibility

    measure = factory.SubFactory(MeasureFactory)
    position = factory.Sequence(lambda n: n + 1)
    organisation = factory.SubFactory(OrganisationFactory)
    role = ap.Responsibility.Role.RESPONSIBLE


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ap.BudgetLine

    measure = factory.SubFactory(MeasureFactory)
    position = factory.Sequence(lambda n: n + 1)
    category = factory.SubFactory(BudgetCategoryFactory)
    funding_source = factory.SubFactory(FundingSourceFactory)


def build_plan(
    *,
    fields: int = 3,
    measures_per_field: int = 4,
    steps_per_measure: int = 3,
    status: str = ap.Plan.Status.PUBLISHED,
    slug: str | None = None,
) -> ap.Plan:
    """A complete generated plan (bulk-created so large plans stay fast to build)."""
    plan = PlanFactory(status=status, **({"slug": slug} if slug else {}))
    orgs = OrganisationFactory.create_batch(3)
    person = PersonFactory(organisation=orgs[0])
    groups = [TargetGroupFactory(name=f"Zielgruppe {i}") for i in range(4)]
    categories = [BudgetCategoryFactory(name=n) for n in ("Personalkosten", "Auftragsvergabe")]
    source = FundingSourceFactory()
    for f in range(fields):
        field = ap.FieldOfAction.objects.create(
            plan=plan,
            position=f + 1,
            title=f"Handlungsfeld {f + 1}",
            slug=f"handlungsfeld-{f + 1}",
            target_state=f"Zielzustand {f + 1}",
            lead_organisation=orgs[f % len(orgs)],
        )
        ap.FieldContact.objects.create(field=field, person=person, position=1)
        ap.BaselineFinding.objects.bulk_create(
            ap.BaselineFinding(
                field=field, position=i + 1, text=f"Befund {f + 1}.{i + 1}", swot=swot
            )
            for i, swot in enumerate(ap.BaselineFinding.Swot.values[:3])
        )
        measures = ap.Measure.objects.bulk_create(
            ap.Measure(
                field=field,
                position=m + 1,
                code=_code(m),
                title=f"Maßnahme {f + 1}.{m + 1}",
                slug=f"massnahme-{m + 1}",
                status=ap.Measure.Status.values[m % 5],
                state=ap.Measure.State.PUBLISHED,
            )
            for m in range(measures_per_field)
        )
        ap.Step.objects.bulk_create(
            ap.Step(measure=measure, position=s + 1, text=f"Schritt {measure.title} / {s + 1}")
            for measure in measures
            for s in range(steps_per_measure)
        )
        entries = []
        for measure in measures:
            entry = ap.ScheduleEntry(measure=measure, position=1, label="II. Quartal 2011")
            entry.apply_dates()
            entries.append(entry)
        ap.ScheduleEntry.objects.bulk_create(entries)
        ap.Responsibility.objects.bulk_create(
            ap.Responsibility(
                measure=measure,
                position=1,
                organisation=orgs[i % len(orgs)],
                role=ap.Responsibility.Role.LEAD,
            )
            for i, measure in enumerate(measures)
        )
        ap.BudgetLine.objects.bulk_create(
            ap.BudgetLine(
                measure=measure,
                position=1,
                category=categories[i % 2],
                funding_source=source,
                planned_amount=1000 * (i + 1),
            )
            for i, measure in enumerate(measures)
        )
        through = ap.Measure.target_groups.through
        through.objects.bulk_create(
            through(measure_id=measure.pk, targetgroup_id=groups[i % len(groups)].pk)
            for i, measure in enumerate(measures)
        )
    return plan


def _code(index: int) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    code = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        code = letters[rem] + code
    return code
