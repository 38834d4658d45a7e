"""A real SMTP conversation: aiosmtpd listens on a free local port, a coordinator sends a
measure back, Django's SMTP backend delivers the editors' notifications, and the test reads
back what arrived."""

import email
import email.policy

import pytest

from actionplan import models as ap
from actionplan.services import measure_set_state

pytestmark = pytest.mark.django_db


def test_sent_back_notification_arrives_at_a_real_smtp_server(
    world, smtp_server, django_capture_on_commit_callbacks
):
    ap.Measure.objects.filter(pk=world.measure.pk).update(state=ap.Measure.State.REVIEW)
    world.measure.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        measure_set_state(
            measure=world.measure,
            state=ap.Measure.State.DRAFT,
            acting_user=world.users["coord"],
            comment="Bitte Kosten „2027“ ergänzen.",
        )
    by_recipient = {tuple(e.rcpt_tos): e for e in smtp_server.envelopes}
    assert set(by_recipient) == {
        ("editor@example.org",),
        ("unit_editor@example.org",),
        ("city_editor@example.org",),
    }
    envelope = by_recipient[("editor@example.org",)]
    assert envelope.mail_from == "planwerk@example.org"
    message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    # a long encoded subject is folded right after "Subject:"; unfolded it is the subject
    assert message["Subject"].strip() == (
        "Planwerk: „A) Kreativquartier <Plagwitz>“ wurde an Sie zurückgegeben"
    )
    assert message["To"] == "editor@example.org"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert (
        str(message["List-Unsubscribe"])
        .strip()
        .startswith("<https://plan.example.org/benachrichtigungen/abmelden/")
    )
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Clara Koordinatorin hat die Maßnahme „A) Kreativquartier <Plagwitz>“" in text
    assert "Bitte Kosten „2027“ ergänzen." in text and "Bitte Kosten „2027“ ergänzen." in html
    assert f"/admin/actionplan/measure/{world.measure.pk}/change/" in html
