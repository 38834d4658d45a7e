import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from campaigns.models import Campaign, CampaignEvent, Channel, EventParticipant, Market
from campaigns.services import CampaignImportError, campaign_import_document

DEFAULT_FILE = Path(settings.BASE_DIR) / "fixtures" / "campaigns.json"


class Command(BaseCommand):
    help = (
        "Load the demo campaigns (Leipzig liebt Regionales, Bildungsmarketing Erfurt, "
        "Stadt der Städte, Altmark). Idempotent: campaigns already present are skipped "
        "unless --replace is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=DEFAULT_FILE, help="campaign document")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="rebuild campaigns whose slug already exists from the document",
        )

    def handle(self, *args, file: Path, replace: bool, **options):
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        try:
            result = campaign_import_document(data=data, replace=replace)
        except CampaignImportError as error:
            hint = ""
            if ".related_measures[" in error.path:
                hint = " (the campaigns serve plan measures: run load_demo_data first)"
            raise CommandError(f"{file}: {error}{hint}") from error
        self.stdout.write(
            f"Campaigns: {len(result.created)} created, {len(result.replaced)} replaced, "
            f"{len(result.skipped)} skipped (already present)."
        )
        if result.written:
            written = ", ".join(f"{count} {name}" for name, count in sorted(result.written.items()))
            self.stdout.write(f"Written: {written}.")
        self.stdout.write(
            "In the database: "
            f"{Campaign.objects.count()} campaigns, {Channel.objects.count()} channels, "
            f"{CampaignEvent.objects.count()} events, "
            f"{EventParticipant.objects.count()} participants, "
            f"{Market.objects.count()} target markets."
        )
