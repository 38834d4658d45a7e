"""The one-click opt-out: a signed link that works once, without login, and cannot be forged."""

import datetime
import io

import pytest
from django.core import mail, signing
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from reminders import tokens
from reminders.models import ReminderPreference

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def link(world, settings):
    """The opt-out link from editor A's reminder, as a path on this site."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    call_command("send_reminders", stdout=io.StringIO())
    (message,) = [m for m in mail.outbox if m.to == ["editor_a@example.org"]]
    url = message.extra_headers["List-Unsubscribe"].strip("<>")
    return url.removeprefix("https://plan.example.org")


def preference(world, name="editor_a"):
    return ReminderPreference.objects.get(user=world.users[name])


def one_click(client, path):
    """What a mail program sends for RFC 8058: a POST without cookies or CSRF token."""
    return client.post(
        path,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )


def test_get_only_asks_and_changes_nothing(world, link):
    response = Client().get(link)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Wöchentliche Erinnerungen abbestellen" in html and 'method="post"' in html
    assert '<meta name="robots" content="noindex">' in html
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert not preference(world).opted_out


def test_one_click_post_unsubscribes_without_login_and_works_once(world, link):
    client = Client(enforce_csrf_checks=True)
    response = one_click(client, link)
    assert response.status_code == 200
    assert "Sie erhalten keine wöchentlichen Erinnerungen mehr" in response.content.decode()
    assert not response.cookies  # no session, no CSRF cookie
    first = preference(world)
    assert first.opted_out
    again = one_click(client, link)
    assert again.status_code == 410
    assert "schon benutzt" in again.content.decode()
    assert preference(world).opted_out_at == first.opted_out_at  # nothing changed
    assert Client().get(link).status_code == 410


def test_unsubscribed_editor_gets_no_more_reminders(world, link, frozen):
    one_click(Client(), link)
    mail.outbox.clear()
    frozen.shift(datetime.timedelta(days=7))
    call_command("send_reminders", stdout=io.StringIO())
    assert [m.to for m in mail.outbox] == [["editor_b@example.org"]]


def test_tampered_links_are_refused_and_change_nothing(world, link):
    token = link.rstrip("/").rsplit("/", 1)[1]
    payload, rest = token.split(":", 1)
    # someone else's user id, with editor A's signature
    data = signing.loads(token, salt=tokens.SALT)
    data["u"] = world.users["editor_b"].pk
    forged_payload = signing.dumps(data, salt=tokens.SALT).split(":", 1)[0]
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    unsigned = signing.dumps(data, salt="another salt")
    for bad in (f"{forged_payload}:{rest}", flipped, unsigned, "nonsense", payload):
        path = reverse("reminders:unsubscribe", kwargs={"token": bad})
        response = one_click(Client(), path)
        assert response.status_code == 400, bad
        assert "Dieser Link ist ungültig" in response.content.decode()
        assert Client().get(path).status_code == 400
    assert (
        not ReminderPreference.objects.filter(opted_out_at__isnull=False)
        .exclude(user__username="opted_out")
        .exists()
    )


def test_a_token_signed_for_a_user_without_preference_is_refused(world):
    token = signing.dumps({"u": world.users["reader"].pk, "n": "x"}, salt=tokens.SALT)
    path = reverse("reminders:unsubscribe", kwargs={"token": token})
    assert one_click(Client(), path).status_code == 400
    assert not ReminderPreference.objects.filter(user=world.users["reader"]).exists()


def test_opt_out_page_in_english(world, link):
    english = "/en" + link
    response = Client().get(english)
    assert response.status_code == 200
    assert "Stop the weekly reminders" in response.content.decode()
    done = one_click(Client(), english)
    assert "you will receive no more weekly reminders" in done.content.decode()


def test_other_methods_are_refused(world, link):
    assert Client().put(link).status_code == 405
    assert not preference(world).opted_out
