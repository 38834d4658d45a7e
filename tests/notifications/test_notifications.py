"""Notifications of the review workflow on Django's locmem mail backend: who gets which mail,
in which language, with which links; never the person who acted; opt-outs honoured."""

import re
import uuid

import pytest
from django.core import mail
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from access import rules
from actionplan import models as ap
from actionplan.services import WORKFLOW_EVENTS, measure_set_state, measure_workflow_event
from notifications import services, tasks
from notifications.models import Kind, NotificationDelivery, NotificationPreference
from reminders.models import ReminderPreference
from tests.factories import StepFactory

pytestmark = pytest.mark.django_db

State = ap.Measure.State


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def mail_to(username):
    found = [m for m in mail.outbox if m.to == [f"{username}@example.org"]]
    assert len(found) == 1, [m.to for m in mail.outbox]
    return found[0]


def html_of(message):
    (html, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    return html


def set_state(world, measure, state, actor, capture, comment=""):
    """Change the state as the admin does, and run what waits for the commit."""
    with capture(execute=True):
        measure_set_state(
            measure=measure, state=state, acting_user=world.users[actor], comment=comment
        )


def submitted(world, capture, actor="editor"):
    set_state(world, world.measure, State.REVIEW, actor, capture)


def test_kinds_are_the_workflow_events():
    assert set(Kind.values) == set(WORKFLOW_EVENTS)


def test_measure_editors_are_exactly_those_who_may_edit_it(world):
    """The reader of access.rules is the inverse of ``editor_may_edit_measure``."""
    users = [u for u in world.users.values() if u.is_active]
    for measure in (world.measure, world.other):
        expected = {u.username for u in users if rules.editor_may_edit_measure(u, measure)}
        got = {u.username for u in rules.measure_editors(measure)}
        assert got == expected
    assert {u.username for u in rules.measure_editors(world.measure)} == {
        "editor",
        "unit_editor",
        "city_editor",
        "no_email",
    }


def test_submitted_mails_the_plans_coordinators_only(
    world, inline_tasks, django_capture_on_commit_callbacks
):
    assert mail.outbox == []
    submitted(world, django_capture_on_commit_callbacks)
    assert recipients() == ["coord2@example.org", "coord@example.org"]
    message = mail_to("coord")
    assert message.subject == "Planwerk: „A) Kreativquartier <Plagwitz>“ wartet auf Ihre Prüfung"
    assert message.from_email == "Planwerk <planwerk@example.org>"
    assert "Guten Tag Clara Koordinatorin," in message.body
    assert (
        "Erika Kulturamt hat die Maßnahme „A) Kreativquartier <Plagwitz>“ des Plans "
        "„Maßnahmenplan Leipzig“ zur Prüfung eingereicht." in message.body
    )
    change_url = f"https://plan.example.org/admin/actionplan/measure/{world.measure.pk}/change/"
    assert f"Prüfen: {change_url}" in message.body
    html = html_of(message)
    assert f'<a href="{change_url}">Prüfen</a>' in html
    assert "Kreativquartier &lt;Plagwitz&gt;" in html
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    assert message.extra_headers["Content-Language"] == "de"


def test_sent_back_mails_the_measures_editors_with_the_comment(
    world, inline_tasks, django_capture_on_commit_callbacks
):
    submitted(world, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    set_state(
        world,
        world.measure,
        State.DRAFT,
        "coord",
        django_capture_on_commit_callbacks,
        comment="Bitte den Zeitplan <ergänzen>.\nDanke!",
    )
    # the editors of the unit and of every organisation above it; not the Wirtschaftsförderung,
    # not the coordinator who acted, nobody without an address or in another plan
    assert recipients() == [
        "city_editor@example.org",
        "editor@example.org",
        "unit_editor@example.org",
    ]
    message = mail_to("editor")
    assert message.subject == "Planwerk: „A) Kreativquartier <Plagwitz>“ wurde an Sie zurückgegeben"
    assert "Kommentar:\nBitte den Zeitplan <ergänzen>.\nDanke!" in message.body
    assert "Bitte den Zeitplan &lt;ergänzen&gt;.<br>Danke!" in html_of(message)
    assert "Bearbeiten: https://plan.example.org/admin/actionplan/measure/" in message.body


def test_published_mails_the_editors_with_the_public_page(
    world, inline_tasks, django_capture_on_commit_callbacks
):
    set_state(world, world.measure, State.PUBLISHED, "coord", django_capture_on_commit_callbacks)
    assert recipients() == [
        "city_editor@example.org",
        "editor@example.org",
        "unit_editor@example.org",
    ]
    message = mail_to("unit_editor")
    assert message.subject == "Planwerk: „A) Kreativquartier <Plagwitz>“ ist veröffentlicht"
    public = "https://plan.example.org" + world.measure.get_absolute_url()
    assert f"Öffentliche Seite: {public}" in message.body


def test_nobody_is_mailed_about_their_own_action(
    world, inline_tasks, django_capture_on_commit_callbacks
):
    # a coordinator who submits: the other coordinator hears of it, the actor does not
    submitted(world, django_capture_on_commit_callbacks, actor="coord")
    assert recipients() == ["coord2@example.org"]
    mail.outbox.clear()
    # an editor who is also… the one publishing is left out of the editors' mail
    from access.models import Membership

    Membership.objects.create(
        user=world.users["editor"], plan=world.plan, role=Membership.Role.COORDINATOR
    )
    rules.forget(world.users["editor"])
    set_state(world, world.measure, State.PUBLISHED, "editor", django_capture_on_commit_callbacks)
    assert "editor@example.org" not in recipients()
    assert recipients() == ["city_editor@example.org", "unit_editor@example.org"]


def test_switched_off_kind_is_not_sent_and_others_still_are(
    world, inline_tasks, django_capture_on_commit_callbacks
):
    services.preference_set(user=world.users["coord2"], kind=Kind.SUBMITTED, enabled=False)
    services.preference_set(user=world.users["editor"], kind=Kind.PUBLISHED, enabled=False)
    submitted(world, django_capture_on_commit_callbacks)
    assert recipients() == ["coord@example.org"]
    mail.outbox.clear()
    set_state(world, world.measure, State.PUBLISHED, "coord", django_capture_on_commit_callbacks)
    assert recipients() == ["city_editor@example.org", "unit_editor@example.org"]
    # switching it on again restores it
    services.preference_set(user=world.users["coord2"], kind=Kind.SUBMITTED, enabled=True)
    mail.outbox.clear()
    set_state(world, world.other, State.REVIEW, "other_editor", django_capture_on_commit_callbacks)
    assert recipients() == ["coord2@example.org", "coord@example.org"]


def test_recipients_language_is_used(world, inline_tasks, django_capture_on_commit_callbacks):
    ReminderPreference.objects.create(user=world.users["coord2"], language="en")
    submitted(world, django_capture_on_commit_callbacks)
    english = mail_to("coord2")
    assert english.subject == "Planwerk: “A) Kreativquartier <Plagwitz>” awaits your review"
    assert "Hello Carl Koordinator," in english.body
    assert "https://plan.example.org/en/admin/actionplan/measure/" in english.body
    assert english.extra_headers["Content-Language"] == "en"
    assert "/en/benachrichtigungen/abmelden/" in english.extra_headers["List-Unsubscribe"]
    assert mail_to("coord").subject.endswith("wartet auf Ihre Prüfung")


def unsubscribe_link(message) -> str:
    match = re.search(
        r"https://plan\.example\.org(/benachrichtigungen/abmelden/[^/\s]+/)", message.body
    )
    assert match, message.body
    assert message.extra_headers["List-Unsubscribe"] == f"<{match.group(0)}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert match.group(0) in html_of(message)
    return match.group(1)


def test_unsubscribe_link_switches_that_kind_off_without_login(
    client, world, inline_tasks, django_capture_on_commit_callbacks
):
    submitted(world, django_capture_on_commit_callbacks)
    path = unsubscribe_link(mail_to("coord2"))

    # GET only asks (link scanners must not unsubscribe anybody)
    page = client.get(path)
    assert page.status_code == 200
    assert "„Zur Prüfung eingereicht“" in page.content.decode()
    assert not NotificationPreference.objects.filter(user=world.users["coord2"]).exists()

    done = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert "Erledigt" in done.content.decode()
    preference = NotificationPreference.objects.get(user=world.users["coord2"])
    assert (preference.kind, preference.enabled) == (Kind.SUBMITTED, False)

    mail.outbox.clear()
    set_state(world, world.other, State.REVIEW, "other_editor", django_capture_on_commit_callbacks)
    assert recipients() == ["coord@example.org"]
    # the other kinds stay on
    assert services.selectors.preferences_for(world.users["coord2"]) == {
        "submitted": False,
        "sent_back": True,
        "published": True,
    }


@pytest.mark.parametrize("token", ["nonsense", "eyJ1IjoxLCJrIjoic3VibWl0dGVkIn0:bad:sig"])
def test_forged_unsubscribe_link_changes_nothing(client, world, token):
    path = reverse("notifications:unsubscribe", args=[token])
    assert client.get(path).status_code == 400
    response = client.post(path)
    assert response.status_code == 400
    assert "Dieser Link ist ungültig." in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_a_pending_change_links_to_its_review(world, inline_tasks):
    """A pending change (reviews) is named as a change and linked: its ``get_review_url`` if it
    has one, else its admin page. A step stands in for the pending-change model here."""
    pending = StepFactory(measure=world.measure)
    measure_workflow_event.send(
        sender=ap.Measure,
        kind="submitted",
        measure=world.measure,
        actor=world.users["editor"],
        comment="",
        pending=pending,
    )
    message = mail_to("coord")
    assert message.subject == (
        "Planwerk: eine Änderung an „A) Kreativquartier <Plagwitz>“ wartet auf Ihre Prüfung"
    )
    assert f"https://plan.example.org/admin/actionplan/step/{pending.pk}/change/" in message.body

    pending.get_review_url = lambda: "/admin/reviews/42/vergleich/"
    event = services.Event(
        id=uuid.uuid4(), kind="submitted", measure=world.measure, pending=pending
    )
    assert services.review_path(event) == "/admin/reviews/42/vergleich/"


def test_events_go_through_the_task_queue(world, django_capture_on_commit_callbacks):
    """With the database queue (the default), the step enqueues a job and mails nothing yet."""
    submitted(world, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    job = DBTaskResult.objects.get(task_path="notifications.tasks.send_workflow_notification")
    assert job.args_kwargs["kwargs"]["kind"] == "submitted"
    assert job.args_kwargs["kwargs"]["measure_id"] == world.measure.pk
    assert job.args_kwargs["kwargs"]["actor_id"] == world.users["editor"].pk


def test_task_is_idempotent_per_event(world):
    event_id = str(uuid.uuid4())
    arguments = dict(event_id=event_id, kind="published", measure_id=world.measure.pk)
    first = tasks.send_workflow_notification.call(**arguments)
    assert first["sent"] == 3
    second = tasks.send_workflow_notification.call(**arguments)
    assert second["sent"] == 0
    assert len(mail.outbox) == 3
    assert NotificationDelivery.objects.filter(event=event_id).count() == 3


def test_task_for_a_deleted_measure_sends_nothing(world):
    measure_id = world.measure.pk
    world.measure.delete()
    result = tasks.send_workflow_notification.call(
        event_id=str(uuid.uuid4()), kind="published", measure_id=measure_id
    )
    assert result["sent"] == 0
    assert mail.outbox == []


def test_failing_address_does_not_stop_the_others(world, monkeypatch):
    original = services.build_message

    def build(*, user, event):
        if user.username == "editor":
            raise ConnectionError("mail server gone")
        return original(user=user, event=event)

    monkeypatch.setattr(services, "build_message", build)
    event = services.Event(id=uuid.uuid4(), kind="published", measure=world.measure)
    result = services.notifications_send(event)
    assert len(result.sent) == 2 and result.failed == [world.users["editor"].pk]
    # the failed one is not recorded as delivered: a retry mails it
    assert not NotificationDelivery.objects.filter(user=world.users["editor"]).exists()


def test_submitting_in_the_admin_mails_the_coordinators(
    client, world, inline_tasks, django_capture_on_commit_callbacks
):
    from tests.actionplan.admin_support import change_form_data

    client.force_login(world.users["editor"])
    url = reverse("admin:actionplan_measure_change", args=[world.measure.pk])
    data = change_form_data(client.get(url))
    data["state"] = "review"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    assert recipients() == ["coord2@example.org", "coord@example.org"]
    assert "Erika Kulturamt hat die Maßnahme" in mail_to("coord").body
