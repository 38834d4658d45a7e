"""Helpers for the second factor's tests: codes computed from a device's key (no pyotp)."""

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY = [f"code{n:04d}" for n in range(10)]


def totp_code(device, *, steps_ahead: int = 0) -> str:
    """The code the app shows now (or ``steps_ahead`` periods later: django-otp refuses a code
    of a period already used, and tests sign in twice within one)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def enrolled(user) -> TOTPDevice:
    """A confirmed authenticator device and the ten ``RECOVERY`` codes for ``user``."""
    device = TOTPDevice.objects.create(user=user, name="Planwerk", confirmed=True)
    static = StaticDevice.objects.create(user=user, name="Planwerk", confirmed=True)
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in RECOVERY)
    return device
