"""The cache on a real Redis server (REDIS_URL in production): the public page cache and the
plan fragments work through it, and separate processes share it.

Runs against the Redis at PLANWERK_TEST_REDIS_URL (default 127.0.0.1:6379/0) with a key prefix
of its own per test, and deletes only its own keys afterwards: the server may be shared.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client

from tests.actionplan.public_data import build_rich_plan
from tests.requirements import require_redis

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def redis_cache(settings, private_cache):
    """settings.CACHES on the real Redis, under a prefix no other run uses."""
    import redis

    url = require_redis()
    prefix = f"planwerk-test-{uuid.uuid4().hex}"
    previous = settings.CACHES
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    }
    client = redis.Redis.from_url(url)
    yield client, prefix
    # Never cache.clear(): on Redis that is FLUSHDB, other users' keys included.
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)
    client.close()
    settings.CACHES = previous


def _keys(client, prefix) -> list[str]:
    return sorted(key.decode() for key in client.scan_iter(match=f"{prefix}:*"))


def test_redis_cache_stores_and_reads_back(redis_cache):
    client, prefix = redis_cache
    assert cache.get("answer") is None
    cache.set("answer", {"value": 42}, 60)
    assert cache.get("answer") == {"value": 42}
    assert _keys(client, prefix) == [f"{prefix}:1:answer"]
    cache.delete("answer")
    assert _keys(client, prefix) == []


def test_public_page_is_served_from_redis(redis_cache, django_assert_num_queries):
    client, prefix = redis_cache
    plan = build_rich_plan(slug="leipzig")
    first = Client().get(plan.get_absolute_url())
    stored = _keys(client, prefix)
    assert any("planwerk-page:" in key for key in stored), stored
    assert any("planwerk-public:" in key for key in stored), stored  # the overview fragment
    assert any("planwerk-answer:" in key for key in stored), stored  # PublicPageMiddleware
    assert any("planwerk-stamp:" in key for key in stored), stored  # the remembered stamp

    with django_assert_num_queries(0):  # stamp and answer from Redis, no query
        second = Client().get(plan.get_absolute_url())
    assert second.content == first.content


def test_another_process_reads_what_this_one_wrote(redis_cache, settings):
    _client, prefix = redis_cache
    cache.set("shared", "von Prozess A", 60)
    code = (
        "import django, os; django.setup(); from django.core.cache import cache; "
        "print(cache.get('shared'))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PLANWERK_ENV": "development",
        "REDIS_URL": settings.CACHES["default"]["LOCATION"],
        "PLANWERK_CACHE_KEY_PREFIX": prefix,
    }
    output = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "von Prozess A"
