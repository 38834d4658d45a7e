"""The demo accounts give the start page something to show on the Leipzig demo plan."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from access.models import Membership
from actionplan.models import Measure

pytestmark = pytest.mark.django_db


def test_demo_team_has_work_on_the_start_page(client, capsys):
    call_command("load_demo_data")
    call_command("load_demo_team", "--workflow")
    users = get_user_model().objects
    editor, coordinator = users.get(username="redaktion"), users.get(username="koordination")
    assert Membership.objects.filter(user=editor, role="editor").count() == 1
    assert Measure.objects.filter(state="review").count() == 1
    assert Measure.objects.filter(state="draft").exclude(review_comment="").count() == 1

    client.force_login(editor)
    html = client.get("/admin/").content.decode()
    assert "Zurückgegeben an Sie" in html and "Bitte den Zeitplan prüfen" in html
    assert "Überfällig" in html  # the 2011 plan's schedule lies in the past

    client.force_login(coordinator)
    response = client.get("/admin/")
    assert len(response.context["review_queue"]) == 1
    (report,) = response.context["quality_reports"]
    assert report.measure_count  # the 2011 plan: its dates are past, some lines missing


def test_demo_team_second_run_changes_no_account(capsys):
    call_command("load_demo_data")
    call_command("load_demo_team")
    password = get_user_model().objects.get(username="redaktion").password
    call_command("load_demo_team")
    assert get_user_model().objects.get(username="redaktion").password == password
    assert "existiert bereits" in capsys.readouterr().out
    assert Membership.objects.filter(user__username="redaktion").count() == 1


def test_demo_team_refused_outside_development(settings):
    call_command("load_demo_data")
    settings.PLANWERK_ENV = "production"
    with pytest.raises(CommandError, match="development"):
        call_command("load_demo_team")
    assert not get_user_model().objects.filter(username="redaktion").exists()
