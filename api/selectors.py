"""Querysets of the API: what the user may see (``access.rules``), with every related row the
serializers print joined or prefetched, so that a list costs the same number of queries
whatever its length."""

from django.db.models import Max, Min, OuterRef, Prefetch, QuerySet, Subquery

from access import rules
from actionplan import selectors as plan_selectors
from actionplan.models import (
    BaselineFinding,
    BudgetLine,
    FieldContact,
    FieldOfAction,
    Measure,
    Plan,
    Responsibility,
    ScheduleEntry,
    Step,
    TargetGroup,
)
from campaigns.models import (
    Campaign,
    CampaignContact,
    CampaignEvent,
    CampaignLink,
    CampaignPartner,
    Channel,
    EventParticipant,
    KeyFigure,
    Market,
)
from contacts.models import Organisation, Person
from council.selectors import council_papers_prefetch

PERSON_JOINS = ("organisation",)


def _ordered(model, *joins):
    qs = model.objects.order_by("position", "pk")
    return qs.select_related(*joins) if joins else qs


def _visible_fields(user) -> QuerySet[FieldOfAction]:
    return FieldOfAction.objects.visible_to(user).order_by("position", "pk")


def _schedule_bound(aggregate, field: str):
    entries = ScheduleEntry.objects.filter(measure__field__plan=OuterRef("pk"))
    return Subquery(
        entries.order_by().values("measure__field__plan").annotate(d=aggregate(field)).values("d")
    )


def plans(user) -> QuerySet[Plan]:
    """Plans the user may see, with the number of measures they may see and the earliest and
    latest dates of their schedule entries (the period when the plan names none)."""
    return (
        plan_selectors.plans_for_index(user)
        .annotate(
            schedule_first_start=_schedule_bound(Min, "start_date"),
            schedule_first_end=_schedule_bound(Min, "end_date"),
            schedule_last_start=_schedule_bound(Max, "start_date"),
            schedule_last_end=_schedule_bound(Max, "end_date"),
        )
        .select_related("project_lead__organisation")
        .prefetch_related(
            Prefetch("fields", queryset=_visible_fields(user)),
            council_papers_prefetch(plan_level=True),
            "attachments",
        )
        .order_by("-issued_on", "title", "pk")
    )


def fields(user) -> QuerySet[FieldOfAction]:
    return (
        FieldOfAction.objects.visible_to(user)
        .select_related("plan", "lead_organisation")
        .prefetch_related(
            Prefetch(
                "field_contacts",
                queryset=_ordered(FieldContact, "person__organisation"),
            ),
            Prefetch("baseline_findings", queryset=_ordered(BaselineFinding)),
        )
        .order_by("plan__title", "plan_id", "position", "pk")
    )


def _visible_related(user) -> QuerySet[Measure]:
    return Measure.objects.visible_to(user).only("pk").order_by("pk")


def measures(user) -> QuerySet[Measure]:
    """Measures the user may see with steps, schedule, responsibilities, budget lines, target
    groups and the related measures the user may see."""
    return (
        Measure.objects.visible_to(user)
        .select_related("field__plan")
        .prefetch_related(
            Prefetch(
                "steps",
                queryset=_ordered(Step)
                .filter(parent__isnull=True)
                .prefetch_related(Prefetch("substeps", queryset=_ordered(Step))),
                to_attr="top_steps",
            ),
            Prefetch("schedule", queryset=_ordered(ScheduleEntry)),
            Prefetch(
                "responsibilities",
                queryset=_ordered(Responsibility, "organisation", "person__organisation"),
            ),
            Prefetch(
                "budget_lines",
                queryset=_ordered(BudgetLine, "category", "funding_source", "programme"),
            ),
            Prefetch("target_groups", queryset=TargetGroup.objects.order_by("position", "name")),
            Prefetch("related_measures", queryset=_visible_related(user), to_attr="related_to"),
            Prefetch("related_from", queryset=_visible_related(user), to_attr="related_by"),
            council_papers_prefetch(),
            "attachments",
        )
        .order_by("field__plan__title", "field__plan_id", "field__position", "position", "pk")
    )


def campaigns(user) -> QuerySet[Campaign]:
    """Campaigns the user may see with links, channels, events (with their participants), key
    figures, partners, contacts and lists."""
    participants = _ordered(EventParticipant, "person__organisation", "organisation")
    return (
        Campaign.objects.visible_to(user)
        .select_related("organiser")
        .prefetch_related(
            Prefetch("links", queryset=_ordered(CampaignLink)),
            Prefetch("channels", queryset=_ordered(Channel)),
            Prefetch(
                "events",
                queryset=_ordered(CampaignEvent).prefetch_related(
                    Prefetch("participant_links", queryset=participants)
                ),
            ),
            Prefetch("key_figures", queryset=_ordered(KeyFigure)),
            Prefetch("partner_links", queryset=_ordered(CampaignPartner, "organisation")),
            Prefetch("contact_links", queryset=_ordered(CampaignContact, "person__organisation")),
            Prefetch("target_groups", queryset=TargetGroup.objects.order_by("position", "name")),
            Prefetch("markets", queryset=Market.objects.order_by("position", "name")),
            Prefetch(
                "related_measures", queryset=_visible_related(user), to_attr="visible_measures"
            ),
        )
        .order_by("title", "pk")
    )


def organisations(user) -> QuerySet[Organisation]:
    return rules.listed_organisations(user, Organisation.objects.all()).order_by("name", "pk")


def persons(user) -> QuerySet[Person]:
    return (
        rules.listed_persons(user, Person.objects.all())
        .select_related(*PERSON_JOINS)
        .order_by("last_name", "first_name", "pk")
    )


def indicators(user):
    """Indicators the user may see (``access.rules.visible_indicators``) with their targets,
    values and the links the user may see."""
    from indicators.models import Indicator
    from indicators.selectors import with_rows

    return with_rows(Indicator.objects.visible_to(user).select_related("plan"), user).order_by(
        "plan__title", "plan_id", "name", "pk"
    )
