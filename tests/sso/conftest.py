"""The provider stub switched on for the SSO tests; the browser fixtures for the browser test."""

import pytest

from access.models import Membership
from tests.browser.conftest import browser_page, chromium_browser, live_url  # noqa: F401
from tests.factories import PlanFactory, UserFactory
from tests.sso.stub_provider import CLIENT_ID, CLIENT_SECRET, ENDPOINTS, ISSUER, install

BACKEND = "sso.backends.PlanwerkOIDCBackend"
BUTTON = "Mit dem Konto der Stadt anmelden"


@pytest.fixture
def provider(monkeypatch):
    return install(monkeypatch)


@pytest.fixture
def sso(settings, provider):
    """Single sign-on switched on against the stub, with every endpoint named."""
    settings.PLANWERK_OIDC_ENABLED = True
    settings.PLANWERK_OIDC_ISSUER = ISSUER
    for name, url in ENDPOINTS.items():
        setattr(settings, name, url)
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, BACKEND]
    return settings


@pytest.fixture
def member(db):
    user = UserFactory(username="erika", email="Erika.Muster@leipzig.de")
    Membership.objects.create(user=user, plan=PlanFactory(), role=Membership.Role.READER)
    return user
