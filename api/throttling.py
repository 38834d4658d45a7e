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


def _throttle_cache():
    return caches["throttle" if "throttle" in settings.CACHES else "default"]


class _RuntimeRate:
    @property
    def cache(self):
        return _throttle_cache()

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


class WrongTokenThrottle(_RuntimeRate, throttling.SimpleRateThrottle):
    """Wrong, expired or revoked tokens per client address (scope "token_failure").

    Authentication runs before DRF's throttles, so a guessed token would otherwise never be
    counted: ``ApiTokenAuthentication`` asks ``allow_request`` before it looks a token up and
    calls ``record_failure`` when the lookup fails. Once the limit is reached, every token from
    that address (a right one too) gets 429 until the window has passed."""

    scope = "token_failure"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def allow_request(self, request, view=None):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        return len(self.history) < self.num_requests

    def record_failure(self) -> None:
        if self.rate is None:
            return  # no limit configured
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)
