"""`make run` creates the demo plan's coordinator and editor once, with printed passwords."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.http import HttpRequest

from access import rules
from access.models import Membership


def run():
    out = StringIO()
    call_command("ensure_demo_team", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_creates_coordinator_and_editor_once_with_usable_passwords(client):
    call_command("load_demo_data", verbosity=0)
    first = run()
    users = get_user_model().objects
    coordinator = users.get(username="koordination")
    editor = users.get(username="redaktion")
    plan_id = Membership.objects.get(user=coordinator).plan_id
    assert rules.coordinates(coordinator, plan_id)
    assert not rules.coordinates(editor, plan_id)
    assert (
        Membership.objects.get(user=editor).organisation.name == "Kontaktstelle Kreativwirtschaft"
    )
    password = first.split("Benutzer: redaktion Passwort: ")[1].split()[0]
    assert client.login(request=HttpRequest(), username="redaktion", password=password)

    second = run()
    assert "Passwort" not in second
    assert users.filter(username__in=["koordination", "redaktion"]).count() == 2


@pytest.mark.django_db
def test_refuses_without_demo_data_and_outside_development(settings):
    with pytest.raises(CommandError, match="load_demo_data"):
        run()
    settings.PLANWERK_ENV = "production"
    with pytest.raises(CommandError, match="development"):
        run()
