"""Create a local superuser "admin" once, with a generated password shown a single time.

Used by `make run` on a laptop. It never sets a fixed password and never changes an
existing account: the password is printed only on the run that creates the account.
"""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse

USERNAME = "admin"


class Command(BaseCommand):
    help = "Create a local superuser 'admin' with a generated password if no superuser exists."

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="Address the development server listens on (for the printed link).",
        )

    @transaction.atomic
    def handle(self, *args, base_url, **options):
        user_model = get_user_model()
        admin_url = base_url.rstrip("/") + reverse("admin:index")
        superusers = user_model._default_manager.filter(is_superuser=True)

        if superusers.exists():
            usernames = sorted(superusers.values_list("username", flat=True))
            names = ", ".join(usernames[:5])
            name = USERNAME if USERNAME in usernames else usernames[0]
            self.stdout.write(
                f"Admin-Konto existiert bereits ({names}); Anmeldung unter {admin_url}\n"
                f"Passwort vergessen? Neu setzen mit: python manage.py changepassword {name}\n"
                "Admin account already exists; reset the password with the command above."
            )
            return

        if user_model._default_manager.filter(username=USERNAME).exists():
            self.stderr.write(
                f"Es gibt keinen Superuser, aber der Benutzername „{USERNAME}“ ist vergeben.\n"
                "Superuser anlegen mit: python manage.py createsuperuser\n"
                f"No superuser exists, but the username '{USERNAME}' is taken: "
                "run 'python manage.py createsuperuser'."
            )
            return

        password = secrets.token_urlsafe(18)
        user_model._default_manager.create_superuser(
            username=USERNAME, email="admin@localhost", password=password
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Admin-Zugang: {admin_url} Benutzer: {USERNAME} Passwort: {password}"
            )
        )
        self.stdout.write(
            "Das Passwort wird nur dieses eine Mal angezeigt – bitte jetzt notieren.\n"
            f"Später neu setzen mit: python manage.py changepassword {USERNAME}\n"
            "The password is shown only this once; reset it later with the command above."
        )
