"""Writes of the change review: save, submit, send back, approve and withdraw pending changes.

Each step checks ``access.rules``, writes the audit log and announces itself through
``actionplan.services.measure_workflow_event`` (kinds "submitted", "sent_back",
"published", with ``pending``) after the commit. Approval applies the proposed state through
the plan importer core (``imports.plan_import.plan_apply_rows``), in one transaction, after
checking that the published measure is still the one the change was made against.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access import rules
from access.models import AuditEvent
from access.services import audit
from actionplan.locking import describe_conflict
from actionplan.models import Measure
from actionplan.services import _announce, _history_user
from imports.plan_import import ChangeSet, PlanImportError, display, plan_apply_rows

from . import state as states
from .models import PendingChange


class ReviewError(PermissionError):
    """A step the acting user may not take now; the message is for the user."""


class ReviewConflict(ReviewError):
    """The published measure changed since the pending change was made against it."""

    def __init__(self, message: str, conflict=None):
        super().__init__(message)
        self.conflict = conflict


def _user_label(user) -> str:
    if user is None:
        return _("someone else")
    return user.get_full_name() or user.get_username()


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise ReviewError(message)


def active_change(measure: Measure) -> PendingChange | None:
    """The measure's pending change that is not yet decided, if any."""
    return PendingChange.objects.active().filter(measure=measure).first()


# --- the editor's side ------------------------------------------------------------------------


@transaction.atomic
def pending_change_save(
    *,
    measure: Measure,
    acting_user,
    base: dict,
    base_version: int,
    proposed: dict,
    submit: bool = False,
    request=None,
) -> PendingChange:
    """Keep an editor's edit of a published measure as its pending change (new or updated).

    ``base`` is the published state the edit was made against, ``proposed`` the state the
    edit gives (``reviews.state.measure_state``). A change sent back stays sent back (with
    its comment) until it is submitted again; ``submit`` submits it in the same step.
    """
    _require(
        rules.changes_reviewed(acting_user, measure),
        _("Changes to this measure are not kept for review."),
    )
    pending = PendingChange.objects.select_for_update().active().filter(measure=measure).first()
    if pending is None:
        pending = PendingChange(
            measure=measure, author=acting_user, base=base, base_version=base_version
        )
    else:
        pending.revision += 1
        if states.content(pending.base) != states.content(base):
            # edited on top of a newer published state: that is the base now
            pending.base, pending.base_version = base, base_version
    pending.proposed = proposed
    pending.full_clean(exclude=["author", "base", "proposed"])
    pending.save()
    if submit and pending.state != PendingChange.State.SUBMITTED:
        pending_change_submit(pending=pending, acting_user=acting_user, request=request)
    return pending


@transaction.atomic
def pending_change_submit(*, pending: PendingChange, acting_user, request=None) -> PendingChange:
    """Submit a pending change for the coordinators' review."""
    _require(rules.can_view_pending(acting_user, pending), _("You may not submit this change."))
    _require(
        pending.state in (PendingChange.State.OPEN, PendingChange.State.SENT_BACK),
        _("This change cannot be submitted in its current state."),
    )
    pending.state = PendingChange.State.SUBMITTED
    pending.submitted_at = timezone.now()
    pending.save(update_fields=["state", "submitted_at", "updated_at"])
    audit(
        AuditEvent.Action.SUBMITTED,
        actor=acting_user,
        request=request,
        obj=pending.measure,
        detail=_("Change to the published measure submitted for review"),
    )
    _announce("submitted", measure=pending.measure, actor=acting_user, pending=pending)
    return pending


@transaction.atomic
def pending_change_withdraw(*, pending: PendingChange, acting_user, request=None) -> PendingChange:
    """Drop a pending change: the published measure stays as it is."""
    _require(rules.can_view_pending(acting_user, pending), _("You may not withdraw this change."))
    _require(pending.is_active, _("This change has already been decided."))
    pending.state = PendingChange.State.WITHDRAWN
    pending.decided_at, pending.decided_by = timezone.now(), acting_user
    pending.save(update_fields=["state", "decided_at", "decided_by", "updated_at"])
    audit(
        AuditEvent.Action.UNPUBLISHED,
        actor=acting_user,
        request=request,
        obj=pending.measure,
        detail=_("Pending change withdrawn"),
    )
    return pending


# --- the coordinator's side ---------------------------------------------------------------------


def _check_revision(pending: PendingChange, revision: int | None) -> None:
    if revision is not None and revision != pending.revision:
        raise ReviewError(
            _(
                "The change has been edited again since you opened it. Please look at the "
                "comparison again."
            )
        )


@transaction.atomic
def pending_change_send_back(
    *, pending: PendingChange, acting_user, comment: str, revision: int | None = None, request=None
) -> PendingChange:
    """Send a submitted change back to its editors with the coordinator's comment."""
    _require(rules.can_review_pending(acting_user, pending), _("Only coordinators review changes."))
    pending = PendingChange.objects.select_for_update().get(pk=pending.pk)
    _require(
        pending.state == PendingChange.State.SUBMITTED,
        _("Only a submitted change can be sent back."),
    )
    _check_revision(pending, revision)
    comment = comment.strip()
    if not comment:
        raise ReviewError(_("Please say in a comment what should be changed."))
    pending.state = PendingChange.State.SENT_BACK
    pending.comment = comment
    pending.decided_at, pending.decided_by = timezone.now(), acting_user
    pending.save(update_fields=["state", "comment", "decided_at", "decided_by", "updated_at"])
    audit(
        AuditEvent.Action.SENT_BACK,
        actor=acting_user,
        request=request,
        obj=pending.measure,
        detail=comment,
    )
    _announce(
        "sent_back", measure=pending.measure, actor=acting_user, comment=comment, pending=pending
    )
    return pending


def conflict_of(pending: PendingChange):
    """Why ``pending`` cannot be applied as it is, or None: the measure is no longer
    published, or its stored state is not the one the change was made against."""
    measure = pending.measure
    if measure.state != Measure.State.PUBLISHED:
        return ReviewConflict(
            _("The measure is no longer published (now: %(state)s).")
            % {"state": measure.get_state_display()}
        )
    current = states.measure_state(measure)
    if states.content(current) == states.content(pending.base):
        return None
    inlines = [(model, model._meta.get_field("measure")) for _n, model in states.ROWS.values()]
    described = describe_conflict(
        measure,
        pending.base_version,
        field_names=list(states.MEASURE_ATTRIBUTES),
        inlines=inlines,
    )
    return ReviewConflict(
        _(
            "Conflict: the published measure has been changed since this change was made "
            "(%(detail)s). The change cannot be approved as it is: send it back, so that the "
            "editor applies it to the current state."
        )
        % {"detail": described.message.rstrip(".")},
        conflict=described,
    )


@transaction.atomic
def pending_change_approve(
    *, pending: PendingChange, acting_user, revision: int | None = None, request=None
) -> PendingChange:
    """Publish a pending change: its state is written through the plan importer, with history
    rows naming the approver and the author, all or nothing.

    Refused (``ReviewConflict``) when the published measure changed since the change was made
    against it: nothing is overwritten.
    """
    _require(rules.can_review_pending(acting_user, pending), _("Only coordinators review changes."))
    measure = (
        Measure.objects.select_for_update().select_related("field__plan").get(pk=pending.measure_id)
    )
    pending = PendingChange.objects.select_for_update().get(pk=pending.pk)
    pending.measure = measure
    _require(
        pending.state == PendingChange.State.SUBMITTED,
        _("Only a submitted change can be approved."),
    )
    _check_revision(pending, revision)
    conflict = conflict_of(pending)
    if conflict is not None:
        raise conflict
    reason = _("Change by %(author)s approved by %(approver)s") % {
        "author": _user_label(pending.author),
        "approver": _user_label(acting_user),
    }
    rows = states.incoming_rows(measure, pending.proposed)
    try:
        result = plan_apply_rows(
            plan=measure.field.plan,
            rows=rows,
            complete=False,
            acting_user=acting_user,
            dry_run=False,
            reason=reason,
        )
    except PlanImportError as exc:
        raise ReviewError(
            _("The change cannot be applied: %(problems)s") % {"problems": exc}
        ) from exc
    measure.refresh_from_db()
    related = states.related_measures(pending.proposed)
    measure._change_reason = reason
    with _history_user(acting_user):
        if sorted(measure.related_measures.values_list("pk", flat=True)) != sorted(related):
            measure.related_measures.set(related)
        # one history row of the measure names the approval, also when only rows changed
        if not any(change.kind == "measure" for change in result.changes):
            measure.save()
    pending.state = PendingChange.State.APPROVED
    pending.decided_at, pending.decided_by = timezone.now(), acting_user
    pending.comment = ""
    pending.save(update_fields=["state", "comment", "decided_at", "decided_by", "updated_at"])
    audit(
        AuditEvent.Action.PUBLISHED,
        actor=acting_user,
        request=request,
        obj=measure,
        detail=reason,
    )
    _announce("published", measure=measure, actor=acting_user, pending=pending)
    return pending


# --- the comparison ---------------------------------------------------------------------------


@dataclass
class Comparison:
    """What approving a pending change would change, row by row and field by field."""

    changes: list = field(default_factory=list)  # imports.changes.Change
    problems: list = field(default_factory=list)
    conflict: ReviewConflict | None = None


def pending_change_compare(pending: PendingChange) -> Comparison:
    """The pending change against the published state, as the importer's dry run lists it."""
    measure = pending.measure
    comparison = Comparison(conflict=conflict_of(pending) if pending.is_active else None)
    change_set = ChangeSet(
        measure.field.plan, states.incoming_rows(measure, pending.proposed), complete=False
    )
    comparison.problems = [str(p) for p in change_set.problems]
    comparison.changes = change_set.changes
    related_now = set(measure.related_measures.values_list("pk", flat=True))
    related_then = set(states.related_measures(pending.proposed))
    if related_now != related_then:
        names = {
            m.pk: str(m)
            for m in Measure.objects.filter(pk__in=related_now | related_then).select_related(
                "field"
            )
        }
        from imports.plan_import import Change

        label = str(Measure._meta.get_field("related_measures").verbose_name)
        comparison.changes.append(
            Change(
                "changed",
                "measure",
                _("Measure %(measure)s") % {"measure": measure},
                [
                    (
                        label,
                        display([names[pk] for pk in related_now]),
                        display([names[pk] for pk in related_then]),
                    )
                ],
            )
        )
    return comparison
