"""Weekly reminders: the right milestones to the right editors, in their language, once a week,
on Django's locmem mail backend (pytest-django's default for tests)."""

import datetime
import io
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from reminders import selectors, services
from reminders.models import ReminderDelivery, ReminderPreference
from tests.reminders.conftest import MONDAY, TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def inline_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def mail_to(username):
    found = [m for m in mail.outbox if m.to == [f"{username}@example.org"]]
    assert len(found) == 1, [m.to for m in mail.outbox]
    return found[0]


def labels(milestones):
    return [(m.measure.code, m.entry.label, m.due) for m in milestones]


D = datetime.date


def test_digest_holds_the_editors_own_milestones(world):
    digest = selectors.digest_for(world.users["editor_a"], today=TODAY, days_ahead=30)
    assert labels(digest.due) == [
        ("B", "bis 20. Juni 2011", D(2011, 6, 20)),  # a draft of the editor's own plan
        ("A", "II. Quartal 2011", D(2011, 6, 30)),
        ("A", "ab 1. Juli 2011", D(2011, 7, 1)),
    ]
    assert labels(digest.overdue) == [
        ("A", "I. Quartal 2011", D(2011, 3, 31)),
        ("C", "Mai 2011", D(2011, 5, 31)),  # a unit below the editor's organisation
    ]
    digest_b = selectors.digest_for(world.users["editor_b"], today=TODAY, days_ahead=30)
    assert labels(digest_b.due) == [("E", "Juni 2011", D(2011, 6, 30))]
    assert digest_b.overdue == []


def test_no_digest_for_members_who_are_not_editors(world):
    for name in ("coordinator", "reader"):
        assert selectors.digest_for(world.users[name], today=TODAY, days_ahead=30).is_empty


def test_command_queues_the_task_on_the_database_backend(world):
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    task = DBTaskResult.objects.get()
    assert task.task_path == "reminders.tasks.send_weekly_reminders"
    assert task.args_kwargs["args"] == ["2011-06-15"]
    assert str(task.id) in out.getvalue()
    assert mail.outbox == []  # the worker sends, not the command


def test_command_refuses_a_bad_date(world):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--date", "15.06.2011", stdout=io.StringIO())
    assert not DBTaskResult.objects.exists()


def test_weekly_run_mails_the_right_editors_only(world, inline_tasks):
    call_command("send_reminders", stdout=io.StringIO())
    assert sorted(m.to[0] for m in mail.outbox) == [
        "editor_a@example.org",
        "editor_b@example.org",
    ]
    body_a = mail_to("editor_a").body
    for text in ("II. Quartal 2011", "I. Quartal 2011", "ab 1. Juli 2011", "bis 20. Juni 2011"):
        assert text in body_a
    assert "Mai 2011" in body_a and "Förderprogramm" in body_a
    for absent in ("Herbst 2011", "Erledigt", "Gewerbehof", "Geheim", "im Anschluss"):
        assert absent not in body_a
    body_b = mail_to("editor_b").body
    assert "Gewerbehof" in body_b and "Kreativquartier" not in body_b
    assert set(ReminderDelivery.objects.values_list("user__username", "week")) == {
        ("editor_a", MONDAY),
        ("editor_b", MONDAY),
    }


def test_never_anything_about_drafts_the_editor_may_not_see(world, inline_tasks):
    """Organisation A holds the draft measure of a draft plan; editor A has no role there."""
    call_command("send_reminders", stdout=io.StringIO())
    for message in mail.outbox:
        html = message.alternatives[0][0]
        assert "Geheim" not in message.body and "Geheim" not in html
        assert "Geheim" not in message.subject
    assert selectors.digest_for(world.users["editor_a"], today=TODAY, days_ahead=365).due


def test_mail_is_in_the_recipients_language_with_text_and_html(world, inline_tasks):
    call_command("send_reminders", stdout=io.StringIO())
    german, english = mail_to("editor_a"), mail_to("editor_b")
    assert german.subject == "Planwerk: Ihre Termine in der Woche vom 15.06.2011"
    assert "Guten Tag Anna Amt," in german.body and "Überfällig" in german.body
    assert english.subject == "Planwerk: your milestones in the week of 2011-06-15"
    assert "Hello Ben Brown," in english.body and "Due soon" in english.body
    assert german.extra_headers["Content-Language"] == "de"
    assert english.extra_headers["Content-Language"] == "en"
    ((html, mimetype),) = german.alternatives
    assert mimetype == "text/html" and '<html lang="de">' in html
    assert "<caption>Demnächst fällig</caption>" in html
    # the measure's title is text, never markup
    assert "Kreativquartier &lt;Plagwitz&gt;" in html and "<Plagwitz>" not in html
    assert "Kreativquartier <Plagwitz>" in german.body


def test_mail_links_to_the_admin_change_pages_and_the_opt_out(world, inline_tasks):
    call_command("send_reminders", stdout=io.StringIO())
    german, english = mail_to("editor_a"), mail_to("editor_b")
    measure_a, measure_b = world.measures["a"], world.measures["b"]
    edit_a = "https://plan.example.org" + reverse(
        "admin:actionplan_measure_change", args=[measure_a.pk]
    )
    assert edit_a == f"https://plan.example.org/admin/actionplan/measure/{measure_a.pk}/change/"
    assert edit_a in german.body and f'href="{edit_a}"' in german.alternatives[0][0]
    edit_b = f"https://plan.example.org/en/admin/actionplan/measure/{measure_b.pk}/change/"
    assert edit_b in english.body
    unsubscribe = german.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<https://plan.example.org/erinnerungen/abmelden/")
    assert german.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.strip("<>") in german.body
    assert english.extra_headers["List-Unsubscribe"].startswith(
        "<https://plan.example.org/en/erinnerungen/abmelden/"
    )
    assert german.from_email == "Planwerk <planwerk@example.org>"


def test_a_second_run_in_the_same_week_sends_nothing(world, inline_tasks, frozen):
    call_command("send_reminders", stdout=io.StringIO())
    assert len(mail.outbox) == 2
    frozen.shift(datetime.timedelta(days=2))  # Friday, same week
    call_command("send_reminders", stdout=io.StringIO())
    assert len(mail.outbox) == 2
    assert ReminderDelivery.objects.count() == 2
    frozen.shift(datetime.timedelta(days=3))  # Monday of the next week
    call_command("send_reminders", stdout=io.StringIO())
    assert len(mail.outbox) == 4
    assert sorted(ReminderDelivery.objects.values_list("week", flat=True)) == [
        MONDAY,
        MONDAY,
        MONDAY + datetime.timedelta(days=7),
        MONDAY + datetime.timedelta(days=7),
    ]


def test_opted_out_inactive_and_addressless_editors_get_nothing(world, inline_tasks):
    call_command("send_reminders", stdout=io.StringIO())
    sent_to = {m.to[0] for m in mail.outbox}
    for name in ("opted_out", "inactive", "coordinator", "reader"):
        assert f"{name}@example.org" not in sent_to
    assert not ReminderDelivery.objects.filter(
        user__username__in=["opted_out", "inactive", "no_email", "coordinator", "reader"]
    ).exists()


def test_nothing_due_sends_nothing(world, inline_tasks):
    with time_machine.travel(datetime.datetime(2010, 1, 4, 8, tzinfo=datetime.UTC), tick=False):
        # long before every date: nothing due within 30 days, nothing overdue
        call_command("send_reminders", stdout=io.StringIO())
    assert mail.outbox == [] and not ReminderDelivery.objects.exists()


def test_a_failing_mail_is_not_recorded_and_does_not_stop_the_others(world):
    real_send = services.EmailMultiAlternatives.send

    def send(message, *args, **kwargs):
        if message.to == ["editor_a@example.org"]:
            raise ConnectionRefusedError("mail server down")
        return real_send(message, *args, **kwargs)

    with mock.patch.object(services.EmailMultiAlternatives, "send", send):
        result = services.reminders_send_week(today=TODAY)
    assert result.failed == [world.users["editor_a"].pk]
    assert result.sent == [world.users["editor_b"].pk]
    assert list(ReminderDelivery.objects.values_list("user__username", flat=True)) == ["editor_b"]
    # the retry sends the missing one only
    retry = services.reminders_send_week(today=TODAY)
    assert retry.sent == [world.users["editor_a"].pk]
    assert [m.to for m in mail.outbox] == [["editor_b@example.org"], ["editor_a@example.org"]]


def test_language_preference_defaults_to_german(world, inline_tasks):
    assert not ReminderPreference.objects.filter(user=world.users["editor_a"]).exists()
    call_command("send_reminders", stdout=io.StringIO())
    assert ReminderPreference.objects.get(user=world.users["editor_a"]).language == "de"
