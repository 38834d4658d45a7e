"""The weekly reminder leads to the start page (“Meine Arbeit”, which replaces the admin
index), in the recipient's language."""

import io

import pytest
from django.core import mail
from django.core.management import call_command

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def inline_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_reminder_links_the_start_page(world, inline_tasks):
    assert mail.outbox == []
    call_command("send_reminders", stdout=io.StringIO())
    by_recipient = {m.to[0]: m for m in mail.outbox}
    german = by_recipient["editor_a@example.org"]
    assert (
        "Ihre Startseite in Planwerk, mit allen Ihren Maßnahmen und allem, was auf Sie wartet:\n"
        "https://plan.example.org/admin/\n" in german.body
    )
    ((html, _),) = german.alternatives
    assert '<a href="https://plan.example.org/admin/">Ihre Startseite in Planwerk' in html
    english = by_recipient["editor_b@example.org"]
    assert "Your start page in Planwerk" in english.body
    assert "https://plan.example.org/en/admin/\n" in english.body
