"""Rate limits in the shared cache: per client address for anonymous clients, per user for
token and session users. The rates are read at request time (settings may change in tests).

They count in the cache alias "throttle" where one is configured (with Redis: one that keeps
counting in the process's memory while Redis is unreachable, config/cache.py), else in the
default cache."""

from django.conf import settings
from django.core.cache import caches
from rest_framework import throttling
from rest_framework.settings import api_settings

from access.services import client_ip


class _RuntimeRate:
    @property
    def cache(self):
        return caches["throttle" if "throttle" in settings.CACHES else "default"]

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        # The address as the login lock-out sees it: only the configured proxy header counts.
        return client_ip(getattr(request, "_request", request)) or super().get_ident(request)


class AnonClientThrottle(_RuntimeRate, throttling.AnonRateThrottle):
    scope = "anon"


class TokenUserThrottle(_RuntimeRate, throttling.UserRateThrottle):
    scope = "user"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None  # the anonymous throttle counts these
        return super().get_cache_key(request, view)
