"""Superusers set a user's reminder language and subscribe them again; nobody else may."""

import pytest
from django.urls import reverse

from reminders.models import ReminderPreference
from tests.factories import StaffUserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def test_superuser_changes_language_and_resubscribes(client, world):
    preference = ReminderPreference.objects.get(user=world.users["opted_out"])
    assert preference.opted_out and preference.language == "de"
    client.force_login(StaffUserFactory(username="root"))
    url = reverse("admin:reminders_reminderpreference_change", args=[preference.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"user": preference.user_id, "language": "en", "opted_out_at_0": "", "opted_out_at_1": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    preference.refresh_from_db()
    assert preference.language == "en" and not preference.opted_out


def test_language_must_be_one_of_the_sites_languages(client, world):
    preference = ReminderPreference.objects.get(user=world.users["editor_b"])
    client.force_login(StaffUserFactory(username="root"))
    url = reverse("admin:reminders_reminderpreference_change", args=[preference.pk])
    response = client.post(url, {"user": preference.user_id, "language": "xx"})
    assert response.status_code == 200 and response.context["adminform"].form.errors
    preference.refresh_from_db()
    assert preference.language == "en"


def test_members_without_superuser_rights_may_not(client, world):
    preference = ReminderPreference.objects.get(user=world.users["editor_b"])
    editor = world.users["editor_a"]
    editor.is_staff = True  # an editor uses the admin
    editor.save()
    client.force_login(editor)
    url = reverse("admin:reminders_reminderpreference_change", args=[preference.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"user": preference.user_id, "language": "de"}).status_code == 403
    preference.refresh_from_db()
    assert preference.language == "en"
