"""The weekly reminder run on the background queue (django-tasks; ``manage.py task_worker``)."""

import datetime

from django_tasks import task

from . import services


@task()
def send_weekly_reminders(today: str) -> dict:
    """Send the reminders of the week ``today`` (ISO date) lies in. Idempotent per week: a
    retried or repeated run sends nobody a second mail."""
    result = services.reminders_send_week(today=datetime.date.fromisoformat(today))
    return {"today": today, "sent": len(result.sent), "failed": len(result.failed)}
