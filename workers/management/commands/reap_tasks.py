"""``manage.py reap_tasks``: requeue jobs of dead workers once, e.g. from cron when no
``task_worker`` is running to do it."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand

from workers import services


class Command(BaseCommand):
    help = "Requeue the jobs of workers that stopped; fail jobs out of attempts or out of time"

    def handle(self, **options):
        result = services.tasks_reap(
            stale_after=datetime.timedelta(seconds=settings.PLANWERK_TASK_STALE_SECONDS),
            timeout=datetime.timedelta(seconds=settings.PLANWERK_TASK_TIMEOUT_SECONDS),
            max_attempts=settings.PLANWERK_TASK_MAX_ATTEMPTS,
        )
        self.stdout.write(f"requeued {len(result.retried)}, failed {len(result.failed)}")
