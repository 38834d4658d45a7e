"""The “Benachrichtigungen” page: each person switches each kind of e-mail on or off, the
weekly reminder and the language of the e-mails; in German, with CSRF, without JavaScript."""

import pytest
from django.test import Client
from django.urls import reverse

from notifications.models import Kind, NotificationPreference
from reminders.models import ReminderPreference
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/benachrichtigungen/"


def test_url_is_german():
    assert reverse("notifications:preferences") == URL


def test_page_lists_every_kind_switched_on_by_default(client, world):
    client.force_login(world.users["editor"])
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Benachrichtigungen" in page
    for kind, label in (
        ("submitted", "Zur Prüfung eingereicht"),
        ("sent_back", "Zurückgegeben"),
        ("published", "Veröffentlicht"),
    ):
        assert f'<label for="id_{kind}" class="vCheckboxLabel">{label}</label>' in page
        assert (
            f'<input type="checkbox" name="{kind}" aria-describedby="id_{kind}_helptext" '
            f'id="id_{kind}" checked>' in page
        )
        assert f'<div class="help" id="id_{kind}_helptext">' in page
    # an editor gets the weekly reminder, so it is offered too
    assert 'name="weekly_reminder"' in page
    assert '<option value="de" selected>' in page
    assert "<script>" not in page


def test_saving_switches_kinds_off_and_on(client, world):
    user = world.users["editor"]
    client.force_login(user)
    response = client.post(URL, {"submitted": "on", "weekly_reminder": "on", "language": "en"})
    assert response.status_code == 302 and response["Location"] == URL
    stored = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "enabled"))
    assert stored == {"submitted": True, "sent_back": False, "published": False}
    assert ReminderPreference.objects.get(user=user).language == "en"

    page = client.get(URL).content.decode()
    assert "Ihre Einstellungen für Benachrichtigungen wurden gespeichert." in page
    assert (
        '<input type="checkbox" name="sent_back" aria-describedby="id_sent_back_helptext" '
        'id="id_sent_back">' in page
    )

    client.post(URL, {"submitted": "on", "sent_back": "on", "published": "on", "language": "de"})
    assert set(NotificationPreference.objects.filter(user=user).values_list("kind", "enabled")) == {
        (kind, True) for kind in Kind.values
    }


def test_weekly_reminder_can_be_switched_off_and_on_again(client, world):
    user = world.users["editor"]
    client.force_login(user)
    client.post(URL, {"language": "de"})
    assert ReminderPreference.objects.get(user=user).opted_out
    client.post(URL, {"weekly_reminder": "on", "language": "de"})
    assert not ReminderPreference.objects.get(user=user).opted_out


def test_coordinators_are_not_offered_the_editors_reminder(client, world):
    client.force_login(world.users["coord"])
    page = client.get(URL).content.decode()
    assert 'name="weekly_reminder"' not in page
    client.post(URL, {"submitted": "on", "language": "de"})
    assert not ReminderPreference.objects.get(user=world.users["coord"]).opted_out


def test_post_without_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["coord"])
    response = client.post(URL, {"language": "de"})
    assert response.status_code == 403
    assert not NotificationPreference.objects.exists()


def test_page_needs_a_signed_in_member(client, world):
    response = client.get(URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(UserFactory(username="stranger", is_staff=True))
    response = client.get(URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_user_menu_links_the_page(client, world):
    client.force_login(world.users["coord"])
    page = client.get(reverse("admin:index")).content.decode()
    assert f'<a href="{URL}">Benachrichtigungen</a>' in page
