"""Writes of the second factor: setting up a device, recovery codes, checking a code (throttled
and audited), removing a device and a superuser's reset."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import logout
from django.db import transaction
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from access.models import AuditEvent
from access.services import audit

from . import policy

RECOVERY_CODE_COUNT = 10
DEVICE_NAME = "Planwerk"


def totp_device_for_setup(*, user) -> TOTPDevice:
    """The unconfirmed authenticator device being set up (the same one until confirmed, so a
    reload shows the same QR code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def twofactor_enrol(*, device: TOTPDevice, code: str, request) -> list[str] | None:
    """Confirm the device with a code from the app; make the recovery codes and count this
    session as verified. None when the code is wrong (nothing changes)."""
    if not device.verify_token(_normalise(code)):
        return None
    user = device.user
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    otp_login(request, device)
    request.session[policy.DEVICE_SESSION_KEY] = True
    request.session[policy.FRESH_CODES_SESSION_KEY] = codes
    audit(AuditEvent.Action.TWO_FACTOR_ENROLLED, actor=user, request=request)
    return codes


@transaction.atomic
def recovery_codes_renew(*, user, request) -> list[str]:
    """Ten new recovery codes; the old ones stop working."""
    codes = _new_recovery_codes(user)
    request.session[policy.FRESH_CODES_SESSION_KEY] = codes
    audit(AuditEvent.Action.TWO_FACTOR_CODES_RENEWED, actor=user, request=request)
    return codes


@dataclass
class Check:
    ok: bool
    # seconds to wait before the next try (the devices' throttle), 0 when none
    wait: int = 0
    signed_out: bool = False


def _normalise(code: str) -> str:
    return "".join(str(code).split()).lower()


def _devices(user):
    return [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]


def _wait(devices) -> int:
    now = timezone.now()
    wait = 0
    for device in devices:
        allowed, info = device.verify_is_allowed()
        if not allowed and info and info.get("locked_until"):
            wait = max(wait, int((info["locked_until"] - now).total_seconds()) + 1)
    return wait


def code_check(*, user, code: str, request, sign_in: bool = True) -> Check:
    """Check a code from the app or a recovery code (used up when it matches).

    Every wrong code counts against all of the person's devices (django-otp's throttle: the
    wait doubles with each failure and is stored on the device, so a new session does not reset
    it) and goes into the audit log; after PLANWERK_LOGIN_FAILURE_LIMIT wrong codes in a row the
    session is signed out. With ``sign_in`` a right code verifies the session."""
    devices = _devices(user)
    if not devices:
        return Check(ok=False)
    wait = _wait(devices)
    if wait:
        return Check(ok=False, wait=wait)
    token = _normalise(code)
    matched = None
    for device in devices:
        if device.verify_token(token):
            matched = device
            break
    if matched is not None:
        for device in devices:
            if device is not matched and device.throttling_failure_count:
                device.throttle_reset()
        if sign_in:
            otp_login(request, matched)
        if isinstance(matched, StaticDevice):
            audit(AuditEvent.Action.TWO_FACTOR_RECOVERY_USED, actor=user, request=request)
        return Check(ok=True)
    # a wrong code: each device's verify_token counted it (none was throttled, see above)
    failures = max(device.throttling_failure_count for device in devices)
    audit(
        AuditEvent.Action.TWO_FACTOR_FAILED,
        actor=user,
        request=request,
        detail=f"{failures} in a row",
    )
    if sign_in and failures >= settings.AXES_FAILURE_LIMIT:
        logout(request)
        return Check(ok=False, signed_out=True)
    return Check(ok=False)


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def twofactor_remove(*, user, acting_user, request) -> None:
    """Remove the person's devices and recovery codes: by themselves (after a code) or by a
    superuser (a lost phone), both in the audit log."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    if acting_user.pk == user.pk:
        request.session[policy.DEVICE_SESSION_KEY] = False
        audit(AuditEvent.Action.TWO_FACTOR_REMOVED, actor=user, request=request)
    else:
        audit(
            AuditEvent.Action.TWO_FACTOR_RESET,
            actor=acting_user,
            request=request,
            detail=user.get_username(),
        )
