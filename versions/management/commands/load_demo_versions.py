"""Dated versions of the Leipzig demo plan, so that the version list and the changes report
show something: the plan as published (“Stand Mai 2011”), one later change (the internet
platform of measure Marketing B reported as completed in December 2012) and the plan after it
(“Fortschreibung Dezember 2012”). Run after ``load_demo_data``; a second run changes nothing.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from actionplan.models import Measure, Plan, german_slugify
from actionplan.signals import plan_touch
from versions.models import PlanVersion
from versions.services import public_document

PLAN_SLUG = "leipzig-2011"
FIRST = ("Stand Mai 2011", datetime.date(2011, 5, 31))
SECOND = ("Fortschreibung Dezember 2012", datetime.date(2012, 12, 14))
# The change between them: the platform went live and its building is done.
CHANGED_FIELD, CHANGED_CODE = "marketing", "B"
REPORTED_ON = SECOND[1]


class Command(BaseCommand):
    help = (
        "Publish the dated versions of the Leipzig demo plan (Stand Mai 2011, Fortschreibung "
        "Dezember 2012) with one change between them; a second run changes nothing."
    )

    def handle(self, *args, **options):
        plan = Plan.objects.filter(slug=PLAN_SLUG).first()
        if plan is None:
            raise CommandError(f"No plan “{PLAN_SLUG}”: run load_demo_data first.")
        if plan.versions.exists():
            self.stdout.write(f"Plan “{PLAN_SLUG}” has versions already – nothing changed.")
            return
        measure = (
            Measure.objects.filter(field__plan=plan, field__slug=CHANGED_FIELD)
            .filter(code=CHANGED_CODE)
            .first()
        )
        if measure is None:
            raise CommandError(f"No measure {CHANGED_FIELD} {CHANGED_CODE} in “{PLAN_SLUG}”.")
        with transaction.atomic():
            _version(plan, *FIRST)
            _report_completed(measure, REPORTED_ON)
            _version(plan, *SECOND)
            plan_touch(plan)
        self.stdout.write(
            self.style.SUCCESS(
                f"Published “{FIRST[0]}” and “{SECOND[0]}” of “{PLAN_SLUG}”; "
                f"between them measure {CHANGED_FIELD} {CHANGED_CODE} was completed."
            )
        )


def _version(plan: Plan, label: str, date: datetime.date) -> PlanVersion:
    """The plan as the public sees it now, stored as the version of ``date`` (the demo has no
    coordinator to publish it, so the loader writes it directly)."""
    return PlanVersion.objects.create(
        plan=plan,
        label=label,
        slug=german_slugify(label),
        date=date,
        snapshot=public_document(plan),
    )


def _report_completed(measure: Measure, day: datetime.date) -> None:
    """The measure reported as completed on ``day`` (its report date; the change history
    records the change when it is made, in order after the import)."""
    measure.status = Measure.Status.COMPLETED
    measure.save()
    Measure.objects.filter(pk=measure.pk).update(status_reported_at=day)
