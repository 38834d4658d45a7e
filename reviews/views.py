"""The coordinator's review of a pending change (comparison, approve, send back) and the
editor's submit and withdraw. Admin pages: login, membership and CSRF through the admin site;
who may do what is asked of ``access.rules``. A pending change the user may not see answers 404.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from access import rules
from versions.changes import word_diff

from . import services
from .models import PendingChange

#: Attributes shown as a word diff rather than old and new side by side.
LONG_TEXT = {"description", "text", "note"}


def _pending_or_404(request, pk) -> PendingChange:
    pending = get_object_or_404(
        PendingChange.objects.select_related("measure__field__plan", "author", "decided_by"),
        pk=pk,
    )
    if not rules.can_view_pending(request.user, pending):
        raise Http404
    return pending


def _revision(request) -> int | None:
    try:
        return int(request.POST.get("revision", ""))
    except ValueError:
        return None


def _rows(changes):
    """The importer's changes with a word diff for long texts."""
    for change in changes:
        diffs = []
        for label, old, new in change.diffs:
            long = len(old) + len(new) > 80
            diffs.append(
                {
                    "label": label,
                    "old": old,
                    "new": new,
                    "words": word_diff(old, new) if long and change.action == "changed" else None,
                }
            )
        yield {
            "action": change.action,
            "kind": change.kind_label,
            "label": change.label,
            "diffs": diffs,
        }


def compare(request, pk, *, status=200, error=""):
    """Pending against published, field by field and row by row; the review's buttons."""
    pending = _pending_or_404(request, pk)
    comparison = services.pending_change_compare(pending)
    measure = pending.measure
    context = {
        **admin.site.each_context(request),
        "title": _("Review the change to “%(measure)s”") % {"measure": measure},
        "pending": pending,
        "measure": measure,
        "changes": list(_rows(comparison.changes)),
        "problems": comparison.problems,
        "conflict": comparison.conflict,
        "error": error,
        "may_review": rules.can_review_pending(request.user, pending)
        and pending.state == PendingChange.State.SUBMITTED,
        "may_edit": rules.can_change(request.user, measure) and pending.is_active,
        "may_submit": pending.state in (PendingChange.State.OPEN, PendingChange.State.SENT_BACK),
        "measure_url": reverse("admin:actionplan_measure_change", args=[measure.pk]),
        "opts": measure._meta,
    }
    return TemplateResponse(request, "reviews/pendingchange_compare.html", context, status=status)


def _back(pending) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("reviews:compare", args=[pending.pk]))


@require_POST
def approve(request, pk):
    pending = _pending_or_404(request, pk)
    if not rules.can_review_pending(request.user, pending):
        raise PermissionDenied(_("Only the plan's coordinators approve changes."))
    try:
        services.pending_change_approve(
            pending=pending, acting_user=request.user, revision=_revision(request), request=request
        )
    except services.ReviewConflict as exc:
        return compare(request, pk, status=409, error=str(exc))
    except services.ReviewError as exc:
        messages.error(request, str(exc))
        return _back(pending)
    messages.success(request, _("The change has been approved and published."))
    return _back(pending)


@require_POST
def send_back(request, pk):
    pending = _pending_or_404(request, pk)
    if not rules.can_review_pending(request.user, pending):
        raise PermissionDenied(_("Only the plan's coordinators send changes back."))
    try:
        services.pending_change_send_back(
            pending=pending,
            acting_user=request.user,
            comment=request.POST.get("comment", ""),
            revision=_revision(request),
            request=request,
        )
    except services.ReviewError as exc:
        return compare(request, pk, status=400, error=str(exc))
    messages.success(request, _("The change has been sent back to its editors."))
    return _back(pending)


@require_POST
def withdraw(request, pk):
    pending = _pending_or_404(request, pk)
    try:
        services.pending_change_withdraw(pending=pending, acting_user=request.user, request=request)
    except services.ReviewError as exc:
        messages.error(request, str(exc))
        return _back(pending)
    messages.success(request, _("The pending change has been withdrawn."))
    return HttpResponseRedirect(
        reverse("admin:actionplan_measure_change", args=[pending.measure_id])
    )


@require_POST
def submit(request, pk):
    pending = _pending_or_404(request, pk)
    try:
        services.pending_change_submit(pending=pending, acting_user=request.user, request=request)
    except services.ReviewError as exc:
        messages.error(request, str(exc))
        return _back(pending)
    messages.success(request, _("The change has been submitted for review."))
    return _back(pending)
