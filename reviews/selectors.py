"""Reads of the change review, for the start page ("Meine Arbeit") and the review queue."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from actionplan.models import Measure

from .models import PendingChange


@dataclass
class ReviewQueue:
    """What waits for a coordinator: submitted pending changes and new measures in review."""

    changes: list[PendingChange] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.changes) + len(self.measures)


def pending_for_review(user) -> ReviewQueue:
    """Submitted pending changes this user may approve, and the measures in review of the
    plans they coordinate; oldest first. Two queries."""
    changes = (
        PendingChange.objects.reviewable_by(user)
        .filter(state=PendingChange.State.SUBMITTED)
        .select_related("measure__field__plan", "author")
        .order_by("submitted_at", "pk")
    )
    from access import rules

    ids = rules.coordinated_plan_ids(user)
    measures = Measure.objects.filter(state=Measure.State.REVIEW)
    if ids is not None:
        measures = measures.filter(field__plan_id__in=ids)
    if not rules.is_active_user(user):
        measures = measures.none()
    return ReviewQueue(
        changes=list(changes),
        measures=list(measures.select_related("field__plan").order_by("field__plan", "pk")),
    )


def pending_of(user) -> dict[str, list[PendingChange]]:
    """The undecided pending changes of the measures this user edits as an editor, by state ("open",
    "submitted", "sent_back"); sent-back ones carry the coordinator's comment. One query."""
    by_state: dict[str, list[PendingChange]] = defaultdict(list)
    from access import rules

    edited = rules.editor_measures(user, Measure.objects.all())
    changes = (
        PendingChange.objects.filter(measure__in=edited)
        .active()
        .select_related("measure__field__plan", "author", "decided_by")
        .order_by("-updated_at", "pk")
    )
    for pending in changes:
        by_state[pending.state].append(pending)
    return {state: by_state.get(state, []) for state in PendingChange.ACTIVE}
