"""Writes of the access app: memberships, invitations, the staff flag and the audit log."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import rules
from .models import AuditEvent, Membership

logger = logging.getLogger(__name__)


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


# --- the staff flag follows memberships ---------------------------------------------------------


def staff_sync(*, user_ids: Iterable[int | None] = (), users: Iterable = ()) -> None:
    """Give Django's staff flag to the accounts that should carry it (``rules.should_be_staff``:
    superusers and members) and take it from those that should not any more.

    Called by the membership signals (save and delete, also cascades and loaddata) and by the
    membership QuerySet's bulk paths; ``users`` are instances the caller holds, updated in place
    so that a later ``save()`` of them does not write the old flag back."""
    held = {user.pk: user for user in users if user is not None and user.pk is not None}
    ids = {pk for pk in user_ids if pk is not None} - set(held)
    if ids:
        held.update({user.pk: user for user in get_user_model().objects.filter(pk__in=ids)})
    for user in held.values():
        should = rules.should_be_staff(user)
        if user.is_staff != should:
            user.is_staff = should
            # the user's post_save records the change in the audit log
            user.save(update_fields=["is_staff"])


# --- invitations --------------------------------------------------------------------------------


@dataclass
class Invitation:
    user: object
    membership: Membership
    new_account: bool
    new_membership: bool


def _free_username(email: str) -> str:
    user_model = get_user_model()
    # user names allow letters, digits and @.+-_ only; an address may hold more
    base = re.sub(r"[^\w.@+-]", "-", email.lower())[:140]
    name, number = base, 1
    while user_model.objects.filter(username__iexact=name).exists():
        number += 1
        name = f"{base}-{number}"
    return name


def password_set_url(user) -> str:
    """The link that lets ``user`` choose a password (Django's password-reset confirm view)."""
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
    return f"{settings.PLANWERK_BASE_URL}{path}"


def target_kind(target) -> str:
    """“plan” or “campaign”: what a membership of ``target`` points to."""
    return "campaign" if target._meta.model_name == "campaign" else "plan"


@transaction.atomic
def membership_invite(
    *,
    target,
    email: str,
    role: str,
    organisation=None,
    first_name: str = "",
    last_name: str = "",
    acting_user,
    request=None,
) -> Invitation:
    """Give the person with this e-mail address a role in ``target`` (a plan or campaign) and
    send them an e-mail: a new account (no usable password yet) gets a link to choose its
    password. Inviting again changes nothing but sends the e-mail again."""
    if not rules.can_manage_members(acting_user, target):
        raise PermissionDenied
    if role not in rules.grantable_roles(acting_user, target):
        raise ValidationError(_("You may not give this role."), code="role")
    email = email.strip()
    user_model = get_user_model()
    matches = list(user_model.objects.filter(email__iexact=email)[:2])
    if len(matches) > 1:
        raise ValidationError(
            _(
                "Several accounts use this e-mail address. Add the membership under "
                "“Memberships” and choose the account there."
            ),
            code="ambiguous",
        )
    new_account = not matches
    if new_account:
        user = user_model(
            username=_free_username(email),
            email=email,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
        )
        user.set_unusable_password()
        user.full_clean()
        user.save()
    else:
        user = matches[0]
        if not user.is_active:
            raise ValidationError(
                _("The account with this e-mail address is deactivated. Ask the administration."),
                code="inactive",
            )
    kind = target_kind(target)
    lookup = {"user": user, kind: target, "role": role}
    if kind == "plan":
        lookup["organisation"] = organisation
    membership = Membership.objects.filter(**lookup).first()
    new_membership = membership is None
    if new_membership:
        membership = Membership(**{**lookup, "organisation": organisation})
        membership_save(membership, acting_user=acting_user, request=request)
    audit(
        AuditEvent.Action.INVITED,
        actor=acting_user,
        request=request,
        obj=membership,
        detail=f"{email} – {_describe(membership)}"
        + ("" if new_membership else " – " + gettext("invited again")),
    )
    _send_invitation(user, membership, acting_user=acting_user)
    return Invitation(user, membership, new_account, new_membership)


def _send_invitation(user, membership, *, acting_user) -> None:
    """The invitation e-mail, in German; a failure to send refuses the whole invitation."""
    with translation.override(settings.LANGUAGE_CODE):
        target = membership.plan or membership.campaign
        context = {
            "user": user,
            "membership": membership,
            "target": target,
            "inviter": acting_user.get_full_name() or acting_user.get_username(),
            "set_password_url": None if user.has_usable_password() else password_set_url(user),
            "login_url": f"{settings.PLANWERK_BASE_URL}{reverse('admin:login')}",
            "username": user.get_username(),
            "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
            "site_url": settings.PLANWERK_BASE_URL,
        }
        subject = gettext("Planwerk: you are invited to “%(target)s”") % {"target": target}
        body = render_to_string("registration/invitation_email.txt", context)
    message = EmailMessage(
        subject=" ".join(subject.splitlines()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={"Auto-Submitted": "auto-generated", "Content-Language": settings.LANGUAGE_CODE},
    )
    try:
        message.send()
    except Exception as exc:  # SMTP errors, refused connections, timeouts alike
        logger.exception("Invitation e-mail to user %s failed", user.pk)
        raise ValidationError(
            _("The e-mail could not be sent, so nobody was invited. Please try again later."),
            code="mail",
        ) from exc
