import json

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from actionplan.models import (
    BudgetLine,
    FieldContact,
    Measure,
    Plan,
    Responsibility,
    ScheduleEntry,
    Step,
)
from funding.services import plan_funding_fill_in
from imports.english_fill_in import plan_english_fill_in
from imports.plan_document import PlanDocumentError, plan_import_document

DEMO_DOCUMENT = settings.BASE_DIR / "fixtures" / "leipzig.json"


class Command(BaseCommand):
    help = "Load the Leipzig action plan (May 2011) as demo data; a second run changes nothing."

    def add_arguments(self, parser):
        parser.add_argument(
            "--replace", action="store_true", help="Delete the plan and import it again."
        )
        parser.add_argument("--user", help="Username recorded as author in the change history.")

    def handle(self, *args, replace=False, user=None, **options):
        acting_user = None
        if user:
            try:
                acting_user = get_user_model().objects.get_by_natural_key(user)
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"No user named {user!r}.") from exc
        data = json.loads(DEMO_DOCUMENT.read_text(encoding="utf-8"))
        slug = data["plan"]["slug"]
        existed = Plan.objects.filter(slug=slug).exists()
        try:
            plan = plan_import_document(data=data, acting_user=acting_user, replace=replace)
        except PlanDocumentError as exc:
            raise CommandError(str(exc)) from exc
        if existed and not replace:
            # a plan loaded before budget lines had programmes gets them, nothing else changes
            filled = plan_funding_fill_in(plan=plan, document=data, acting_user=acting_user)
            if filled:
                self.stdout.write(
                    f"Plan “{slug}”: funding programme added to {filled} budget lines."
                )
            # a plan loaded before the demo data was translated gets the English texts it
            # lacks (where its German text is the one translated), nothing else changes
            try:
                english = plan_english_fill_in(plan=plan, document=data, acting_user=acting_user)
            except PlanDocumentError as exc:
                raise CommandError(str(exc)) from exc
            if english:
                self.stdout.write(f"Plan “{slug}”: {english} English texts added.")
            if filled or english:
                return
            self.stdout.write(
                f"Plan “{slug}” already exists – nothing changed (use --replace to re-import)."
            )
            return
        verb = "Re-imported" if existed else "Imported"
        self.stdout.write(self.style.SUCCESS(f"{verb} plan “{slug}”: {_summary(plan)}."))


def _summary(plan: Plan) -> str:
    measures = Measure.objects.filter(field__plan=plan)
    steps = Step.objects.filter(measure__field__plan=plan)
    counts = [
        (plan.fields.count(), "fields"),
        (measures.count(), "measures"),
        (steps.filter(parent__isnull=True).count(), "steps"),
        (steps.filter(parent__isnull=False).count(), "sub-steps"),
        (ScheduleEntry.objects.filter(measure__field__plan=plan).count(), "schedule entries"),
        (Responsibility.objects.filter(measure__field__plan=plan).count(), "responsibilities"),
        (BudgetLine.objects.filter(measure__field__plan=plan).count(), "budget lines"),
        (
            Measure.target_groups.through.objects.filter(measure__field__plan=plan).count(),
            "target-group links",
        ),
        (FieldContact.objects.filter(field__plan=plan).count(), "field contacts"),
    ]
    return ", ".join(f"{n} {label}" for n, label in counts)
