"""Two real ``manage.py task_worker`` processes on one PostgreSQL queue.

SQLite has one writer and no row locks (``SELECT … FOR UPDATE SKIP LOCKED`` is what keeps two
workers off the same job), so several workers are a PostgreSQL setup and so is this test.
"""

import signal

import pytest
from django.contrib.auth.models import Group
from django_tasks_db.models import DBTaskResult

from tests.workers import tasks
from tests.workers.support import wait_for as _wait_for
from workers import services

pytestmark = pytest.mark.django_db(transaction=True)


def test_each_job_runs_exactly_once_with_two_workers(start_worker):
    results = [tasks.record_run.enqueue(f"job-{n}") for n in range(40)]
    ids = [r.id for r in results]
    start_worker("worker-a")
    start_worker("worker-b")

    _wait_for(
        lambda: DBTaskResult.objects.filter(pk__in=ids).finished().count() == len(ids),
        "all jobs finished",
    )

    rows = DBTaskResult.objects.filter(pk__in=ids)
    assert set(rows.values_list("status", flat=True)) == {"SUCCESSFUL"}
    # one claim per job, by one of the two workers; a second run would have failed on the
    # unique group name
    for row in rows:
        assert len(row.worker_ids) == 1 and row.worker_ids[0] in {"worker-a", "worker-b"}
    assert sorted(Group.objects.values_list("name", flat=True)) == sorted(
        f"job-{n}" for n in range(40)
    )


def test_job_of_a_killed_worker_is_retried_by_the_other(start_worker, tmp_path):
    started = tmp_path / "started"
    result = tasks.record_after_pause_on_first_attempt.enqueue("retried", str(started))
    first = start_worker("worker-a")
    _wait_for(started.exists, "the first attempt started")
    assert started.read_text() == "worker-a"
    assert DBTaskResult.objects.get(pk=result.id).status == "RUNNING"

    first.send_signal(signal.SIGKILL)  # a crash: no clean shutdown, the job stays "running"
    first.wait()
    start_worker("worker-b")

    _wait_for(
        lambda: (
            DBTaskResult.objects.get(pk=result.id).status != "RUNNING"
            and DBTaskResult.objects.filter(pk=result.id).finished().exists()
        ),
        "the job finished on the second worker",
    )
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "SUCCESSFUL", row.traceback
    assert row.worker_ids == ["worker-a", "worker-b"]
    assert row.return_value == 2  # the second attempt
    assert Group.objects.filter(name="retried").count() == 1


def test_stuck_job_times_out(start_worker):
    result = tasks.hang.enqueue("never")
    start_worker("worker-a", PLANWERK_TASK_TIMEOUT_SECONDS="1")

    _wait_for(
        lambda: DBTaskResult.objects.filter(pk=result.id).finished().exists(),
        "the stuck job was stopped",
    )
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "FAILED"
    assert row.exception_class_path == services.TASK_TIMEOUT
    assert not Group.objects.filter(name="never").exists()
