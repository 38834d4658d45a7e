import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reminders.tasks import send_weekly_reminders


class Command(BaseCommand):
    help = (
        "Queue this week's reminder e-mails to the editors (the background worker sends them). "
        "Run it weekly from cron or a systemd timer; a second run in the same week sends nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help="the day to compute due and overdue milestones for (YYYY-MM-DD; default today)",
        )

    def handle(self, *args, date=None, **options):
        if date:
            try:
                day = datetime.date.fromisoformat(date)
            except ValueError as error:
                raise CommandError(f"--date: not a date in the form YYYY-MM-DD: {date}") from error
        else:
            day = timezone.localdate()
        result = send_weekly_reminders.enqueue(day.isoformat())
        self.stdout.write(f"Reminders for {day.isoformat()} queued as task {result.id}.")
