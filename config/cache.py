"""Redis as a cache, not as a dependency (issue 19).

``ResilientRedisCache`` is Django's ``RedisCache`` with a circuit breaker: when the Redis server
cannot be reached, the failing call logs one warning and answers like an empty cache (a miss on
reads, nothing stored on writes), and for ``PLANWERK_CACHE_RETRY_SECONDS`` every further call
skips Redis at once instead of waiting for a connection timeout. After that pause the next call
tries Redis again. Pages are then rendered uncached; nothing that needs the cache for its
correctness (sessions and the login lock-out live in the database) stops working.

With ``OPTIONS["LOCAL_FALLBACK"] = True`` the cache keeps working in this process's memory
while Redis is away instead of forgetting everything. The API's rate limits use such a cache
(settings ``CACHES["throttle"]``): a Redis outage must not switch them off. Page caches must
not use it: another process's change would not reach this process's memory, and stale pages
would be served.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger("planwerk.cache")

_MISSING = object()


def _connection_errors() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.ConnectionError, redis.TimeoutError, OSError)


class _Breaker:
    """Open for a while after a failure; shared by the threads of one process."""

    def __init__(self):
        self._lock = threading.Lock()
        self.open_until = 0.0

    def is_open(self) -> bool:
        return time.monotonic() < self.open_until

    def trip(self, seconds: float) -> bool:
        """Open the breaker; True if it was closed (the caller logs once per outage)."""
        with self._lock:
            was_closed = not self.is_open()
            self.open_until = time.monotonic() + seconds
            return was_closed


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        self._local_fallback = bool(options.pop("LOCAL_FALLBACK", False))
        # Fail fast: a cache that answers slower than the database is no cache.
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 1.0)
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._breaker = _Breaker()
        self._local = (
            LocMemCache(f"planwerk-fallback-{id(self)}", {"TIMEOUT": params.get("TIMEOUT", 300)})
            if self._local_fallback
            else None
        )

    # --- the breaker -----------------------------------------------------------------------

    @property
    def retry_seconds(self) -> float:
        return float(getattr(settings, "PLANWERK_CACHE_RETRY_SECONDS", 30))

    @property
    def is_available(self) -> bool:
        """False while the breaker is open (Redis failed within the last retry period)."""
        return not self._breaker.is_open()

    def _call(self, name: str, fallback, *args, **kwargs):
        if self._breaker.is_open():
            return self._fallback(name, fallback, *args, **kwargs)
        try:
            return getattr(super(), name)(*args, **kwargs)
        except _connection_errors() as error:
            if self._breaker.trip(self.retry_seconds):
                logger.warning(
                    "Cache server unreachable (%s: %s); serving without it for %g s",
                    type(error).__name__,
                    error,
                    self.retry_seconds,
                )
            return self._fallback(name, fallback, *args, **kwargs)

    def _fallback(self, name, fallback, *args, **kwargs):
        if self._local is not None:
            return getattr(self._local, name)(*args, **kwargs)
        return fallback(*args, **kwargs) if callable(fallback) else fallback

    # --- the cache API: every call that reaches the server goes through _call ------------

    def add(self, key, value, timeout=_MISSING, version=None):
        args = (key, value) if timeout is _MISSING else (key, value, timeout)
        return self._call("add", False, *args, version=version)

    def get(self, key, default=None, version=None):
        return self._call("get", lambda *a, **k: default, key, default, version=version)

    def set(self, key, value, timeout=_MISSING, version=None):
        args = (key, value) if timeout is _MISSING else (key, value, timeout)
        return self._call("set", None, *args, version=version)

    def touch(self, key, timeout=_MISSING, version=None):
        args = (key,) if timeout is _MISSING else (key, timeout)
        return self._call("touch", False, *args, version=version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version=version)

    def get_many(self, keys, version=None):
        return self._call("get_many", lambda *a, **k: {}, keys, version=version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version=version)

    def incr(self, key, delta=1, version=None):
        def missing(*args, **kwargs):
            raise ValueError(f"Key '{key}' not found")  # what an empty cache answers

        return self._call("incr", missing, key, delta, version=version)

    def set_many(self, data, timeout=_MISSING, version=None):
        args = (data,) if timeout is _MISSING else (data, timeout)
        return self._call("set_many", lambda *a, **k: list(data), *args, version=version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version=version)

    def clear(self):
        return self._call("clear", False)
