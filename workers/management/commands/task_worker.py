"""``manage.py task_worker``: django-tasks-db's ``db_worker`` for several machines.

Same options as ``db_worker``, plus a heartbeat thread that records this process as alive and
reaps the jobs of workers that are not (``workers.services``), and a time limit per job.
Run any number of them, on any number of machines, against the same database.

A lost database connection (a dropped connection, a database restart) does not end the
process: the worker waits with a growing pause (0.5 s doubling up to RECONNECT_MAX_SECONDS),
connects again, hands the job it was running back to the queue (``services.task_release``)
and carries on.
"""

import datetime
import logging
import signal
import threading
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections, connection
from django_tasks_db.management.commands import db_worker

from workers import services

logger = logging.getLogger(__name__)

DATABASE_LOST = (OperationalError, InterfaceError)
RECONNECT_FIRST_SECONDS = 0.5
RECONNECT_MAX_SECONDS = 30.0


class HeartbeatWorker(db_worker.Worker):
    def __init__(self, *, heartbeat: float, timeout: float, **kwargs):
        super().__init__(**kwargs)
        self.heartbeat = heartbeat
        self.timeout = timeout
        self._stop = threading.Event()
        self._current_job = None  # the job run_task was running when the database went away

    def beat_and_reap(self) -> None:
        """Runs in its own thread, with its own database connection."""
        while not self._stop.is_set():
            try:
                close_old_connections()
                services.worker_beat(self.worker_id)
                reaped = services.tasks_reap(
                    stale_after=datetime.timedelta(seconds=settings.PLANWERK_TASK_STALE_SECONDS),
                    timeout=datetime.timedelta(seconds=self.timeout),
                    max_attempts=settings.PLANWERK_TASK_MAX_ATTEMPTS,
                )
                if reaped.retried or reaped.failed:
                    logger.warning("requeued %s, failed %s", reaped.retried, reaped.failed)
            except Exception:
                logger.exception("heartbeat of worker %s failed", self.worker_id)
            self._stop.wait(self.heartbeat)
        connection.close()

    def run(self) -> None:
        beat = threading.Thread(target=self.beat_and_reap, name="heartbeat", daemon=True)
        beat.start()
        try:
            self._run_reconnecting()
        finally:
            self._stop.set()
            beat.join(timeout=self.heartbeat + 5)
            try:
                services.worker_gone(self.worker_id)
            except DATABASE_LOST:
                logger.warning("could not sign off worker %s: database unreachable", self.worker_id)

    def _run_reconnecting(self) -> None:
        failures = 0
        last_failure = 0.0
        while self.running:
            try:
                if self._current_job is not None:
                    services.task_release(
                        self._current_job,
                        worker_id=self.worker_id,
                        max_attempts=settings.PLANWERK_TASK_MAX_ATTEMPTS,
                    )
                    self._current_job = None
                super().run()
                return
            except DATABASE_LOST as error:
                now = time.monotonic()
                failures = 1 if now - last_failure > 2 * RECONNECT_MAX_SECONDS else failures + 1
                last_failure = now
                pause = min(RECONNECT_MAX_SECONDS, RECONNECT_FIRST_SECONDS * 2 ** (failures - 1))
                logger.warning(
                    "worker %s lost the database (%s); connecting again in %.1f s",
                    self.worker_id,
                    str(error).strip().splitlines()[0] if str(error).strip() else type(error),
                    pause,
                )
                try:
                    connection.close()
                except DATABASE_LOST:
                    pass  # the socket is gone already; Django opens a new connection next time
                self.running_task = False
                time.sleep(pause)

    def run_task(self, db_task_result) -> None:
        def expired(signum, frame):
            raise services.TaskTimeout(f"Task ran longer than {self.timeout} s")

        # SIGALRM interrupts the job in this (the main) thread; run_task records the exception
        # as the job's failure.
        previous = signal.signal(signal.SIGALRM, expired)
        signal.setitimer(signal.ITIMER_REAL, self.timeout)
        self._current_job = db_task_result.pk
        try:
            super().run_task(db_task_result)
            self._current_job = None  # finished and recorded; not if the database went away
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


class Command(db_worker.Command):
    help = "Run a background worker that can share its queue with workers on other machines"

    def handle(self, *, verbosity, queue_name, exclude_queues, reload, **options):
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise db_worker.CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = HeartbeatWorker(
            heartbeat=settings.PLANWERK_TASK_HEARTBEAT_SECONDS,
            timeout=settings.PLANWERK_TASK_TIMEOUT_SECONDS,
            queue_names=queue_names,
            excluded_queue_names=excluded,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
        )
        worker.configure_signals()
        worker.run()
