"""``manage.py import_campaigns <file> [--dry-run]``: a campaign document (planwerk-campaigns)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from imports.campaign_document import CampaignImportError, campaign_document_import
from imports.changes import report_lines
from imports.commands import acting_user, read_json


class Command(BaseCommand):
    help = (
        "Import campaigns from a JSON document (format planwerk-campaigns): a new campaign is "
        "created, an existing one (same slug) gets exactly the differences; campaigns the "
        "document does not name stay as they are. Organisations, persons, target groups and "
        "markets are matched by name and created when missing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the JSON document.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Report the changes, write nothing."
        )
        parser.add_argument("--user", help="Username recorded as author in the change history.")

    def handle(self, *args, file, dry_run=False, user=None, **options):
        # The command's own messages are English; so is its report of the changes.
        with translation.override("en"):
            author = acting_user(user)
            data = read_json(file)
            try:
                result = campaign_document_import(
                    data=data, acting_user=author, dry_run=dry_run, file_name=Path(file).name
                )
            except CampaignImportError as exc:
                raise CommandError(str(exc)) from exc
            for line in report_lines(result.changes):
                self.stdout.write(line)
            if dry_run:
                self.stdout.write(f"Dry run: {result.summary()}. Nothing written.")
            else:
                self.stdout.write(self.style.SUCCESS(f"Campaigns: {result.summary()}."))
