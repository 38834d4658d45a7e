from django.core.management.base import BaseCommand

from imports.services import import_jobs_purge
from imports.storage import max_age, purge_stale_uploads


class Command(BaseCommand):
    help = (
        "Delete uploaded import files that were previewed but not confirmed (older than 1 h) "
        "and import jobs that ended more than 30 days ago."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=None,
            help="age of upload files in seconds (default: PLANWERK_IMPORT_UPLOAD_MAX_AGE, 3600)",
        )
        parser.add_argument(
            "--jobs-older-than-days",
            type=int,
            default=None,
            help="age of finished import jobs in days (default: PLANWERK_IMPORT_JOB_KEEP_DAYS, 30)",
        )

    def handle(self, *args, older_than=None, jobs_older_than_days=None, **options):
        removed = purge_stale_uploads(older_than=max_age() if older_than is None else older_than)
        jobs = import_jobs_purge(older_than_days=jobs_older_than_days)
        self.stdout.write(f"{removed} file(s) removed, {jobs} finished import job(s) deleted")
