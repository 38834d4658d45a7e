"""Create the demo plan's editorial team once: a coordinator and an editor, for `make run`.

The README's "Redaktion in fünf Minuten" walks through the editor's and the coordinator's
week with these two accounts. Like ``ensure_local_admin`` the passwords are generated and
printed only on the run that creates an account; existing accounts are never changed.
Development only: the command refuses to run outside ``PLANWERK_ENV=development``.
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse

from access.models import Membership
from actionplan.models import Plan
from contacts.models import Organisation

PLAN_SLUG = "leipzig-2011"
EDITOR_ORGANISATION = "Kontaktstelle Kreativwirtschaft"
TEAM = (
    # username, first name, last name, role
    ("koordination", "Karla", "Koordination", Membership.Role.COORDINATOR),
    ("redaktion", "Robert", "Redaktion", Membership.Role.EDITOR),
)


class Command(BaseCommand):
    help = "Create the demo plan's coordinator and editor accounts (development only)."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    @transaction.atomic
    def handle(self, *args, base_url, **options):
        if settings.PLANWERK_ENV != "development":
            raise CommandError(
                "Nur in der Entwicklungsumgebung (PLANWERK_ENV=development). "
                "Development only (PLANWERK_ENV=development)."
            )
        plan = Plan.objects.filter(slug=PLAN_SLUG).first()
        organisation = Organisation.objects.filter(name=EDITOR_ORGANISATION).first()
        if plan is None or organisation is None:
            raise CommandError(
                "Demodaten fehlen: zuerst 'manage.py load_demo_data' ausführen. "
                "Demo data missing: run 'manage.py load_demo_data' first."
            )
        admin_url = base_url.rstrip("/") + reverse("admin:index")
        users = get_user_model()._default_manager
        for username, first, last, role in TEAM:
            if users.filter(username=username).exists():
                self.stdout.write(f"Demo-Konto „{username}“ existiert bereits ({admin_url}).")
                continue
            password = secrets.token_urlsafe(12)
            user = users.create_user(
                username=username,
                password=password,
                first_name=first,
                last_name=last,
                email=f"{username}@localhost",
                is_staff=True,
            )
            Membership.objects.create(
                user=user,
                plan=plan,
                role=role,
                organisation=organisation if role == Membership.Role.EDITOR else None,
            )
            self.stdout.write(
                self.style.SUCCESS(
                    f"{Membership.Role(role).label}: {admin_url} "
                    f"Benutzer: {username} Passwort: {password}"
                )
            )
