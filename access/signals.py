"""Logins, failed logins and changes of global permissions go into the audit log; the staff
flag follows memberships however they are written (admin, services, shell, loaddata, cascades)."""

from django.contrib.auth import get_user_model, user_logged_in, user_logged_out, user_login_failed
from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save
from django.dispatch import receiver

from .models import AuditEvent, Membership
from .services import audit, staff_sync


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    # how, where not by password (sso.backends sets it: "OpenID Connect")
    detail = getattr(user, "login_detail", "")
    audit(AuditEvent.Action.LOGIN, actor=user, request=request, detail=detail)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit(AuditEvent.Action.LOGOUT, actor=user, request=request)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # a sign-in without user name (sso.backends) names the account and the reason on the request
    name = str(credentials.get("username") or getattr(request, "login_failure_name", ""))[:150]
    detail = getattr(request, "login_failure_detail", "")
    audit(AuditEvent.Action.LOGIN_FAILED, actor_name=name, request=request, detail=detail)


def _user_permissions_changed(sender, instance, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"} and isinstance(
        instance, get_user_model()
    ):
        audit(
            AuditEvent.Action.PERMISSIONS_CHANGED,
            detail=f"{instance.get_username()}: {sender._meta.model_name} {action}",
        )


def _flags(user) -> tuple[bool, bool, bool]:
    return user.is_staff, user.is_superuser, user.is_active


def _user_loaded(sender, instance, **kwargs):
    instance._planwerk_flags = _flags(instance)


def _user_saved(sender, instance, created, update_fields=None, **kwargs):
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    flags = _flags(instance)
    previous = getattr(instance, "_planwerk_flags", None)
    instance._planwerk_flags = flags
    if (created and (flags[0] or flags[1])) or (not created and previous != flags):
        audit(
            AuditEvent.Action.PERMISSIONS_CHANGED,
            detail=f"{instance.get_username()}: staff={flags[0]} superuser={flags[1]} "
            f"active={flags[2]}",
        )


def _membership_loaded(sender, instance, **kwargs):
    # the account it belonged to when read: a change of ``user`` may take the last membership
    instance._planwerk_user_id = instance.__dict__.get("user_id")


def _cached_user(membership):
    return membership._state.fields_cache.get("user")


def _membership_saved(sender, instance, raw=False, **kwargs):
    previous = getattr(instance, "_planwerk_user_id", None)
    instance._planwerk_user_id = instance.user_id
    staff_sync(
        user_ids={instance.user_id, previous}, users=[None if raw else _cached_user(instance)]
    )


def _membership_deleted(sender, instance, origin=None, **kwargs):
    user_model = get_user_model()
    deleting = origin.model if isinstance(origin, QuerySet) else type(origin)
    if deleting is user_model:
        return  # the account goes with its memberships
    staff_sync(user_ids={instance.user_id}, users=[_cached_user(instance)])


def connect():
    user_model = get_user_model()
    m2m_changed.connect(_user_permissions_changed, sender=user_model.groups.through)
    m2m_changed.connect(_user_permissions_changed, sender=user_model.user_permissions.through)
    post_init.connect(_user_loaded, sender=user_model)
    post_save.connect(_user_saved, sender=user_model)
    post_init.connect(_membership_loaded, sender=Membership)
    post_save.connect(_membership_saved, sender=Membership)
    post_delete.connect(_membership_deleted, sender=Membership)
