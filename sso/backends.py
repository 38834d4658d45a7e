"""Sign-in with the city's account (OpenID Connect) for accounts that exist in Planwerk.

An account is found by its verified e-mail address. Roles come only from Planwerk's
memberships: no claim of the provider (groups, roles, admin flags) grants anything, an existing
account keeps its flags, and a new account (only with PLANWERK_OIDC_CREATE_USERS) is a plain
one without membership, staff or superuser flag. Every sign-in and every refusal is written to
the audit log (access.signals, with the detail set here).
"""

import logging

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.utils.translation import gettext
from mozilla_django_oidc.auth import OIDCAuthenticationBackend, default_username_algo

from . import conf

logger = logging.getLogger(__name__)

LOGIN_DETAIL = "OpenID Connect"


class Refused(Exception):
    """An SSO sign-in that Planwerk refuses, with the message the person reads."""

    def __init__(self, message: str, *, reason: str, email: str = ""):
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.email = email


def _setting_property(name):
    return property(lambda self: conf.setting(name, None))


class PlanwerkOIDCBackend(OIDCAuthenticationBackend):
    # Read when used, not in __init__ (Django makes a backend for every password sign-in and
    # every request of a signed-in user: none of them may wait for the provider).
    OIDC_OP_TOKEN_ENDPOINT = _setting_property("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = _setting_property("OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = _setting_property("OIDC_OP_JWKS_ENDPOINT")
    OIDC_RP_CLIENT_ID = _setting_property("OIDC_RP_CLIENT_ID")
    OIDC_RP_CLIENT_SECRET = _setting_property("OIDC_RP_CLIENT_SECRET")
    OIDC_RP_SIGN_ALGO = property(lambda self: conf.setting("OIDC_RP_SIGN_ALGO", "RS256"))
    OIDC_RP_IDP_SIGN_KEY = _setting_property("OIDC_RP_IDP_SIGN_KEY")

    get_settings = staticmethod(conf.setting)

    def __init__(self, *args, **kwargs):
        self.UserModel = get_user_model()

    # A deactivated account's session ends with its next request (the library's get_user
    # would keep it).
    get_user = ModelBackend.get_user

    def authenticate(self, request, **kwargs):
        # Only the callback view passes a nonce; password sign-ins pass username and password.
        if not conf.enabled() or request is None or "nonce" not in kwargs:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except Refused as refusal:
            message, reason, email = refusal.message, refusal.reason, refusal.email
        except (SuspiciousOperation, requests.RequestException, ValueError) as exc:
            logger.warning("SSO sign-in failed: %s", exc)
            message = gettext(
                "Signing in with the city's account did not succeed. Please try again or sign in "
                "with your user name and password."
            )
            reason, email = f"{type(exc).__name__}: {exc}"[:200], ""
        # read by the callback view (the message) and access.signals (the audit log entry)
        request.sso_refusal = message
        request.login_failure_name = email[:150]
        request.login_failure_detail = f"{LOGIN_DETAIL}: {reason}"
        return None

    def verify_token(self, token, **kwargs):
        """The library checks signature, expiry and nonce; Planwerk also the audience and,
        with PLANWERK_OIDC_ISSUER, the issuer."""
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The ID token was issued for another client.")
        if conf.issuer() and str(payload.get("iss", "")).rstrip("/") != conf.issuer():
            raise SuspiciousOperation("The ID token comes from another issuer.")
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        """The ID token's claims, completed by the user info endpoint where there is one
        (ADFS puts the e-mail address into the ID token only)."""
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            info = super().get_userinfo(access_token, id_token, payload)
            if info.get("sub") != payload.get("sub"):
                raise SuspiciousOperation("The user info belongs to another subject.")
            claims.update(info)
        return claims

    def filter_users_by_claims(self, claims):
        """Active accounts with the claimed e-mail address (in any case)."""
        email = _email(claims)
        if not email:
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(email__iexact=email, is_active=True)

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        email = _email(claims)
        if not email:
            raise Refused(
                gettext("The city's account did not tell Planwerk your e-mail address."),
                reason="no e-mail address",
            )
        if str(claims.get("email_verified", "")).lower() == "false":
            raise Refused(
                gettext(
                    "The city's account has not confirmed the e-mail address %(email)s, so "
                    "Planwerk cannot sign you in with it."
                )
                % {"email": email},
                reason="e-mail address not verified",
                email=email,
            )
        users = list(self.filter_users_by_claims(claims)[:2])
        if len(users) > 1:
            raise Refused(
                gettext(
                    "Several Planwerk accounts have the e-mail address %(email)s, so Planwerk "
                    "cannot tell which one is yours. Please sign in with your user name and "
                    "password, or ask the coordination to give the address to one account only."
                )
                % {"email": email},
                reason="several accounts with this e-mail address",
                email=email,
            )
        if users:
            user = self.update_user(users[0], claims)
            created = False
        elif self.UserModel.objects.filter(email__iexact=email).exists():
            raise Refused(
                gettext(
                    "The Planwerk account with the e-mail address %(email)s is deactivated. "
                    "Please ask the coordination of your plan."
                )
                % {"email": email},
                reason="account deactivated",
                email=email,
            )
        elif getattr(settings, "PLANWERK_OIDC_CREATE_USERS", False):
            user = self.create_user(claims)
            created = True
        else:
            raise Refused(
                gettext(
                    "No Planwerk account has the e-mail address %(email)s. Please ask the "
                    "coordination of your plan to invite you."
                )
                % {"email": email},
                reason="no account with this e-mail address",
                email=email,
            )
        # read by access.signals (audit log) and sso.signals / the callback view
        user.signed_in_by_sso = True
        user.login_detail = LOGIN_DETAIL + (": account created" if created else "")
        return user

    def create_user(self, claims):
        """A plain account: no staff or superuser flag, no membership, no usable password.
        Roles are given in Planwerk by the plan's coordination, never by the provider."""
        email = _email(claims)
        username = email.lower()
        if len(username) > 150 or self.UserModel.objects.filter(username=username).exists():
            username = default_username_algo(email)
        return self.UserModel.objects.create_user(
            username,
            email=email,
            first_name=str(claims.get("given_name") or "")[:150],
            last_name=str(claims.get("family_name") or "")[:150],
        )

    def update_user(self, user, claims):
        """The account stays as Planwerk keeps it: flags, memberships and names unchanged."""
        return user


def _email(claims) -> str:
    return str(claims.get("email") or "").strip()
