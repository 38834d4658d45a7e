"""Where a signed-in session stands with its second factor: done, a code owed, or a device
still to set up. Who must use one is decided by ``access.rules.must_use_second_factor``."""

from django.conf import settings
from django_otp import user_has_device

from access import rules

# Whether the account had a confirmed device when the session signed in (or since changed it).
DEVICE_SESSION_KEY = "planwerk_2fa_device"
# Set by the SSO sign-in (sso/): the identity provider asked for the second factor.
SSO_SESSION_KEY = "planwerk_sso"
# Fresh recovery codes, shown (and downloadable) once right after they were made.
FRESH_CODES_SESSION_KEY = "planwerk_2fa_fresh_codes"

VERIFY = "verify"
ENROL = "enrol"


def remember_device(request, user) -> bool:
    """Note in the session whether ``user`` has a confirmed device; return it."""
    has = user_has_device(user, confirmed=True)
    if request.session.get(DEVICE_SESSION_KEY) != has:
        request.session[DEVICE_SESSION_KEY] = has
    return has


def has_device(request) -> bool:
    """The session's note, made once where it is missing (sessions older than the feature)."""
    noted = request.session.get(DEVICE_SESSION_KEY)
    if noted is None:
        return remember_device(request, request.user)
    return noted


def trusts_sso(request) -> bool:
    """A session signed in via SSO counts as verified when PLANWERK_OIDC_TRUST_MFA is on: the
    identity provider is trusted to have asked for its own second factor."""
    return bool(request.session.get(SSO_SESSION_KEY)) and getattr(
        settings, "PLANWERK_OIDC_TRUST_MFA", True
    )


def is_verified(request) -> bool:
    user = request.user
    verify = getattr(user, "is_verified", None)
    return bool(verify and verify()) or trusts_sso(request)


def pending_step(request) -> str | None:
    """``VERIFY`` (a code is owed), ``ENROL`` (a device must be set up first) or None."""
    user = request.user
    if not user.is_authenticated or is_verified(request):
        return None
    if has_device(request):
        return VERIFY
    if rules.must_use_second_factor(user):
        return ENROL
    return None
