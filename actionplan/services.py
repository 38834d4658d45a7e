"""Writes that span several action-plan models."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils.translation import gettext as _
from simple_history.models import HistoricalRecords

from .models import Measure, Plan

# The plan JSON importer (``planwerk.plan/1``) lives in imports/plan_document.py: one importer
# code path for documents and workbooks (imports/plan_import.py).


@contextmanager
def _history_user(user: AbstractBaseUser | None) -> Iterator[None]:
    """Record ``user`` on every history row written inside the block, cascades included."""
    if user is None:
        yield
        return
    context = HistoricalRecords.context
    had_request = hasattr(context, "request")
    previous = getattr(context, "request", None)
    context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if had_request:
            context.request = previous
        else:
            del context.request


# --- publication workflow ---------------------------------------------------------------------


#: Sent after the commit of a step in the review workflow, for notifications and the start
#: page: ``kind`` is one of ``WORKFLOW_EVENTS``; ``measure``, ``actor`` (the acting user) and
#: ``comment`` (the coordinator's comment when sent back) come along. The pending-change review
#: (``reviews``) sends the same kinds for changes to published measures, with ``pending``.
measure_workflow_event = Signal()
WORKFLOW_EVENTS = ("submitted", "sent_back", "published")


def _announce(kind: str, *, measure: Measure, actor, comment: str = "", pending=None) -> None:
    transaction.on_commit(
        lambda: measure_workflow_event.send(
            sender=Measure,
            kind=kind,
            measure=measure,
            actor=actor,
            comment=comment,
            pending=pending,
        )
    )


class WorkflowError(PermissionError):
    """A state change the acting user may not make; the message is for the user."""


_STATE_ACTIONS = {
    Measure.State.REVIEW: "submitted",
    Measure.State.PUBLISHED: "published",
    Measure.State.ARCHIVED: "archived",
}


@transaction.atomic
def measure_set_state(
    *, measure: Measure, state: str, acting_user, comment: str = "", request=None
) -> Measure:
    """Move a measure through draft → in review → published → archived (or back).

    Editors may submit their drafts for review (and withdraw them); everything else is the
    coordinator's. Sending a measure back from review to draft keeps the coordinator's comment
    for the editors. Recorded in the history (with a reason) and in the audit log.
    """
    from access import rules
    from access.models import AuditEvent
    from access.services import audit

    previous = Measure.objects.values_list("state", flat=True).get(pk=measure.pk)
    stored = Measure.objects.select_related("field").get(pk=measure.pk)
    if state not in rules.allowed_measure_states(acting_user, stored):
        raise WorkflowError(
            _("You may not set the publication state “%(state)s” for this measure.")
            % {"state": Measure.State(state).label}
        )
    if state == previous and not comment:
        return measure
    sent_back = previous == Measure.State.REVIEW and state == Measure.State.DRAFT
    measure.state = state
    fields = ["state"]
    if sent_back and rules.can_publish(acting_user, stored):
        measure.review_comment = comment
        fields.append("review_comment")
    elif state == Measure.State.PUBLISHED:
        measure.review_comment = ""
        fields.append("review_comment")
    measure._change_reason = _("Publication state: %(old)s → %(new)s") % {
        "old": Measure.State(previous).label,
        "new": Measure.State(state).label,
    }
    with _history_user(acting_user):
        measure.save(update_fields=fields)
    if state != previous:
        if sent_back and rules.can_publish(acting_user, stored):
            action = AuditEvent.Action.SENT_BACK
        elif previous == Measure.State.PUBLISHED:
            action = AuditEvent.Action.UNPUBLISHED
        else:
            action = _STATE_ACTIONS.get(state, AuditEvent.Action.UNPUBLISHED)
        audit(action, actor=acting_user, request=request, obj=measure, detail=comment)
        if state == Measure.State.REVIEW:
            _announce("submitted", measure=measure, actor=acting_user)
        elif action == AuditEvent.Action.SENT_BACK:
            _announce("sent_back", measure=measure, actor=acting_user, comment=comment)
        elif state == Measure.State.PUBLISHED:
            _announce("published", measure=measure, actor=acting_user)
    return measure


@transaction.atomic
def plan_set_status(
    *, plan: Plan, status: str, acting_user, publish_reviewed: bool = False, request=None
) -> Plan:
    """Publish, withdraw or archive a plan (coordinators).

    Publishing a plan publishes none of its measures; with ``publish_reviewed`` the measures
    that wait in review are published with it — the coordinator's explicit choice.
    """
    from access import rules
    from access.models import AuditEvent
    from access.services import audit

    if not rules.can_publish(acting_user, plan):
        raise WorkflowError(_("Only the plan's coordinators may publish it."))
    previous = Plan.objects.values_list("status", flat=True).get(pk=plan.pk)
    if status != previous:
        plan.status = status
        plan._change_reason = _("Status: %(old)s → %(new)s") % {
            "old": Plan.Status(previous).label,
            "new": Plan.Status(status).label,
        }
        with _history_user(acting_user):
            plan.save(update_fields=["status", "updated_at"])
        action = {
            Plan.Status.PUBLISHED: AuditEvent.Action.PUBLISHED,
            Plan.Status.ARCHIVED: AuditEvent.Action.ARCHIVED,
        }.get(status, AuditEvent.Action.UNPUBLISHED)
        audit(action, actor=acting_user, request=request, obj=plan)
    if publish_reviewed and status == Plan.Status.PUBLISHED:
        waiting = Measure.objects.filter(field__plan=plan, state=Measure.State.REVIEW)
        for measure in waiting.select_related("field"):
            measure_set_state(
                measure=measure,
                state=Measure.State.PUBLISHED,
                acting_user=acting_user,
                request=request,
            )
    return plan


# --- bulk edits --------------------------------------------------------------------------------


@dataclass
class StatusChange:
    """What ``measures_set_status`` did with each measure it was given."""

    changed: list[Measure] = field(default_factory=list)
    unchanged: list[Measure] = field(default_factory=list)  # had the status already
    refused: list[Measure] = field(default_factory=list)  # the user does not coordinate it


@transaction.atomic
def measures_set_status(
    *, measures, status: str, reason: str, acting_user, request=None
) -> StatusChange:
    """Give several measures one implementation status (the coordinator's bulk edit): one
    history row each with the reason and the user, and an audit event each. Measures of plans
    the user does not coordinate are refused, those with the status already left alone."""
    from access import rules
    from access.models import AuditEvent
    from access.services import audit

    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Please give a reason: it is kept in the history."))
    if status not in Measure.Status.values:
        raise ValidationError(_("Choose an implementation status."))
    new_label = Measure.Status(status).label
    result = StatusChange()
    locked = (
        Measure.objects.select_for_update(of=("self",))
        .select_related("field__plan")
        .filter(pk__in=[m.pk for m in measures])
        .order_by("field__plan", "field__position", "position")
    )
    for measure in locked:
        if not rules.coordinates(acting_user, measure.field.plan_id):
            result.refused.append(measure)
            continue
        if measure.status == status:
            result.unchanged.append(measure)
            continue
        old_label = measure.get_status_display()
        measure.status = status
        measure._change_reason = reason
        with _history_user(acting_user):
            measure.save(update_fields=["status"])
        audit(
            AuditEvent.Action.STATUS_CHANGED,
            actor=acting_user,
            request=request,
            obj=measure,
            detail=f"{old_label} → {new_label}: {reason}",
        )
        result.changed.append(measure)
    return result
