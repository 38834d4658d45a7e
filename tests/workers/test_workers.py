"""Two real ``manage.py task_worker`` processes on one PostgreSQL queue.

SQLite has one writer and no row locks (``SELECT … FOR UPDATE SKIP LOCKED`` is what keeps two
workers off the same job), so several workers are a PostgreSQL setup and so is this test.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django_tasks_db.models import DBTaskResult

from tests.workers import tasks
from workers import services

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
# Upper bounds for waiting on the workers, not timings: the test fails only if they never finish.
PATIENCE = 90


@pytest.fixture
def worker_env(db):
    if connection.vendor != "postgresql":
        pytest.skip(
            "several workers need PostgreSQL (row locks, SKIP LOCKED); "
            "run with scripts/with-postgres.sh"
        )
    s = connection.settings_dict
    url = (
        f"postgres://{quote(s['USER'] or '')}:{quote(s['PASSWORD'] or '')}"
        f"@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"
    )
    return {
        **os.environ,
        "DATABASE_URL": url,
        "PLANWERK_ENV": "development",
        "PLANWERK_TASK_BACKEND": "django_tasks_db.DatabaseBackend",
        "PLANWERK_TASK_HEARTBEAT_SECONDS": "0.5",
        "PLANWERK_TASK_STALE_SECONDS": "3",
        "PLANWERK_TASK_TIMEOUT_SECONDS": "60",
        "DJANGO_LOG_LEVEL": "ERROR",
    }


@pytest.fixture
def start_worker(worker_env, tmp_path):
    processes = []

    def start(worker_id: str, **env) -> subprocess.Popen:
        log = open(tmp_path / f"{worker_id}.log", "w")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "task_worker",
                "--worker-id",
                worker_id,
                "--interval",
                "0.1",
                "--no-startup-delay",
                "--no-reload",
            ],
            cwd=ROOT,
            env={**worker_env, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        processes.append((process, log))
        return process

    yield start
    for process, log in processes:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()


def _wait_for(condition, what: str):
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"gave up waiting: {what}")


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
