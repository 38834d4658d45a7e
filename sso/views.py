"""The two steps of the sign-in: off to the provider, and back with a code. Both answer 404
while single sign-on is not configured."""

import logging

import requests
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext
from mozilla_django_oidc import views as oidc_views

from . import conf

logger = logging.getLogger(__name__)


def _unavailable() -> str:
    return gettext(
        "Signing in with the city's account did not succeed. Please try again or sign in with "
        "your user name and password."
    )


class SsoEnabledMixin:
    get_settings = staticmethod(conf.setting)

    def dispatch(self, request, *args, **kwargs):
        if not conf.enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class AuthenticationRequestView(SsoEnabledMixin, oidc_views.OIDCAuthenticationRequestView):
    def __init__(self, **kwargs):
        # The library reads the endpoint here; Planwerk only on a GET (it may need discovery).
        oidc_views.View.__init__(self, **kwargs)

    def get(self, request):
        try:
            self.OIDC_OP_AUTH_ENDPOINT = conf.setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except (requests.RequestException, ValueError, ImproperlyConfigured) as exc:
            logger.warning("SSO provider not reachable: %s", exc)
            messages.error(request, _unavailable())
            return HttpResponseRedirect(reverse("admin:login"))
        self.OIDC_RP_CLIENT_ID = conf.setting("OIDC_RP_CLIENT_ID")
        return super().get(request)


class AuthenticationCallbackView(SsoEnabledMixin, oidc_views.OIDCAuthenticationCallbackView):
    @property
    def failure_url(self):
        return reverse("admin:login")

    @property
    def success_url(self):
        return self.request.session.get("oidc_login_next") or reverse("admin:index")

    def get(self, request):
        try:
            return super().get(request)
        except SuspiciousOperation as exc:  # an unknown or replayed state
            logger.warning("SSO callback refused: %s", exc)
            return self.login_failure()

    def login_failure(self):
        message = getattr(self.request, "sso_refusal", None)
        if message or "code" in self.request.GET or "error" in self.request.GET:
            messages.error(self.request, message or _unavailable())
        return HttpResponseRedirect(self.failure_url)

    def login_success(self):
        response = super().login_success()
        if getattr(settings, "PLANWERK_OIDC_TRUST_MFA", True):
            self.request.session[conf.SESSION_KEY] = True
        return response
