"""``manage.py import_plan <file> [--dry-run]``: a whole-plan JSON document (planwerk.plan/1)."""

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

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
            result = plan_document_import(data=data, acting_user=acting_user, dry_run=dry_run)
        except PlanImportError as exc:
            raise CommandError(str(exc)) from exc
        for change in result.changes:
            self.stdout.write(f"{_SIGNS[change.action]} {change.label}")
            for attribute, old, new in change.diffs if change.action == "changed" else ():
                self.stdout.write(f"    {attribute}: {old} → {new}")
        slug = data["plan"]["slug"]
        if dry_run:
            self.stdout.write(f"Dry run for plan “{slug}”: {result.summary()}. Nothing written.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Plan “{slug}”: {result.summary()}."))


_SIGNS = {"new": "+", "changed": "~", "deleted": "-"}
