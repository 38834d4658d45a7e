"""Whether single sign-on is on, and the provider's endpoints: set explicitly (OIDC_OP_*), or
read from the provider's discovery document below PLANWERK_OIDC_ISSUER.

The discovery document is fetched when an SSO sign-in needs it, never at start-up, on a password
sign-in or on a page view, and kept in the cache for an hour.
"""

import hashlib

import requests
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from mozilla_django_oidc.utils import import_from_settings

# setting -> its key in the discovery document (OpenID Connect Discovery 1.0, section 3)
DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
DISCOVERY_SECONDS = 60 * 60

# The session key set on a sign-in by SSO when the provider's second factor counts as
# Planwerk's (PLANWERK_OIDC_TRUST_MFA); the two-factor middleware reads it.
SESSION_KEY = "planwerk_sso"


def enabled() -> bool:
    return bool(getattr(settings, "PLANWERK_OIDC_ENABLED", False))


def issuer() -> str:
    return (getattr(settings, "PLANWERK_OIDC_ISSUER", "") or "").rstrip("/")


def discovery() -> dict:
    """The provider's discovery document (cached); its issuer must be the configured one."""
    url = issuer() + "/.well-known/openid-configuration"
    key = "sso:discovery:" + hashlib.sha256(url.encode()).hexdigest()
    document = cache.get(key)
    if document is None:
        response = requests.get(url, timeout=getattr(settings, "OIDC_TIMEOUT", 10))
        response.raise_for_status()
        document = response.json()
        if str(document.get("issuer", "")).rstrip("/") != issuer():
            raise ImproperlyConfigured(
                f"PLANWERK_OIDC_ISSUER is {issuer()!r}, but the provider's discovery document "
                f"names {document.get('issuer')!r}."
            )
        cache.set(key, document, DISCOVERY_SECONDS)
    return document


def setting(name: str, *default):
    """A mozilla-django-oidc setting; an endpoint left empty comes from discovery."""
    value = import_from_settings(name, *default)
    if not value and name in DISCOVERED and issuer():
        value = discovery().get(DISCOVERED[name]) or value
    return value
