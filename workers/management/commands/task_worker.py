"""``manage.py task_worker``: django-tasks-db's ``db_worker`` for several machines.

Same options as ``db_worker``, plus a heartbeat thread that records this process as alive and
reaps the jobs of workers that are not (``workers.services``), and a time limit per job.
Run any number of them, on any number of machines, against the same database.
"""

import datetime
import logging
import signal
import threading

from django.conf import settings
from django.db import close_old_connections, connection
from django_tasks_db.management.commands import db_worker

from workers import services

logger = logging.getLogger(__name__)


class HeartbeatWorker(db_worker.Worker):
    def __init__(self, *, heartbeat: float, timeout: float, **kwargs):
        super().__init__(**kwargs)
        self.heartbeat = heartbeat
        self.timeout = timeout
        self._stop = threading.Event()

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
        services.worker_beat(self.worker_id)
        beat = threading.Thread(target=self.beat_and_reap, name="heartbeat", daemon=True)
        beat.start()
        try:
            super().run()
        finally:
            self._stop.set()
            beat.join(timeout=self.heartbeat + 5)
            services.worker_gone(self.worker_id)

    def run_task(self, db_task_result) -> None:
        def expired(signum, frame):
            raise services.TaskTimeout(f"Task ran longer than {self.timeout} s")

        # SIGALRM interrupts the job in this (the main) thread; run_task records the exception
        # as the job's failure.
        previous = signal.signal(signal.SIGALRM, expired)
        signal.setitimer(signal.ITIMER_REAL, self.timeout)
        try:
            super().run_task(db_task_result)
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
