"""The figures of the progress dashboard, derived from the plan's data, never typed in.

``plan_progress(plan, user)`` reads what the user may see (``access.rules``) in a fixed number
of queries — one for the fields, one for the measures, one for the milestones, one for the
budget lines — whatever the size of the plan, and adds them up in Python.

Definitions (the dashboard and the PDF chapter print them):
- a *milestone* is a schedule entry with an end date (parsed from its label or entered);
  entries without an end (“ab März 2011, permanente Aktualisierung”) have no due date;
- it is *due* when its end lies within the next ``HORIZON_DAYS`` days (today included);
- it is *overdue* when its end has passed while its measure is still open: not completed and
  not cancelled (work that was called off is not late);
- the plan's *period* is its ``period_label`` read like a schedule, else the span of its dated
  schedule entries; once it has ended, nothing is overdue any more: the page shows the final
  state;
- a measure's status is *stale* when it was last reported (``status_reported_at``, else the
  plan's issue date, else the start of its period) more than ``PLANWERK_STALE_STATUS_DAYS``
  days ago while it is still open;
- the page's *as of* date is the latest report date, else the plan's issue date, else the day
  its content last changed, never simply today;
- budget figures sum the budget lines of the visible measures by category and by funding
  source; amounts are summed where given, lines without an amount are still counted; the
  totals by funding programme, year, field and kind (with the own share) follow the rules of
  ``funding.selectors``, from the same query.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access import rules
from actionplan.models import BudgetLine, FieldOfAction, Measure, Plan, ScheduleEntry
from actionplan.schedule import parse_schedule
from funding.selectors import LINE_COLUMNS, BudgetTotals, plan_budget_totals

HORIZON_DAYS = 90
# The budget query's first columns feed ``figures``; the rest are funding's LINE_COLUMNS.
_BUDGET_FIGURES = 8
# Milestone lists on the page and in the PDF show this many rows (the counts are always whole):
# a large plan long past its dates would otherwise print a thousand rows.
MILESTONE_ROWS = 50
OPEN_STATUSES = [
    Measure.Status.PLANNED,
    Measure.Status.IN_PROGRESS,
    Measure.Status.POSTPONED,
]


def milestone_overdue(end: datetime.date | None, status: str, today: datetime.date) -> bool:
    """A milestone (a schedule entry with an end) is overdue when its end has passed while
    its measure is still open (``OPEN_STATUSES``): the dashboard's rule (its query filters by
    the same statuses) and the status report's “missed milestone”."""
    return end is not None and end < today and status in OPEN_STATUSES


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int
    share: float  # percent of the measures counted


@dataclass(frozen=True)
class Milestone:
    entry: ScheduleEntry
    measure: Measure
    end: datetime.date
    days: int  # days until the end (negative: days since)

    @property
    def days_overdue(self) -> int:
        return -self.days


@dataclass
class BudgetRow:
    name: str
    position: int
    lines: int = 0
    measure_ids: set[int] = field(default_factory=set)
    planned: Decimal | None = None
    actual: Decimal | None = None

    @property
    def measures(self) -> int:
        return len(self.measure_ids)

    def add(self, measure_id: int, planned: Decimal | None, actual: Decimal | None) -> None:
        self.lines += 1
        self.measure_ids.add(measure_id)
        if planned is not None:
            self.planned = (self.planned or Decimal(0)) + planned
        if actual is not None:
            self.actual = (self.actual or Decimal(0)) + actual


@dataclass
class Figures:
    """The dashboard's figures for one scope: the whole plan or one field of action."""

    statuses: list[StatusCount]
    due: list[Milestone]
    overdue: list[Milestone]
    budget_by_category: list[BudgetRow]
    budget_by_source: list[BudgetRow]
    budget_total: BudgetRow

    @property
    def measure_count(self) -> int:
        return sum(s.count for s in self.statuses)

    @property
    def completed(self) -> int:
        return self.count(Measure.Status.COMPLETED)

    @property
    def completed_share(self) -> float:
        return _share(self.completed, self.measure_count)

    def count(self, status: str) -> int:
        return next(s.count for s in self.statuses if s.status == status)

    @property
    def has_amounts(self) -> bool:
        return self.budget_total.planned is not None or self.budget_total.actual is not None


@dataclass(frozen=True)
class StaleMeasure:
    measure: Measure
    since: datetime.date | None  # last report, else the plan's issue date


@dataclass
class FieldProgress:
    field: FieldOfAction
    figures: Figures


@dataclass
class PlanProgress:
    plan: Plan
    today: datetime.date
    horizon: datetime.date
    figures: Figures
    fields: list[FieldProgress]
    period: tuple[datetime.date | None, datetime.date | None] = (None, None)
    as_of: datetime.date | None = None
    stale: list[StaleMeasure] = field(default_factory=list)
    stale_days: int = 365
    funding: BudgetTotals | None = None  # by programme, year, field and kind (funding app)

    @property
    def horizon_days(self) -> int:
        return (self.horizon - self.today).days

    @property
    def ended(self) -> bool:
        """The plan's period has passed: the figures are its final state."""
        return self.period[1] is not None and self.period[1] < self.today


def stale_status_days() -> int:
    return int(getattr(settings, "PLANWERK_STALE_STATUS_DAYS", 365))


def plan_period(plan: Plan) -> tuple[datetime.date | None, datetime.date | None]:
    """The plan's term (start, end): its ``period_label`` read like a schedule when it gives a
    date, otherwise the earliest and latest dates of its schedule entries (either may be None).
    """
    if plan.period_label:
        parsed = parse_schedule(plan.period_label)
        if parsed.is_dated:
            return parsed.start, parsed.end
    span = ScheduleEntry.objects.filter(measure__field__plan=plan).aggregate(
        first_start=Min("start_date"),
        first_end=Min("end_date"),
        last_start=Max("start_date"),
        last_end=Max("end_date"),
    )
    starts = [d for d in (span["first_start"], span["first_end"]) if d]
    ends = [d for d in (span["last_start"], span["last_end"]) if d]
    return (min(starts) if starts else None, max(ends) if ends else None)


def _share(part: int, whole: int) -> float:
    return round(part * 100 / whole, 1) if whole else 0.0


NO_SOURCE = _("no funding source given")


def figures(
    measures: Iterable[tuple[int, str]],
    milestones: Iterable[Milestone],
    budget_lines: Iterable[tuple],
    *,
    today: datetime.date,
) -> Figures:
    """Figures of one scope from plain rows: (measure id, status), milestones, and budget rows
    (measure id, category name, category position, source name, source position, planned,
    actual)."""
    counts = {value: 0 for value in Measure.Status.values}
    for _pk, status in measures:
        counts[status] += 1
    total = sum(counts.values())
    statuses = [
        StatusCount(value, label, counts[value], _share(counts[value], total))
        for value, label in Measure.Status.choices
    ]
    due, overdue = [], []
    for milestone in milestones:
        (overdue if milestone.end < today else due).append(milestone)
    by_category: dict[str, BudgetRow] = {}
    by_source: dict[str, BudgetRow] = {}
    budget_total = BudgetRow(name="", position=0)
    for measure_id, category, cat_pos, source, src_pos, planned, actual in budget_lines:
        by_category.setdefault(category, BudgetRow(category, cat_pos)).add(
            measure_id, planned, actual
        )
        source_name = source or str(NO_SOURCE)
        position = src_pos if source else 2**31
        by_source.setdefault(source_name, BudgetRow(source_name, position)).add(
            measure_id, planned, actual
        )
        budget_total.add(measure_id, planned, actual)

    def ordered(rows):
        return sorted(rows.values(), key=lambda r: (r.position, r.name))

    return Figures(
        statuses=statuses,
        due=sorted(due, key=lambda m: (m.end, m.measure.field.position, m.measure.position)),
        overdue=sorted(
            overdue, key=lambda m: (m.end, m.measure.field.position, m.measure.position)
        ),
        budget_by_category=ordered(by_category),
        budget_by_source=ordered(by_source),
        budget_total=budget_total,
    )


def visible_plan_measures(plan: Plan, user):
    """The plan's measures this user may see (``access.rules`` decides)."""
    return rules.visible_measures(user, Measure.objects.filter(field__plan=plan))


def plan_progress(
    plan: Plan, user, *, internal: bool = False, today: datetime.date | None = None
) -> PlanProgress:
    """The dashboard of ``plan`` as ``user`` may see it, on ``today`` (default: the local date).

    ``internal`` (an internal document, see ``documents``): every measure of the plan, drafts
    included. Five queries (four when the period label gives the dates), whatever the size
    of the plan.
    """
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=HORIZON_DAYS)
    fields = list(plan.fields.order_by("position", "pk"))
    if internal:
        visible = Measure.objects.filter(field__plan=plan)
    else:
        visible = visible_plan_measures(plan, user)
    measures = list(visible.select_related("field").order_by("field__position", "position", "pk"))
    measure_rows = [(m.pk, m.field_id, m.status, m.status_reported_at) for m in measures]
    entries = (
        ScheduleEntry.objects.filter(
            measure__in=visible.order_by().values("pk"),
            measure__status__in=OPEN_STATUSES,
            end_date__isnull=False,
            end_date__lte=horizon,
        )
        .select_related("measure__field")
        .order_by("end_date", "measure__field__position", "measure__position", "position")
    )
    milestones = []
    for entry in entries:
        entry.measure.field.plan = plan  # for the measure's URL, without a query
        milestones.append(
            Milestone(entry, entry.measure, entry.end_date, (entry.end_date - today).days)
        )
    budget_rows = list(
        BudgetLine.objects.filter(measure__in=visible.order_by().values("pk"))
        .order_by("measure__field_id", "measure__position", "position", "pk")
        .values_list(
            "measure__field_id",
            "measure_id",
            "category__name",
            "category__position",
            "funding_source__name",
            "funding_source__position",
            "planned_amount",
            "actual_amount",
            *LINE_COLUMNS,
        )
    )
    period = plan_period(plan)
    ended = period[1] is not None and period[1] < today
    if ended:
        # The final state: due and overdue belong to a running plan only.
        milestones = []
    plan_figures = figures(
        [(pk, status) for pk, _f, status, _r in measure_rows],
        milestones,
        [row[1:_BUDGET_FIGURES] for row in budget_rows],
        today=today,
    )
    by_field = defaultdict(lambda: ([], [], []))
    for pk, field_id, status, _reported in measure_rows:
        by_field[field_id][0].append((pk, status))
    for milestone in milestones:
        by_field[milestone.measure.field_id][1].append(milestone)
    for row in budget_rows:
        by_field[row[0]][2].append(row[1:_BUDGET_FIGURES])
    per_field = [FieldProgress(fld, figures(*by_field[fld.pk], today=today)) for fld in fields]
    reports = [r for *_rest, r in measure_rows if r is not None]
    content_day = timezone.localdate(plan.content_changed_at) if plan.content_changed_at else None
    as_of = max(reports, default=None) or plan.issued_on or content_day
    stale_days = stale_status_days()
    cutoff = today - datetime.timedelta(days=stale_days)
    stale_ids = {
        pk: reported or plan.issued_on
        for pk, _f, status, reported in measure_rows
        if status in OPEN_STATUSES and (reported or plan.issued_on or period[0] or today) < cutoff
    }
    stale = [StaleMeasure(m, stale_ids[m.pk]) for m in measures if m.pk in stale_ids]
    for item in stale:
        item.measure.field.plan = plan  # for the measure's URL, without a query
    return PlanProgress(
        plan,
        today,
        horizon,
        plan_figures,
        per_field,
        period=period,
        as_of=as_of,
        stale=stale,
        stale_days=stale_days,
        funding=plan_budget_totals(row[_BUDGET_FIGURES:] for row in budget_rows),
    )
