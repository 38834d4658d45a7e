"""/health/ for monitoring and /health/web/ for the load balancer (issue 19, item 10): each
component reported, 503 when one asked for is down."""

import datetime
import socket
from unittest import mock

import pytest
from django.db import OperationalError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.workers import tasks
from workers.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db

COMPONENTS = {"database", "cache", "storage", "workers", "queue"}


@pytest.fixture
def live_worker():
    return WorkerHeartbeat.objects.create(
        worker_id="worker-a", hostname="app-1", pid=4711, seen_at=timezone.now()
    )


def _get(client, path="/health/"):
    response = client.get(path)
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    return response.status_code, response.json()


def test_everything_up(client, live_worker):
    status, body = _get(client)
    assert status == 200
    assert body["status"] == "ok"
    assert set(body["components"]) == COMPONENTS
    assert all(c["ok"] for c in body["components"].values())
    assert "app-1" not in str(body), "no host names"


def test_without_a_worker_monitoring_fails_but_the_web_check_passes(client):
    status, body = _get(client)
    assert status == 503
    assert body["components"]["workers"] == {"ok": False, "detail": "no worker has reported"}
    status, body = _get(client, "/health/web/")
    assert status == 200
    assert set(body["components"]) == {"database", "storage"}


def test_a_silent_worker_counts_as_down(client, live_worker, settings):
    settings.PLANWERK_TASK_STALE_SECONDS = 60
    live_worker.seen_at = timezone.now() - datetime.timedelta(minutes=5)
    live_worker.save()
    status, body = _get(client)
    assert status == 503
    assert body["components"]["workers"]["ok"] is False
    assert "limit 60 s" in body["components"]["workers"]["detail"]


def test_a_job_waiting_too_long_fails_the_queue(client, live_worker, settings):
    settings.PLANWERK_HEALTH_QUEUE_MAX_WAIT_SECONDS = 600
    result = tasks.record_run.enqueue("waiting")
    assert _get(client)[1]["components"]["queue"]["ok"] is True
    DBTaskResult.objects.filter(pk=result.id).update(
        enqueued_at=timezone.now() - datetime.timedelta(minutes=15)
    )
    status, body = _get(client)
    assert status == 503
    assert body["components"]["queue"]["ok"] is False
    assert body["components"]["queue"]["detail"].startswith("1 waiting")


def test_database_down_fails_both(client, live_worker):
    with mock.patch("health.checks.connection") as patched:
        patched.cursor.side_effect = OperationalError("server closed the connection")
        for path in ("/health/", "/health/web/"):
            status, body = _get(client, path)
            assert status == 503
            assert body["components"]["database"] == {"ok": False, "detail": "OperationalError"}


def test_storage_not_writable_fails_both(client, live_worker, settings, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the documents folder should be")
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocked)},
        },
    }
    for path in ("/health/", "/health/web/"):
        status, body = _get(client, path)
        assert status == 503
        assert body["components"]["storage"]["ok"] is False


def test_cache_down_fails_monitoring_only(client, live_worker, settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
        }
    }
    status, body = _get(client)
    assert status == 503
    assert body["components"]["cache"] == {"ok": False, "detail": "unreachable"}
    assert _get(client, "/health/web/")[0] == 200
