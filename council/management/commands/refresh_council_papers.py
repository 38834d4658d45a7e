from django.core.management.base import BaseCommand

from council.tasks import refresh_council_papers


class Command(BaseCommand):
    help = (
        "Queue a refresh of every council paper of plans whose region has an OParl endpoint "
        "(PLANWERK_OPARL_ENDPOINTS); run it daily, e.g. from a systemd timer or cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="refresh here, not in a worker")

    def handle(self, *args, now=False, **options):
        if now:
            from council.services import council_papers_refresh

            result = council_papers_refresh()
            self.stdout.write(f"{result['refreshed']} refreshed, {result['failed']} failed")
        else:
            result = refresh_council_papers.enqueue(None)
            self.stdout.write(f"queued: {result.id}")
