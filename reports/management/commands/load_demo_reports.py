"""Status reports of the Leipzig demo plan, one per dated version (``load_demo_versions``),
so that a report and its changes since the previous one can be downloaded. The reports are
generated from the versions as they are; no text is written for them (the summary and the
field texts stay empty for a coordinator to fill in). A second run changes nothing."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from actionplan.models import Plan
from reports.models import StatusReport
from reports.services import status_report_generate
from versions.models import PlanVersion

PLAN_SLUG = "leipzig-2011"


class Command(BaseCommand):
    help = "Generate the status reports of the Leipzig demo plan from its dated versions."

    def handle(self, *args, **options):
        plan = Plan.objects.filter(slug=PLAN_SLUG).first()
        if plan is None:
            raise CommandError(f"No plan “{PLAN_SLUG}”: run load_demo_data first.")
        if StatusReport.objects.filter(plan=plan).exists():
            self.stdout.write(f"Plan “{PLAN_SLUG}” has status reports already – nothing changed.")
            return
        versions = list(PlanVersion.objects.filter(plan=plan).order_by("date", "created_at"))
        if not versions:
            raise CommandError(f"Plan “{PLAN_SLUG}” has no versions: run load_demo_versions.")
        start = plan.issued_on or versions[0].date
        with transaction.atomic():
            for version in versions:
                status_report_generate(
                    plan=plan,
                    version=version,
                    title=f"Sachstandsbericht – {version.label}",
                    period_label=version.label,
                    period_start=min(start, version.date),
                    period_end=version.date,
                    acting_user=None,
                )
                start = version.date + datetime.timedelta(days=1)
        self.stdout.write(
            self.style.SUCCESS(f"Generated {len(versions)} status reports of “{PLAN_SLUG}”.")
        )
