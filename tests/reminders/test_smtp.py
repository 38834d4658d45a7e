"""A real SMTP conversation: aiosmtpd listens on a free local port, Django's SMTP backend
delivers the reminder to it, and the test reads back what arrived."""

import email
import email.policy
import io

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def test_reminders_arrive_at_a_real_smtp_server(world, smtp_server):
    call_command("send_reminders", stdout=io.StringIO())
    by_recipient = {tuple(e.rcpt_tos): e for e in smtp_server.envelopes}
    assert set(by_recipient) == {("editor_a@example.org",), ("editor_b@example.org",)}
    envelope = by_recipient[("editor_a@example.org",)]
    assert envelope.mail_from == "planwerk@example.org"
    message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert message["Subject"] == "Planwerk: Ihre Termine in der Woche vom 15.06.2011"
    assert message["To"] == "editor_a@example.org"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # long enough to be folded onto the next line; unfolded it is the bracketed URL
    assert (
        str(message["List-Unsubscribe"])
        .strip()
        .startswith("<https://plan.example.org/erinnerungen/abmelden/")
    )
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "II. Quartal 2011" in text and "Kreativquartier <Plagwitz>" in text
    assert "<caption>Demnächst fällig</caption>" in html
    assert "Kreativquartier &lt;Plagwitz&gt;" in html
    assert "Geheim" not in text and "Geheim" not in html
    english = email.message_from_bytes(
        by_recipient[("editor_b@example.org",)].original_content, policy=email.policy.default
    )
    assert english["Subject"] == "Planwerk: your milestones in the week of 2011-06-15"
