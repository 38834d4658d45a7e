"""tasks_reap on hand-made queue rows: which jobs go back to the queue and which fail."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from workers import services
from workers.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db

STALE = datetime.timedelta(seconds=60)
TIMEOUT = datetime.timedelta(minutes=15)


def _running(*worker_ids, started_ago=datetime.timedelta(minutes=2)) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status="RUNNING",
        args_kwargs={"args": ["x"], "kwargs": {}},
        task_path="tests.workers.tasks.record_run",
        backend_name="default",
        run_after=get_date_max(),
        worker_ids=list(worker_ids),
        started_at=timezone.now() - started_ago,
    )


def _beat(worker_id: str, ago: datetime.timedelta) -> None:
    WorkerHeartbeat.objects.create(
        worker_id=worker_id, hostname="host", pid=1, seen_at=timezone.now() - ago
    )


def _reap(max_attempts=3):
    return services.tasks_reap(stale_after=STALE, timeout=TIMEOUT, max_attempts=max_attempts)


def test_job_of_a_dead_worker_goes_back_to_the_queue():
    _beat("dead", datetime.timedelta(minutes=5))
    job = _running("dead")

    result = _reap()

    job.refresh_from_db()
    assert result.retried == [str(job.id)] and result.failed == []
    assert job.status == "READY" and job.started_at is None
    assert job.worker_ids == ["dead"]  # the attempt is counted
    assert DBTaskResult.objects.ready().filter(pk=job.pk).exists()


def test_job_of_a_live_worker_stays_running():
    _beat("alive", datetime.timedelta(seconds=5))
    job = _running("dead", "alive")  # an earlier attempt died; this one is fine

    assert _reap().retried == []
    job.refresh_from_db()
    assert job.status == "RUNNING"


def test_job_out_of_attempts_fails():
    _beat("w3", datetime.timedelta(minutes=5))
    job = _running("w1", "w2", "w3")

    result = _reap(max_attempts=3)

    job.refresh_from_db()
    assert result.failed == [str(job.id)]
    assert job.status == "FAILED" and job.finished_at is not None
    assert job.exception_class_path == services.WORKER_LOST
    assert job.task_result.errors[0].exception_class_path == services.WORKER_LOST


def test_job_running_past_the_timeout_fails_even_with_a_live_worker():
    _beat("alive", datetime.timedelta(seconds=5))
    stuck = _running("alive", started_ago=TIMEOUT + STALE + datetime.timedelta(minutes=1))
    young = _running("alive", started_ago=TIMEOUT)

    assert _reap().failed == [str(stuck.id)]
    stuck.refresh_from_db()
    young.refresh_from_db()
    assert stuck.status == "FAILED" and stuck.exception_class_path == services.TASK_TIMEOUT
    assert young.status == "RUNNING"


def test_job_of_a_worker_without_heartbeats_is_left_until_the_timeout():
    # e.g. started by plain `db_worker`: no heartbeat is no evidence of death
    job = _running("plain-db-worker", started_ago=datetime.timedelta(minutes=10))

    assert _reap().retried == [] and _reap().failed == []
    job.refresh_from_db()
    assert job.status == "RUNNING"


def test_reap_tasks_command(settings):
    settings.PLANWERK_TASK_STALE_SECONDS = 60
    _beat("dead", datetime.timedelta(minutes=5))
    job = _running("dead")

    call_command("reap_tasks", stdout=io.StringIO())

    job.refresh_from_db()
    assert job.status == "READY"
