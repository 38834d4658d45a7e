from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from campaigns.models import Campaign, CampaignEvent, Channel, EventParticipant, Market
from imports import json_input
from imports.campaign_document import CAMPAIGNS, CampaignImportError, campaign_document_import

DEFAULT_FILE = Path(settings.BASE_DIR) / "fixtures" / "campaigns.json"


class Command(BaseCommand):
    help = (
        "Load the demo campaigns (Leipzig liebt Regionales, Bildungsmarketing Erfurt, "
        "Stadt der Städte, Altmark) through the one importer: new campaigns are created, "
        "existing ones get exactly the differences (none when loaded before)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=DEFAULT_FILE, help="campaign document")

    def handle(self, *args, file: Path, **options):
        with translation.override("en"):
            try:
                data = json_input.loads(file.read_bytes())
            except (OSError, json_input.DocumentRefused) as error:
                raise CommandError(f"Cannot read {file}: {error}") from error
            try:
                result = campaign_document_import(data=data, file_name=file.name)
            except CampaignImportError as error:
                hint = ""
                if ".related_measures[" in error.path:
                    hint = " (the campaigns serve plan measures: run load_demo_data first)"
                raise CommandError(f"{file}: {error}{hint}") from error
            self.stdout.write(f"Campaign document: {result.summary()}.")
            written = result.written()
            if written:
                names = ", ".join(
                    f"{count} {CAMPAIGNS.models[kind]._meta.verbose_name_plural}"
                    for kind, count in sorted(written.items())
                    if kind in CAMPAIGNS.models
                )
                self.stdout.write(f"Written: {names}.")
        self.stdout.write(
            "In the database: "
            f"{Campaign.objects.count()} campaigns, {Channel.objects.count()} channels, "
            f"{CampaignEvent.objects.count()} events, "
            f"{EventParticipant.objects.count()} participants, "
            f"{Market.objects.count()} target markets."
        )
