"""What a load balancer and a monitoring system ask of a Planwerk installation.

Each check answers a ``Component``: ``ok`` or not, plus a short detail without secrets (no
host names, paths or credentials). ``run(names)`` runs the named checks; the views decide what
they mean for the HTTP status.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import DatabaseError, connection
from django.utils import timezone


@dataclass(frozen=True)
class Component:
    name: str
    ok: bool
    detail: str

    def as_dict(self) -> dict:
        return {"ok": self.ok, "detail": self.detail}


def database() -> Component:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return Component("database", False, type(error).__name__)
    return Component("database", True, connection.vendor)


def cache_check() -> Component:
    key = f"planwerk-health:{uuid.uuid4().hex}"
    try:
        cache.set(key, "ok", 10)
        answered = cache.get(key)
        cache.delete(key)
    except Exception as error:  # any backend's failure is this component's failure
        return Component("cache", False, type(error).__name__)
    if getattr(cache, "is_available", True) is False or answered != "ok":
        return Component("cache", False, "unreachable")
    return Component("cache", True, type(cache).__name__)


def storage() -> Component:
    """Generated documents are written here; a full or read-only disk shows up as a failure."""
    store = storages["documents"]
    name = f"health/{uuid.uuid4().hex}.txt"
    try:
        saved = store.save(name, ContentFile(b"ok"))
        store.delete(saved)
    except Exception as error:  # OSError locally, a client error on object storage
        return Component("storage", False, type(error).__name__)
    return Component("storage", True, "writable")


def workers() -> Component:
    """The newest heartbeat of a task worker must be younger than the stale limit."""
    from workers.models import WorkerHeartbeat

    newest = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    if newest is None:
        return Component("workers", False, "no worker has reported")
    age = (timezone.now() - newest).total_seconds()
    limit = settings.PLANWERK_TASK_STALE_SECONDS
    return Component("workers", age <= limit, f"last heartbeat {age:.0f} s ago (limit {limit:g} s)")


def queue() -> Component:
    """Jobs waiting; too old a waiting job means the workers do not keep up."""
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.ready()
    count = waiting.count()
    oldest = waiting.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
    limit = settings.PLANWERK_HEALTH_QUEUE_MAX_WAIT_SECONDS
    return Component(
        "queue", age <= limit, f"{count} waiting, oldest {age:.0f} s (limit {limit:g} s)"
    )


CHECKS = {
    "database": database,
    "cache": cache_check,
    "storage": storage,
    "workers": workers,
    "queue": queue,
}
# What a web server needs to answer requests: without these it must leave the rotation. A Redis
# outage (pages are served uncached) or a stopped worker (jobs wait) must not take it out.
WEB = ("database", "storage")


def run(names=tuple(CHECKS)) -> list[Component]:
    results = []
    for name in names:
        try:
            results.append(CHECKS[name]())
        except DatabaseError as error:  # workers and queue are read from the database
            results.append(Component(name, False, f"database: {type(error).__name__}"))
    return results
