"""``manage.py export_campaigns [slug ...]``: campaigns as a planwerk-campaigns document."""

from django.core.management.base import CommandError

from actionplan.management.commands.export_plan import Command as ExportPlanCommand
from actionplan.management.commands.export_plan import dumps
from campaigns.models import Campaign
from imports.campaign_document import campaign_export_document


class Command(ExportPlanCommand):
    help = (
        "Write campaigns as JSON (format planwerk-campaigns) for backup or for moving them to "
        "another Planwerk instance; all campaigns unless slugs are given. An administrator's "
        "tool: the file holds drafts and private contact details too."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="Slugs of the campaigns (default: all).")
        parser.add_argument("-o", "--output", help="Write to this file instead of standard output.")

    def handle(self, *args, slugs, output=None, **options):
        campaigns = Campaign.objects.all()
        if slugs:
            campaigns = campaigns.filter(slug__in=slugs)
            missing = sorted(set(slugs) - set(campaigns.values_list("slug", flat=True)))
            if missing:
                raise CommandError(f"No campaign with the slug(s) {', '.join(missing)}.")
        self.write_text(dumps(campaign_export_document(campaigns)), output)
