from django.core.management.base import BaseCommand

from imports.storage import max_age, purge_stale_uploads


class Command(BaseCommand):
    help = "Delete uploaded import files that were previewed but not confirmed (older than 1 h)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=None,
            help="age in seconds (default: PLANWERK_IMPORT_UPLOAD_MAX_AGE, 3600)",
        )

    def handle(self, *args, older_than=None, **options):
        removed = purge_stale_uploads(older_than=max_age() if older_than is None else older_than)
        self.stdout.write(f"{removed} file(s) removed")
