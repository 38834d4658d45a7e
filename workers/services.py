"""What django-tasks-db leaves to us when workers run on several machines.

The library already hands each job to exactly one worker: a worker claims the next ready job
with ``SELECT … FOR UPDATE SKIP LOCKED`` and marks it running in the same transaction
(``db_worker``). It has no notion of a worker that dies mid-job (the job stays "running"
forever) nor of a job that never ends. This module adds both:

- ``worker_beat``: each ``task_worker`` process records that it is alive every few seconds;
- ``tasks_reap``: a running job whose worker has not beaten for ``stale_after`` goes back to
  the queue, until it has been tried ``max_attempts`` times; then, like a job that has run
  longer than ``timeout`` (its worker alive but stuck), it is marked failed.

Jobs may therefore run more than once (at least once, not exactly once): tasks must be
idempotent, as the PDF and import jobs are (they are keyed by what they produce).
"""

import datetime
import os
import socket
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import WorkerHeartbeat

WORKER_LOST = "workers.services.WorkerLost"
TASK_TIMEOUT = "workers.services.TaskTimeout"


class WorkerLost(Exception):
    """The worker running the job stopped beating, and the job has no attempts left."""


class TaskTimeout(Exception):
    """The job ran longer than the timeout."""


@dataclass
class ReapResult:
    retried: list[str]
    failed: list[str]


def worker_beat(worker_id: str) -> None:
    """Record that this worker process is alive."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"hostname": socket.gethostname(), "pid": os.getpid(), "seen_at": timezone.now()},
    )


def worker_gone(worker_id: str) -> None:
    """Forget a worker that stopped cleanly."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def _fail(result: DBTaskResult, exception_path: str, message: str) -> None:
    result.status = TaskResultStatus.FAILED
    result.finished_at = timezone.now()
    result.exception_class_path = exception_path
    result.traceback = message
    result.return_value = None
    result.save(
        update_fields=["status", "finished_at", "exception_class_path", "traceback", "return_value"]
    )


@transaction.atomic
def tasks_reap(
    *, stale_after: datetime.timedelta, timeout: datetime.timedelta, max_attempts: int
) -> ReapResult:
    """Requeue the running jobs of dead workers; fail those out of attempts or out of time.

    Rows another process holds locked (a worker finishing the job, another reaper) are skipped
    and looked at next time.
    """
    now = timezone.now()
    running = list(DBTaskResult.objects.running().select_for_update(skip_locked=True))
    beats = dict(
        WorkerHeartbeat.objects.filter(
            worker_id__in={r.worker_ids[-1] for r in running if r.worker_ids}
        ).values_list("worker_id", "seen_at")
    )
    outcome = ReapResult(retried=[], failed=[])
    for result in running:
        seen_at = beats.get(result.worker_ids[-1]) if result.worker_ids else None
        started_at = result.started_at or result.enqueued_at
        if seen_at is not None and now - seen_at > stale_after:
            if len(result.worker_ids) >= max_attempts:
                _fail(
                    result,
                    WORKER_LOST,
                    f"The worker stopped during attempt {len(result.worker_ids)} of "
                    f"{max_attempts}; no attempts left.",
                )
                outcome.failed.append(str(result.id))
            else:
                result.status = TaskResultStatus.READY
                result.started_at = None
                result.save(update_fields=["status", "started_at"])
                outcome.retried.append(str(result.id))
        elif now - started_at > timeout + stale_after:
            # Alive but stuck past the worker's own timeout (or a worker without heartbeats,
            # e.g. plain db_worker): the job is not taken away from a live worker before then.
            _fail(result, TASK_TIMEOUT, f"Still running after {timeout}; marked failed.")
            outcome.failed.append(str(result.id))
    return outcome


@transaction.atomic
def task_release(result_id, *, worker_id: str, max_attempts: int) -> str | None:
    """Hand back a job this worker was running when it lost the database: to the queue while
    attempts are left, else failed. A job that has ended meanwhile, or that the reaper gave to
    another worker, is left alone. Returns the job's new status, or None if it was left."""
    result = DBTaskResult.objects.select_for_update().filter(pk=result_id).first()
    if result is None or result.status != TaskResultStatus.RUNNING:
        return None
    if not result.worker_ids or result.worker_ids[-1] != worker_id:
        return None
    if len(result.worker_ids) >= max_attempts:
        _fail(
            result,
            WORKER_LOST,
            f"The database connection was lost during attempt {len(result.worker_ids)} of "
            f"{max_attempts}; no attempts left.",
        )
    else:
        result.status = TaskResultStatus.READY
        result.started_at = None
        result.save(update_fields=["status", "started_at"])
    return result.status


def task_restarted_since(task_result_id, since) -> bool:
    """Whether the task was (re)started by a worker after ``since``: a job record claimed at
    ``since`` whose task started again is being retried after its worker died, and the retry
    may claim the job record again (PDF exports, import jobs)."""
    if not task_result_id or since is None:
        return False
    try:
        return DBTaskResult.objects.filter(pk=task_result_id, started_at__gt=since).exists()
    except (ValueError, ValidationError):
        return False


def task_gone(task_result_id) -> bool:
    """Whether the task can no longer run its job: it ended (failed, or succeeded without
    finishing the job record, i.e. its worker was lost and the attempts used up) or does not
    exist. A waiting or running task is not gone."""
    if not task_result_id:
        return False
    try:
        status = (
            DBTaskResult.objects.filter(pk=task_result_id).values_list("status", flat=True).first()
        )
    except (ValueError, ValidationError):
        return True
    return status is None or status in {TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED}
