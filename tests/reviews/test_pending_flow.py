"""An editor's edit of a published measure waits for review; approval publishes it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from access.models import AuditEvent
from actionplan import models as ap
from reviews.models import PendingChange
from tests.actionplan.admin_support import inline_prefix
from tests.reviews.conftest import change_url, edit_measure, open_form

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


def _submitted(team, **edit):
    edit.setdefault("description", "Neue Beschreibung.")
    response = edit_measure(team.client("editor"), team.measure, submit=True, **edit)
    assert response.status_code == 302
    return PendingChange.objects.get(measure=team.measure)


def _url(name, pending):
    return reverse(f"reviews:{name}", args=[pending.pk])


def test_send_back_with_comment_edit_resubmit_approve(team):
    editor, coordinator = team.client("editor"), team.client("coordinator")
    pending = _submitted(team, description="Erste Fassung.")

    # a comment is required
    refused = coordinator.post(_url("send_back", pending), {"comment": "  "})
    assert refused.status_code == 400
    pending.refresh_from_db()
    assert pending.state == PendingChange.State.SUBMITTED

    response = coordinator.post(
        _url("send_back", pending),
        {"comment": "Bitte den Zeitraum nennen.", "revision": pending.revision},
    )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.state == PendingChange.State.SENT_BACK
    assert pending.comment == "Bitte den Zeitraum nennen."

    # the editor sees the comment on the form and on the comparison
    data, form_page = open_form(editor, team.measure)
    assert "Bitte den Zeitraum nennen." in form_page.content.decode()
    assert "Bitte den Zeitraum nennen." in editor.get(_url("compare", pending)).content.decode()
    assert data["description"] == "Erste Fassung."

    data["description"] = "Zweite Fassung, 2027 bis 2028."
    data["_submit_pending"] = "1"
    assert editor.post(change_url(team.measure), data).status_code == 302
    pending.refresh_from_db()
    assert pending.state == PendingChange.State.SUBMITTED
    assert pending.revision == 2

    response = coordinator.post(_url("approve", pending), {"revision": pending.revision})
    assert response.status_code == 302
    team.measure.refresh_from_db()
    assert team.measure.description == "Zweite Fassung, 2027 bis 2028."
    actions = list(
        AuditEvent.objects.filter(object_id=str(team.measure.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["submitted", "sent_back", "submitted", "published"]


def test_approval_of_a_stale_revision_is_refused(team):
    pending = _submitted(team)
    response = team.client("coordinator").post(
        _url("approve", pending), {"revision": pending.revision - 1}
    )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.state == PendingChange.State.SUBMITTED
    team.measure.refresh_from_db()
    assert team.measure.description == "Alte Beschreibung der Radwege."


def test_concurrent_coordinator_edit_is_a_conflict_not_an_overwrite(team):
    coordinator = team.client("coordinator")
    pending = _submitted(team, description="Fassung der Redaktion.")
    # the coordinator edits the published measure directly in the meantime
    data, _response = open_form(coordinator, team.measure)
    data["description"] = "Fassung der Koordination."
    assert coordinator.post(change_url(team.measure), data).status_code == 302
    team.measure.refresh_from_db()
    assert team.measure.description == "Fassung der Koordination."

    response = coordinator.post(_url("approve", pending), {"revision": pending.revision})

    assert response.status_code == 409
    content = response.content.decode()
    assert "Konflikt" in content
    assert "Fassung der Koordination." in content  # what differs is shown
    team.measure.refresh_from_db()
    assert team.measure.description == "Fassung der Koordination."
    pending.refresh_from_db()
    assert pending.state == PendingChange.State.SUBMITTED
    # the comparison says so too; sending back lets the editor redo it on the current state
    assert "Konflikt" in coordinator.get(_url("compare", pending)).content.decode()


def test_editor_edit_after_a_conflict_rebases_the_change(team):
    editor, coordinator = team.client("editor"), team.client("coordinator")
    pending = _submitted(team, description="Fassung der Redaktion.")
    data, _response = open_form(coordinator, team.measure)
    data["title"] = "Radwege und Fußwege"
    coordinator.post(change_url(team.measure), data)

    data, form_page = open_form(editor, team.measure)
    assert "seit Ihrer Änderung" in form_page.content.decode() or "changed since" in (
        form_page.content.decode()
    )
    assert data["title"] == "Radwege"  # the form shows the pending change
    data["title"] = "Radwege und Fußwege"
    data["_submit_pending"] = "1"
    assert editor.post(change_url(team.measure), data).status_code == 302
    pending.refresh_from_db()
    assert (
        coordinator.post(_url("approve", pending), {"revision": pending.revision}).status_code
        == 302
    )
    team.measure.refresh_from_db()
    assert (team.measure.title, team.measure.description) == (
        "Radwege und Fußwege",
        "Fassung der Redaktion.",
    )


def test_rows_changed_and_deleted_in_the_form_are_applied_on_approval(team):
    editor = team.client("editor")
    first, second = team.measure.steps.order_by("position")
    line = team.measure.budget_lines.get()
    data, response = open_form(editor, team.measure)
    steps = inline_prefix(response, ap.Step)
    budget = inline_prefix(response, ap.BudgetLine)
    schedule = inline_prefix(response, ap.ScheduleEntry)
    index = {data[f"{steps}-{i}-id"]: i for i in range(int(data[f"{steps}-TOTAL_FORMS"]))}
    data[f"{steps}-{index[str(second.pk)]}-text"] = "Geänderter zweiter Schritt"
    data[f"{budget}-0-planned_amount"] = "2500"
    data[f"{schedule}-0-DELETE"] = "on"
    data["_submit_pending"] = "1"
    assert editor.post(change_url(team.measure), data).status_code == 302
    assert team.measure.schedule.exists()
    pending = PendingChange.objects.get(measure=team.measure)
    # the form shows the deletion still marked
    data, _response = open_form(editor, team.measure)
    assert data[f"{schedule}-0-DELETE"] == "on"

    compare = team.client("coordinator").get(_url("compare", pending))
    assert compare.status_code == 200
    text = compare.content.decode()
    assert "Geänderter zweiter Schritt" in text
    assert "2.500,00" in text

    response = team.client("coordinator").post(
        _url("approve", pending), {"revision": pending.revision}
    )
    assert response.status_code == 302
    assert list(team.measure.steps.order_by("position").values_list("pk", "text")) == [
        (first.pk, first.text),
        (second.pk, "Geänderter zweiter Schritt"),
    ]
    line.refresh_from_db()
    assert line.planned_amount == Decimal("2500")
    assert not team.measure.schedule.exists()


def test_swapped_rows_and_a_new_sub_step_are_applied_on_approval(team):
    """Positions that swap and a new sub-step under a new step (the importer parks rows)."""
    from reviews import services, state

    first, second = team.measure.steps.order_by("position")
    base = state.measure_state(team.measure)
    proposed = state.measure_state(team.measure)
    rows = proposed["rows"]["step"]
    rows[0]["position"], rows[1]["position"] = 2, 1
    rows.append({"ref": "n1", "pk": None, "parent": None, "position": 3, "text": "Neu"})
    rows.append({"ref": "n2", "pk": None, "parent": "n1", "position": 1, "text": "Neu.1"})
    pending = services.pending_change_save(
        measure=team.measure,
        acting_user=team.users["editor"],
        base=base,
        base_version=team.measure.version,
        proposed=proposed,
        submit=True,
    )

    services.pending_change_approve(pending=pending, acting_user=team.users["coordinator"])

    top = team.measure.steps.filter(parent=None).order_by("position")
    assert [(s.pk, s.position) for s in top[:2]] == [(second.pk, 1), (first.pk, 2)]
    new = team.measure.steps.get(text="Neu")
    assert new.position == 3
    assert list(new.substeps.values_list("text", "position")) == [("Neu.1", 1)]


def test_withdrawn_change_leaves_the_measure_and_frees_the_form(team):
    editor = team.client("editor")
    pending = _submitted(team)

    response = editor.post(_url("withdraw", pending))

    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.state == PendingChange.State.WITHDRAWN
    data, _response = open_form(editor, team.measure)
    assert data["description"] == "Alte Beschreibung der Radwege."
    team.measure.refresh_from_db()
    assert team.measure.description == "Alte Beschreibung der Radwege."


def test_review_off_editor_edit_is_published_directly(team):
    team.plan.review_changes = False
    team.plan.save()

    response = edit_measure(team.client("editor"), team.measure, description="Sofort.")

    assert response.status_code == 302
    team.measure.refresh_from_db()
    assert team.measure.description == "Sofort."
    assert not PendingChange.objects.exists()


def test_coordinator_edit_applies_directly(team):
    response = edit_measure(team.client("coordinator"), team.measure, description="Direkt.")

    assert response.status_code == 302
    team.measure.refresh_from_db()
    assert team.measure.description == "Direkt."
    assert not PendingChange.objects.exists()


def test_editor_edit_of_a_draft_applies_directly(team):
    ap.Measure.objects.filter(pk=team.measure.pk).update(state=ap.Measure.State.DRAFT)
    team.measure.refresh_from_db()

    edit_measure(team.client("editor"), team.measure, description="Entwurf geändert.")

    team.measure.refresh_from_db()
    assert team.measure.description == "Entwurf geändert."
    assert not PendingChange.objects.exists()


def test_workbook_import_applies_directly_while_a_change_waits(team):
    from imports import plan_workbook as wb
    from tests.imports.plan_support import column, find_row, open_xlsx, save_xlsx

    pending = _submitted(team)
    book = open_xlsx(wb.plan_workbook_xlsx(team.plan))
    measures = book["Maßnahmen"]
    row = find_row(measures, "Code", team.measure.code)
    measures.cell(row=row, column=column(measures, "Titel")).value = "Titel aus der Mappe"

    wb.plan_workbook_import(
        plan=team.plan,
        content=save_xlsx(book),
        file_name="mappe.xlsx",
        acting_user=team.users["coordinator"],
        dry_run=False,
    )

    team.measure.refresh_from_db()
    assert team.measure.title == "Titel aus der Mappe"
    pending.refresh_from_db()
    assert pending.state == PendingChange.State.SUBMITTED
    # the waiting change now conflicts with the imported state instead of overwriting it
    response = team.client("coordinator").post(
        _url("approve", pending), {"revision": pending.revision}
    )
    assert response.status_code == 409
    team.measure.refresh_from_db()
    assert team.measure.title == "Titel aus der Mappe"


def test_state_field_gives_way_to_the_review_box_for_editors(team):
    _data, response = open_form(team.client("editor"), team.measure)
    content = response.content.decode()

    assert 'name="state"' not in content
    assert 'name="_submit_pending"' in content
    # coordinators keep the full state list
    _data, response = open_form(team.client("coordinator"), team.measure)
    content = response.content.decode()
    assert 'name="state"' in content
    assert 'name="_submit_pending"' not in content


def test_workflow_signal_carries_the_pending_change(team, django_capture_on_commit_callbacks):
    from actionplan.services import measure_workflow_event

    seen = []

    def receiver(sender, kind, measure, actor, comment, pending, **kwargs):
        seen.append((kind, measure.pk, actor.username, comment, pending.pk if pending else None))

    measure_workflow_event.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            pending = _submitted(team)
        with django_capture_on_commit_callbacks(execute=True):
            team.client("coordinator").post(
                _url("send_back", pending), {"comment": "Bitte kürzen."}
            )
        with django_capture_on_commit_callbacks(execute=True):
            edit_measure(team.client("editor"), team.measure, description="Kurz.", submit=True)
        with django_capture_on_commit_callbacks(execute=True):
            pending.refresh_from_db()
            team.client("coordinator").post(_url("approve", pending))
    finally:
        measure_workflow_event.disconnect(receiver)

    m = team.measure.pk
    assert seen == [
        ("submitted", m, "editor", "", pending.pk),
        ("sent_back", m, "coordinator", "Bitte kürzen.", pending.pk),
        ("submitted", m, "editor", "", pending.pk),
        ("published", m, "coordinator", "", pending.pk),
    ]


def test_no_side_door_for_editors_rows_and_revert_of_a_published_measure(team):
    """A step's own page and the history revert would publish at once: refused for editors
    of a reviewed measure, still open to coordinators."""
    editor = team.client("editor")
    step = team.measure.steps.order_by("position").first()
    step_url = reverse("admin:actionplan_step_change", args=[step.pk])
    response = editor.get(step_url)
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert editor.post(step_url, {"text": "Durch die Seitentür"}).status_code == 403
    step.refresh_from_db()
    assert step.text != "Durch die Seitentür"

    old = team.measure.history.earliest()
    revert = reverse(
        "admin:actionplan_measure_history_revert", args=[team.measure.pk, old.history_id]
    )
    assert editor.post(revert, {"_version": team.measure.version}).status_code == 403

    coordinator = team.client("coordinator")
    assert coordinator.get(step_url).context["has_change_permission"] is True


def test_a_schedule_label_changed_in_a_pending_change_is_dated_from_the_label(team):
    editor = team.client("editor")
    entry = team.measure.schedule.get()
    data, response = open_form(editor, team.measure)
    schedule = inline_prefix(response, ap.ScheduleEntry)
    data[f"{schedule}-0-label"] = "III. Quartal 2027"
    for name in ("start_date", "end_date", "start_precision", "end_precision"):
        data.pop(f"{schedule}-0-{name}", None)
    assert editor.post(change_url(team.measure), data).status_code == 302
    # saved once more from the form that shows the pending change: still dated by its label
    data, _response = open_form(editor, team.measure)
    data["_submit_pending"] = "1"
    assert editor.post(change_url(team.measure), data).status_code == 302
    pending = PendingChange.objects.get(measure=team.measure)
    row = pending.proposed["rows"]["schedule"][0]
    assert (row["label"], row["dating"]) == ("III. Quartal 2027", "parsed")

    services_approve = team.client("coordinator").post(
        reverse("reviews:approve", args=[pending.pk]), {"revision": pending.revision}
    )

    assert services_approve.status_code == 302
    entry.refresh_from_db()
    assert (entry.label, entry.dating) == ("III. Quartal 2027", "parsed")
    assert (entry.start_date.isoformat(), entry.end_date.isoformat()) == (
        "2027-07-01",
        "2027-09-30",
    )


def test_target_groups_and_related_measures_wait_and_are_compared(team):
    editor = team.client("editor")
    group = ap.TargetGroup.objects.create(name="Radfahrende")
    data, _response = open_form(editor, team.measure)
    data["target_groups"] = [str(group.pk)]
    data["related_measures"] = [str(team.other_measure.pk)]
    data["_submit_pending"] = "1"
    assert editor.post(change_url(team.measure), data).status_code == 302
    assert list(team.measure.target_groups.all()) != [group]
    assert not team.measure.related_measures.exists()
    pending = PendingChange.objects.get(measure=team.measure)

    page = team.client("coordinator").get(_url("compare", pending)).content.decode()
    assert "Radfahrende" in page
    assert team.other_measure.title in page

    team.client("coordinator").post(_url("approve", pending), {"revision": pending.revision})

    assert list(team.measure.target_groups.all()) == [group]
    assert list(team.measure.related_measures.all()) == [team.other_measure]
