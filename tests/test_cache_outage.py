"""Redis is a cache, not a dependency (issue 19, item 6): with the Redis server gone, every page
still answers (uncached, one warning logged), sign-in works, the API's rate limits keep counting,
and the circuit breaker spares later requests the connection attempt.

The outage test starts a Redis server of its own on a free port (redis-server from Debian's
package redis-server; missing → skipped locally, a failure with PLANWERK_REQUIRE_REDIS=1) and
stops it in the middle of the test: the shared server on 6379 is never touched.
"""

import logging
import socket
import subprocess
import time
import uuid

import pytest
from django.core.cache import cache, caches
from django.test import Client

from config.cache import ResilientRedisCache
from tests.actionplan.public_data import build_rich_plan
from tests.factories import UserFactory
from tests.requirements import require_binary

pytestmark = pytest.mark.django_db


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _resilient(location: str, **options) -> dict:
    return {
        "BACKEND": "config.cache.ResilientRedisCache",
        "LOCATION": location,
        "KEY_PREFIX": f"planwerk-outage-{uuid.uuid4().hex}",
        "OPTIONS": options,
    }


class RedisServer:
    """A throwaway redis-server on a free port, without persistence."""

    def __init__(self, binary: str):
        self.binary = binary
        self.port = _free_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        for _ in range(50):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self):
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def own_redis():
    server = RedisServer(require_binary("redis-server", "redis-server", "PLANWERK_REQUIRE_REDIS"))
    server.start()
    yield server
    server.stop()


# --- the backend on a port where nothing listens (no Redis needed) ---------------------------


@pytest.fixture
def dead_cache(settings):
    settings.PLANWERK_CACHE_RETRY_SECONDS = 30
    return ResilientRedisCache(f"redis://127.0.0.1:{_free_port()}/0", {"KEY_PREFIX": "dead"})


def test_unreachable_redis_answers_like_an_empty_cache(dead_cache, caplog):
    with caplog.at_level(logging.WARNING, logger="planwerk.cache"):
        assert dead_cache.get("key") is None
        assert dead_cache.get("key", "fallback") == "fallback"
        dead_cache.set("key", "value", 60)
        assert dead_cache.get("key") is None
        assert dead_cache.add("key", "value") is False
        assert dead_cache.get_many(["a", "b"]) == {}
        assert dead_cache.has_key("key") is False
        assert dead_cache.get_or_set("key", "computed") == "computed"
        with pytest.raises(ValueError):
            dead_cache.incr("counter")
    warnings = [r for r in caplog.records if r.name == "planwerk.cache"]
    assert len(warnings) == 1, "one warning per outage, not one per call"
    assert "unreachable" in warnings[0].getMessage()
    assert dead_cache.is_available is False


def test_open_breaker_skips_the_connection_attempt(dead_cache, monkeypatch):
    dead_cache.get("key")  # trips the breaker
    attempts = []
    original = dead_cache._cache.get_client

    def counting(*args, **kwargs):
        attempts.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(dead_cache._cache, "get_client", counting)
    started = time.monotonic()
    for _ in range(100):
        dead_cache.get("key")
    assert attempts == []
    assert time.monotonic() - started < 1


def test_breaker_tries_again_after_the_retry_period(dead_cache, settings, monkeypatch):
    settings.PLANWERK_CACHE_RETRY_SECONDS = 0.05
    dead_cache.get("key")
    assert dead_cache.is_available is False
    time.sleep(0.1)
    assert dead_cache.is_available is True
    attempts = []
    original = dead_cache._cache.get_client
    monkeypatch.setattr(
        dead_cache._cache, "get_client", lambda *a, **k: attempts.append(a) or original(*a, **k)
    )
    dead_cache.get("key")
    assert len(attempts) == 1


def test_local_fallback_keeps_counting_while_redis_is_away(settings):
    settings.PLANWERK_CACHE_RETRY_SECONDS = 30
    counting = ResilientRedisCache(
        f"redis://127.0.0.1:{_free_port()}/0", {"OPTIONS": {"LOCAL_FALLBACK": True}}
    )
    counting.set("requests", 1, 60)
    assert counting.incr("requests") == 2
    assert counting.get("requests") == 2


def test_api_rate_limit_still_counts_without_redis(settings, client):
    settings.CACHES = {
        "default": _resilient(f"redis://127.0.0.1:{_free_port()}/0"),
        "throttle": _resilient(f"redis://127.0.0.1:{_free_port()}/0", LOCAL_FALLBACK=True),
    }
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "3/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    from rest_framework.settings import api_settings

    api_settings.reload()
    try:
        statuses = [client.get("/api/v1/plans/").status_code for _ in range(5)]
    finally:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
        api_settings.reload()
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3:] == [429, 429]


# --- a real Redis server that goes away in the middle of the test -----------------------------


ANONYMOUS_PAGES = ("/", "/en/", "/suche/?q=Netzwerk", "/api/v1/plans/", "/admin/login/")


def test_site_answers_while_redis_is_down_and_uses_it_again_after(own_redis, settings, caplog):
    settings.PLANWERK_CACHE_RETRY_SECONDS = 0.5
    settings.CACHES = {
        "default": _resilient(own_redis.url),
        "throttle": _resilient(own_redis.url, LOCAL_FALLBACK=True),
    }
    plan = build_rich_plan(slug="leipzig")
    plan_url = plan.get_absolute_url()
    import redis

    server = redis.Redis.from_url(own_redis.url)
    assert Client().get(plan_url).status_code == 200
    assert server.dbsize() > 0, "the plan page was cached in Redis"
    user = UserFactory(username="sachbearbeiterin", is_staff=True, is_superuser=True)
    user.set_password("geheim-genug-42")
    user.save()

    own_redis.stop()
    with caplog.at_level(logging.WARNING, logger="planwerk.cache"):
        started = time.monotonic()
        for path in (plan_url, f"/plaene/{plan.slug}/aenderungen.atom", *ANONYMOUS_PAGES):
            response = Client().get(path, follow=True)
            assert response.status_code == 200, path
        login = Client().post(
            "/admin/login/", {"username": "sachbearbeiterin", "password": "geheim-genug-42"}
        )
        assert login.status_code == 302, "sign-in works without the cache"
        elapsed = time.monotonic() - started
    assert any("unreachable" in r.getMessage() for r in caplog.records)
    assert elapsed < 10, f"{elapsed:.1f} s: the breaker should spare the timeouts"

    own_redis.start()  # same port, empty
    time.sleep(0.6)  # the breaker's retry period
    assert Client().get(plan_url).status_code == 200
    assert caches["default"].is_available
    assert redis.Redis.from_url(own_redis.url).dbsize() > 0, "cached in Redis again"
    cache.delete("nothing")  # the default alias answers through Redis without error
