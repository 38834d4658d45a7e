"""Writes of the access app: memberships and the audit log."""

from __future__ import annotations

from django.db import transaction

from . import rules
from .models import AuditEvent, Membership


def client_ip(request) -> str | None:
    """The client address as django-axes determines it (the configured proxy header only)."""
    if request is None or not hasattr(request, "META"):
        return None
    try:
        from axes.helpers import get_client_ip_address
    except ImportError:  # pragma: no cover - axes is a dependency
        return request.META.get("REMOTE_ADDR") or None
    return get_client_ip_address(request) or None


def audit(
    action: str,
    *,
    actor=None,
    actor_name: str = "",
    request=None,
    obj=None,
    plan=None,
    campaign=None,
    detail: str = "",
) -> AuditEvent:
    """Record who did what, when and from where."""
    if request is None:
        # The request being served, if any (django-simple-history's middleware keeps it).
        from simple_history.models import HistoricalRecords

        request = getattr(HistoricalRecords.context, "request", None)
        if actor is None and request is not None and not actor_name:
            actor = getattr(request, "user", None)
    if actor is not None and not actor.is_authenticated:
        actor = None
    if obj is not None:
        plan = plan or _plan_of(obj)
        campaign = campaign or _campaign_of(obj)
    return AuditEvent.objects.create(
        actor=actor,
        actor_name=actor_name or (actor.get_username() if actor else ""),
        action=action,
        plan=plan,
        campaign=campaign,
        object_type=obj._meta.verbose_name if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        detail=detail,
        ip_address=client_ip(request),
    )


def _plan_of(obj):
    from actionplan.models import Plan

    return _container(obj, "plan", rules.PLAN_PATHS, rules._plan_id_of, Plan)


def _campaign_of(obj):
    from campaigns.models import Campaign

    return _container(obj, "campaign", rules.CAMPAIGN_PATHS, rules._campaign_id_of, Campaign)


def _container(obj, name, paths, id_of, model):
    """The plan (or campaign) an object belongs to, or None."""
    if obj._meta.model_name == name:
        return obj
    if obj._meta.model_name == "membership":
        return getattr(obj, name)
    if obj._meta.model_name in paths:
        return model.objects.filter(pk=id_of(obj)).first()
    return None


def _describe(membership: Membership) -> str:
    org = f" ({membership.organisation})" if membership.organisation_id else ""
    return f"{membership.user.get_username()}: {membership.get_role_display()}{org}"


@transaction.atomic
def membership_save(membership: Membership, *, acting_user, request=None, changed=()) -> None:
    """Create or change a membership (the caller checked ``rules.can_manage_members``)."""
    membership.full_clean()
    created = membership.pk is None
    membership._history_user = acting_user
    membership.save()
    rules.forget(membership.user)
    action = AuditEvent.Action.MEMBERSHIP_ADDED if created else AuditEvent.Action.MEMBERSHIP_CHANGED
    detail = _describe(membership)
    if changed and not created:
        detail += " – " + ", ".join(changed)
    audit(action, actor=acting_user, request=request, obj=membership, detail=detail)


@transaction.atomic
def membership_delete(membership: Membership, *, acting_user, request=None) -> None:
    detail = _describe(membership)
    plan, campaign = membership.plan, membership.campaign
    membership._history_user = acting_user
    membership.delete()
    audit(
        AuditEvent.Action.MEMBERSHIP_REMOVED,
        actor=acting_user,
        request=request,
        plan=plan,
        campaign=campaign,
        detail=detail,
    )
