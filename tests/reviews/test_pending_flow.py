"""An editor's edit of a published measure waits for review; approval publishes it."""

import pytest

from access.models import AuditEvent
from actionplan import models as ap
from reviews.models import PendingChange
from tests.reviews.conftest import edit_measure, open_form

pytestmark = pytest.mark.django_db


def test_editor_edit_of_published_measure_becomes_a_pending_change(team):
    editor = team.client("editor")
    steps_before = list(team.measure.steps.values_list("text", flat=True))
    version_before = team.measure.version

    response = edit_measure(
        editor, team.measure, description="Neue Beschreibung.", new_step="Neuer Schritt"
    )

    assert response.status_code == 302
    team.measure.refresh_from_db()
    assert team.measure.description == "Alte Beschreibung der Radwege."
    assert list(team.measure.steps.values_list("text", flat=True)) == steps_before
    assert team.measure.version == version_before
    pending = PendingChange.objects.get(measure=team.measure)
    assert pending.state == PendingChange.State.OPEN
    assert pending.author == team.users["editor"]
    assert pending.base_version == version_before
    assert pending.proposed["measure"]["description"] == "Neue Beschreibung."
    texts = [row["text"] for row in pending.proposed["rows"]["step"]]
    assert "Neuer Schritt" in texts
    new = [row for row in pending.proposed["rows"]["step"] if row["text"] == "Neuer Schritt"]
    assert new[0]["pk"] is None


def test_editor_sees_the_pending_state_in_the_form_and_edits_it_again(team):
    editor = team.client("editor")
    edit_measure(editor, team.measure, description="Erste Fassung.", new_step="Neuer Schritt")

    data, response = open_form(editor, team.measure)

    assert data["description"] == "Erste Fassung."
    assert "Neuer Schritt" in data.values()
    content = response.content.decode()
    assert "Ausstehende Änderung" in content or "pending change" in content.lower()

    data["description"] = "Zweite Fassung."
    response = editor.post(response.request["PATH_INFO"], data)
    assert response.status_code == 302
    pending = PendingChange.objects.get(measure=team.measure)
    assert pending.revision == 2
    assert pending.proposed["measure"]["description"] == "Zweite Fassung."
    texts = [row["text"] for row in pending.proposed["rows"]["step"]]
    assert texts.count("Neuer Schritt") == 1


def test_approval_publishes_with_history_naming_the_approver(team):
    editor, coordinator = team.client("editor"), team.client("coordinator")
    edit_measure(
        editor,
        team.measure,
        description="Neue Beschreibung.",
        new_step="Neuer Schritt",
        submit=True,
    )
    pending = PendingChange.objects.get(measure=team.measure)
    assert pending.state == PendingChange.State.SUBMITTED

    response = coordinator.post(
        f"/admin/aenderungen/{pending.pk}/freigeben/", {"revision": pending.revision}
    )

    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.state == PendingChange.State.APPROVED
    assert pending.decided_by == team.users["coordinator"]
    team.measure.refresh_from_db()
    assert team.measure.description == "Neue Beschreibung."
    assert team.measure.steps.filter(text="Neuer Schritt").exists()
    record = team.measure.history.latest()
    assert record.history_user == team.users["coordinator"]
    assert "Coordinator Muster" in record.history_change_reason
    assert "Editor Muster" in record.history_change_reason
    step_record = ap.Step.history.filter(text="Neuer Schritt").latest()
    assert step_record.history_user == team.users["coordinator"]
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.PUBLISHED, object_id=str(team.measure.pk)
    ).exists()
