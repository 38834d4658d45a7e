"""``manage.py import_campaigns <file> [--dry-run]``: a campaign document (planwerk-campaigns)."""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from imports.campaign_document import CampaignImportError, campaign_document_import
from imports.changes import report_lines


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
            acting_user = None
            if user:
                try:
                    acting_user = get_user_model().objects.get_by_natural_key(user)
                except get_user_model().DoesNotExist as exc:
                    raise CommandError(f"No user named {user!r}.") from exc
            try:
                with open(file, encoding="utf-8-sig") as handle:
                    data = json.load(handle)
            except OSError as exc:
                raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise CommandError(f"{file} is not a UTF-8 JSON document: {exc}") from exc
            try:
                result = campaign_document_import(
                    data=data, acting_user=acting_user, dry_run=dry_run, file_name=Path(file).name
                )
            except CampaignImportError as exc:
                raise CommandError(str(exc)) from exc
            for line in report_lines(result.changes):
                self.stdout.write(line)
            if dry_run:
                self.stdout.write(f"Dry run: {result.summary()}. Nothing written.")
            else:
                self.stdout.write(self.style.SUCCESS(f"Campaigns: {result.summary()}."))
