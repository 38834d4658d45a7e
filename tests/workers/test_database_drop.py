"""Task workers survive a dropped database connection (issue 19, item 5): after
``pg_terminate_backend`` on their connections, idle or in the middle of a job, they connect again
and go on; the interrupted job goes back to the queue and completes.

PostgreSQL only (``pg_terminate_backend``); real ``manage.py task_worker`` processes.
"""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django_tasks_db.models import DBTaskResult

from tests.workers import tasks
from tests.workers.support import wait_for
from workers import services

pytestmark = pytest.mark.django_db(transaction=True)


def _drop_other_connections() -> int:
    """Terminate every connection to the test database but this test's own."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def _finished(result_id) -> bool:
    return DBTaskResult.objects.filter(pk=result_id).finished().exists()


def test_idle_worker_reconnects_after_its_connection_is_dropped(start_worker):
    first = tasks.record_run.enqueue("before")
    worker = start_worker("worker-a")
    wait_for(lambda: _finished(first.id), "the first job finished")

    assert _drop_other_connections() >= 1  # the worker's (and its heartbeat thread's)
    second = tasks.record_run.enqueue("after")
    wait_for(lambda: _finished(second.id), "a job after the drop finished")

    assert worker.poll() is None, "the worker is still running"
    assert DBTaskResult.objects.get(pk=second.id).status == "SUCCESSFUL"
    assert set(Group.objects.values_list("name", flat=True)) == {"before", "after"}


def test_busy_worker_hands_back_its_job_and_completes_it(start_worker, tmp_path):
    started = tmp_path / "started"
    result = tasks.record_after_pause.enqueue("interrupted", str(started), 2.0)
    worker = start_worker("worker-a")
    wait_for(started.exists, "the job started")
    started.unlink()

    assert _drop_other_connections() >= 1
    wait_for(lambda: _finished(result.id), "the interrupted job finished")

    assert worker.poll() is None, "the worker is still running"
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "SUCCESSFUL", row.traceback
    assert row.worker_ids == ["worker-a", "worker-a"], "handed back, then taken again"
    assert Group.objects.filter(name="interrupted").count() == 1


def test_release_leaves_a_job_of_another_worker_alone(db):
    result = tasks.record_run.enqueue("someone-elses")
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim("worker-b")
    assert services.task_release(row.pk, worker_id="worker-a", max_attempts=3) is None
    assert DBTaskResult.objects.get(pk=row.pk).status == "RUNNING"
    assert services.task_release(row.pk, worker_id="worker-b", max_attempts=3) == "READY"
    row.refresh_from_db()
    row.claim("worker-b")
    row.claim("worker-b")  # attempts used up
    assert services.task_release(row.pk, worker_id="worker-b", max_attempts=3) == "FAILED"
    assert DBTaskResult.objects.get(pk=row.pk).exception_class_path == services.WORKER_LOST
