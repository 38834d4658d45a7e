"""Two demo accounts on the Leipzig demo plan, so the start page has something to show.

“koordination” coordinates the plan; “redaktion” edits for the organisation that holds the most
responsibilities in it. Passwords are generated and printed once, as by ``ensure_local_admin``;
existing accounts are never changed. With ``--workflow`` one of the editor's measures waits in
review and another has been sent back with a comment (both leave the public pages until a
coordinator publishes them again).
"""

import json
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count

from access import rules
from access.models import Membership
from actionplan.models import Measure, Plan
from actionplan.services import measure_set_state
from contacts.models import Organisation

DEMO_DOCUMENT = settings.BASE_DIR / "fixtures" / "leipzig.json"
COORDINATOR = "koordination"
EDITOR = "redaktion"
SEND_BACK_COMMENT = (
    "Bitte den Zeitplan prüfen: die Termine liegen in der Vergangenheit. "
    "Und wer übernimmt die Federführung?"
)


class Command(BaseCommand):
    help = "Create a demo coordinator and a demo editor for the Leipzig demo plan."

    def add_arguments(self, parser):
        parser.add_argument(
            "--workflow",
            action="store_true",
            help="Also put one measure in review and send another back with a comment.",
        )

    @transaction.atomic
    def handle(self, *args, workflow=False, **options):
        if settings.PLANWERK_ENV != "development":
            # Accounts with printed passwords belong on a laptop, never on a public server.
            raise CommandError(
                "Nur in der Entwicklungsumgebung (PLANWERK_ENV=development). "
                "Development only (PLANWERK_ENV=development)."
            )
        slug = json.loads(DEMO_DOCUMENT.read_text(encoding="utf-8"))["plan"]["slug"]
        plan = Plan.objects.filter(slug=slug).first()
        if plan is None:
            raise CommandError(f"No plan “{slug}”: run “manage.py load_demo_data” first.")
        organisation = (
            Organisation.objects.filter(responsibilities__measure__field__plan=plan)
            .annotate(n=Count("responsibilities"))
            .order_by("-n", "name")
            .first()
        )
        if organisation is None:
            raise CommandError(f"The plan “{slug}” names no responsible organisation.")
        coordinator = self._account(COORDINATOR, "Clara", "Koordinatorin")
        editor = self._account(EDITOR, "Emil", "Redakteur")
        Membership.objects.get_or_create(user=coordinator, plan=plan, role=rules.COORDINATOR)
        Membership.objects.get_or_create(
            user=editor, plan=plan, role=rules.EDITOR, organisation=organisation
        )
        self.stdout.write(
            f"„{COORDINATOR}“ koordiniert „{plan.title}“; "
            f"„{EDITOR}“ redigiert für „{organisation}“."
        )
        if workflow:
            self._workflow(plan, coordinator, editor)

    def _account(self, username, first_name, last_name):
        user_model = get_user_model()
        user = user_model._default_manager.filter(username=username).first()
        if user is not None:
            self.stdout.write(f"Konto „{username}“ existiert bereits (unverändert).")
            return user
        password = secrets.token_urlsafe(12)
        user = user_model._default_manager.create_user(
            username=username,
            first_name=first_name,
            last_name=last_name,
            email=f"{username}@localhost",
            password=password,
            is_staff=True,  # the admin's door; memberships open it (issue 17 item 2)
        )
        self.stdout.write(
            self.style.SUCCESS(f"Demo-Konto: {username} Passwort: {password} (nur jetzt angezeigt)")
        )
        return user

    def _workflow(self, plan, coordinator, editor):
        rules.forget(coordinator)
        rules.forget(editor)
        mine = list(
            rules.editor_measures(editor, Measure.objects.filter(field__plan=plan)).order_by(
                "field__position", "position"
            )[:2]
        )
        if len(mine) < 2:
            raise CommandError("The demo editor needs two measures for --workflow.")
        in_review, sent_back = mine
        for measure in mine:
            if measure.state != Measure.State.DRAFT:
                measure_set_state(measure=measure, state="draft", acting_user=coordinator)
            measure_set_state(measure=measure, state="review", acting_user=editor)
        measure_set_state(
            measure=sent_back, state="draft", acting_user=coordinator, comment=SEND_BACK_COMMENT
        )
        self.stdout.write(f"In Prüfung: „{in_review}“; zurückgegeben mit Kommentar: „{sent_back}“.")
