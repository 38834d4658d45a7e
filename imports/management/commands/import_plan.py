"""``manage.py import_plan <file> [--dry-run]``: a whole-plan JSON document (planwerk.plan/1)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from imports.changes import report_lines
from imports.commands import acting_user, read_json
from imports.plan_document import plan_document_import
from imports.plan_import import PlanImportError


class Command(BaseCommand):
    help = (
        "Import a whole plan from a JSON document (format planwerk.plan/1): a new plan is "
        "created, an existing one (same slug) gets exactly the differences. Organisations, "
        "persons, target groups and categories are matched by name and created when missing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the JSON document.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Report the changes, write nothing."
        )
        parser.add_argument("--user", help="Username recorded as author in the change history.")

    def handle(self, *args, **options):
        # The command's own messages are English; so is its report of the changes.
        with translation.override("en"):
            self.run(**options)

    def run(self, *, file, dry_run=False, user=None, **options):
        author = acting_user(user)
        data = read_json(file)
        try:
            result = plan_document_import(data=data, acting_user=author, dry_run=dry_run)
        except PlanImportError as exc:
            raise CommandError(str(exc)) from exc
        for line in report_lines(result.changes):
            self.stdout.write(line)
        slug = data["plan"]["slug"]
        if dry_run:
            self.stdout.write(f"Dry run for plan “{slug}”: {result.summary()}. Nothing written.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Plan “{slug}”: {result.summary()}."))
