from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from documents import services
from imports.storage import purge_stale_uploads


class Command(BaseCommand):
    help = (
        "Delete generated documents past PLANWERK_DOCUMENT_RETENTION_DAYS (default 7): "
        "exports a newer state of the data superseded, failed exports, files no export names; "
        "and import uploads never confirmed (older than 1 h). Run it daily from a systemd timer "
        "(docs/systemd/planwerk-purge.timer)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be deleted, delete nothing"
        )

    def handle(self, *args, dry_run=False, **options):
        result = services.purge_generated(dry_run=dry_run)
        uploads = 0 if dry_run else purge_stale_uploads()
        message = _(
            "%(exports)d export(s), %(files)d file(s) (%(orphans)d without an export), "
            "%(megabytes).1f MB deleted; %(uploads)d import upload(s) deleted."
        )
        if dry_run:
            message = _(
                "Dry run, nothing deleted: %(exports)d export(s), %(files)d file(s) "
                "(%(orphans)d without an export), %(megabytes).1f MB would be deleted."
            )
        self.stdout.write(
            message
            % {
                "exports": result.exports,
                "files": result.files,
                "orphans": result.orphans,
                "megabytes": result.bytes / 1_000_000,
                "uploads": uploads,
            }
        )
