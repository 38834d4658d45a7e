"""Reads for the start page (“Meine Arbeit”): each list is one query, whatever the number of
measures, and every list is cut from what ``access.rules`` lets the user see or change."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from access import rules
from actionplan.models import (
    FieldOfAction,
    Measure,
    Plan,
    ScheduleEntry,
)
from reviews import selectors as reviews_selectors

DUE_DAYS = 30
LIST_LIMIT = 25
RECENT_LIMIT = 12

# --- pending changes of published measures (app ``reviews``) ---------------------------------


def pending_for_review(user) -> list:
    """Submitted pending changes of published measures that this coordinator may decide (the
    measures in review come from ``review_queue``)."""
    return reviews_selectors.pending_for_review(user).changes


def pending_of(user) -> dict[str, list]:
    """This editor's undecided pending changes: ``pending_sent_back`` (with the coordinator's
    comment) and ``my_pending`` (not yet submitted, or waiting for the review)."""
    by_state = reviews_selectors.pending_of(user)
    return {
        "pending_sent_back": by_state["sent_back"],
        "my_pending": by_state["open"] + by_state["submitted"],
    }


# --- measures ------------------------------------------------------------------------------


def _due_date():
    """When a schedule entry is due: its end, or its start where it has no end."""
    return Coalesce("end_date", "start_date")


def _with_work_columns(qs, today: datetime.date):
    """Measures with their last change (history) and their next milestone (schedule)."""
    history = Measure.history.model.objects.filter(id=OuterRef("pk")).order_by(
        "-history_date", "-history_id"
    )
    upcoming = (
        ScheduleEntry.objects.filter(measure=OuterRef("pk"))
        .annotate(due=_due_date())
        .filter(due__gte=today)
        .order_by("due", "position")
    )
    return (
        qs.select_related("field__plan")
        .annotate(
            last_changed_at=Subquery(history.values("history_date")[:1]),
            last_changed_by=Subquery(history.values("history_user__username")[:1]),
            next_milestone_date=Subquery(upcoming.values("due")[:1]),
            next_milestone_label=Subquery(upcoming.values("label")[:1]),
        )
        .order_by("field__plan__title", "field__position", "position")
    )


@dataclass
class StateGroup:
    state: str
    label: str
    measures: list = field(default_factory=list)


def my_measures(user, *, today: datetime.date) -> list[StateGroup]:
    """The measures the user edits for an organisation, grouped by publication state."""
    qs = _with_work_columns(rules.editor_measures(user, Measure.objects.all()), today)
    groups = {value: StateGroup(value, label) for value, label in Measure.State.choices}
    for measure in qs:
        groups[measure.state].measures.append(measure)
    return [group for group in groups.values() if group.measures]


def sent_back(user) -> list[Measure]:
    """Measures sent back to the user (drafts with the coordinator's comment)."""
    return list(
        rules.editor_measures(user, Measure.objects.all())
        .filter(state=Measure.State.DRAFT)
        .exclude(review_comment="")
        .select_related("field__plan")
        .order_by("field__plan__title", "field__position", "position")
    )


@dataclass
class Milestones:
    overdue: list
    due: list
    overdue_count: int
    due_count: int


OPEN_STATUSES = (Measure.Status.PLANNED, Measure.Status.IN_PROGRESS, Measure.Status.POSTPONED)


def milestones(user, *, today: datetime.date) -> Milestones:
    """Schedule entries of the measures the user may change, due in the next 30 days or
    overdue (due before today while the measure is still open); four queries."""
    entries = (
        ScheduleEntry.objects.filter(
            measure__in=rules.editable_measures(user, Measure.objects.all()),
            measure__status__in=OPEN_STATUSES,
            measure__state__in=(
                Measure.State.DRAFT,
                Measure.State.REVIEW,
                Measure.State.PUBLISHED,
            ),
        )
        .annotate(due=_due_date())
        .filter(due__isnull=False, due__lte=today + datetime.timedelta(days=DUE_DAYS))
        .select_related("measure__field__plan")
    )
    due = entries.filter(due__gte=today)
    overdue = entries.filter(due__lt=today)
    return Milestones(
        overdue=list(overdue.order_by("-due", "measure_id", "position")[:LIST_LIMIT]),
        due=list(due.order_by("due", "measure_id", "position")[:LIST_LIMIT]),
        overdue_count=overdue.count(),
        due_count=due.count(),
    )


# --- coordinators ----------------------------------------------------------------------------


def _coordinated(user, qs, path: str):
    ids = rules.coordinated_plan_ids(user)
    return qs if ids is None else qs.filter(**{f"{path}__in": ids})


def review_queue(user) -> list[Measure]:
    """Measures in review in the plans the user coordinates, with the two versions to compare:
    the last published one (or the first) against the latest."""
    history = Measure.history.model.objects.filter(id=OuterRef("pk"))
    latest = history.order_by("-history_date", "-history_id")
    published = latest.filter(state=Measure.State.PUBLISHED)
    first = history.order_by("history_date", "history_id")
    return list(
        _coordinated(user, Measure.objects.filter(state=Measure.State.REVIEW), "field__plan_id")
        .select_related("field__plan")
        .annotate(
            latest_version=Subquery(latest.values("history_id")[:1]),
            submitted_at=Subquery(latest.values("history_date")[:1]),
            submitted_by=Subquery(latest.values("history_user__username")[:1]),
            base_version=Coalesce(
                Subquery(published.values("history_id")[:1]),
                Subquery(first.values("history_id")[:1]),
            ),
        )
        .order_by("submitted_at")
    )


def recent_changes(user, *, limit: int = RECENT_LIMIT) -> list:
    """The latest history rows of plans, fields of action and measures in the plans the user
    coordinates, newest first (three queries)."""
    sources = (
        (Plan, "id"),
        (FieldOfAction, "plan_id"),
        (Measure, "field__plan_id"),
    )
    rows = []
    for model, path in sources:
        qs = _coordinated(user, model.history.model.objects.all(), path)
        rows += list(qs.select_related("history_user").order_by("-history_date")[:limit])
    rows.sort(key=lambda r: r.history_date, reverse=True)
    rows = rows[:limit]
    for row in rows:
        model = row.instance_type
        row.kind = model._meta.verbose_name
        row.history_url = reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_history", args=[row.id]
        )
    return rows


# --- both ----------------------------------------------------------------------------------


def my_plans(user) -> list[Plan]:
    """The plans the user holds a role in (every plan for a superuser)."""
    return list(rules.admin_scope(user, Plan.objects.all()).order_by("title"))
