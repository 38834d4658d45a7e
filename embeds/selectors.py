"""What the embeds show: published content only, for everyone (members too), in a fixed
number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from access import rules
from actionplan.models import Measure, Plan, ScheduleEntry
from progress.selectors import OPEN_STATUSES, plan_period


@dataclass(frozen=True)
class StatusShare:
    status: str
    label: str
    count: int
    share: float  # percent of the plan's public measures
    offset: float  # percent before this one, for the bar


@dataclass(frozen=True)
class PlanSummary:
    plan: Plan
    statuses: list[StatusShare]
    total: int
    period: tuple[datetime.date | None, datetime.date | None]
    ended: bool
    as_of: datetime.date | None

    @property
    def completed(self) -> int:
        return next(s.count for s in self.statuses if s.status == Measure.Status.COMPLETED)


def plan_summary(plan: Plan, *, today: datetime.date) -> PlanSummary:
    """Status counts of the plan's published measures, its period and its as-of date (the
    latest status report, else the issue date, else the last change: as the progress page).
    Two queries, one when the period label gives the dates."""
    measures = rules.public_measures(Measure.objects.filter(field__plan=plan))
    row = measures.aggregate(
        reported=Max("status_reported_at"),
        **{value: Count("pk", filter=Q(status=value)) for value in Measure.Status.values},
    )
    total = sum(row[value] for value in Measure.Status.values)
    statuses, offset = [], 0.0
    for value, label in Measure.Status.choices:
        share = round(row[value] * 100 / total, 1) if total else 0.0
        statuses.append(StatusShare(value, label, row[value], share, offset))
        offset += share
    period = plan_period(plan)
    changed = timezone.localdate(plan.content_changed_at) if plan.content_changed_at else None
    return PlanSummary(
        plan=plan,
        statuses=statuses,
        total=total,
        period=period,
        ended=period[1] is not None and period[1] < today,
        as_of=row["reported"] or plan.issued_on or changed,
    )


def public_measure(plan: Plan, field_slug: str, measure_slug: str) -> QuerySet[Measure]:
    """The published measure of a published plan, with its field."""
    return rules.public_measures(
        Measure.objects.filter(field__plan=plan, field__slug=field_slug, slug=measure_slug)
    ).select_related("field")


def next_milestone(measure: Measure, *, today: datetime.date) -> ScheduleEntry | None:
    """The open measure's next schedule entry that ends today or later (a milestone, as the
    progress page defines it); None for completed and cancelled measures."""
    if measure.status not in OPEN_STATUSES:
        return None
    return (
        ScheduleEntry.objects.filter(measure=measure, end_date__gte=today)
        .order_by("end_date", "position", "pk")
        .first()
    )
