"""History, comparison, revert, pending changes and optimistic locking cover English: an
English-only edit is a change of its own, compared, reverted, reviewed and locked like any
other; the bookkeeping beside the English texts (``translation_state``) is never shown."""

import pytest
from django.urls import reverse
from django.utils import translation

from reviews.models import PendingChange
from tests.reviews.conftest import change_url, edit_measure, open_form, team  # noqa: F401
from translations import selectors

pytestmark = pytest.mark.django_db


def _compare(client, measure, old, new):
    url = change_url(measure).removesuffix("change/") + "history/compare/"
    return client.get(f"{url}?old={old.history_id}&new={new.history_id}")


def _first_step(measure):
    return measure.steps.order_by("position").first()


def test_english_only_edit_is_a_version_compared_and_reverted(team):  # noqa: F811
    coordinator = team.client("coordinator")
    measure = team.measure
    for row in measure.steps.all():
        row.save()  # the demo rows were bulk-created: give them a history to revert to
    versions = measure.history.count()
    step = _first_step(measure)
    data, response = open_form(coordinator, measure)
    data["title_en"] = "Cycle paths"
    step_key = next(k for k, v in data.items() if k.endswith("-id") and v == str(step.pk))
    data[step_key.removesuffix("-id") + "-text_en"] = "First step"
    assert coordinator.post(change_url(measure), data).status_code == 302

    measure.refresh_from_db()
    assert (measure.title, measure.title_en) == ("Radwege", "Cycle paths")
    assert measure.history.count() == versions + 1
    new, old = measure.history.all()[:2]
    assert (old.title_en, new.title_en) == ("", "Cycle paths")

    with translation.override("de"):
        response = _compare(coordinator, measure, old, new)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Titel (englisch)" in page and "Cycle paths" in page
    assert "First step" in page  # the step's English text, a row of the measure
    assert "Übersetzungsstand" not in page and "translation_state" not in page
    # the history list names the English field as the change, never the bookkeeping
    with translation.override("de"):
        history = coordinator.get(change_url(measure).removesuffix("change/") + "history/")
    listed = history.content.decode()
    assert "Titel (englisch)" in listed and "Übersetzungsstand" not in listed

    url = change_url(measure).removesuffix("change/") + f"history/{old.history_id}/revert/"
    response = coordinator.post(url, {"_version": measure.version})
    assert response.status_code == 302
    measure.refresh_from_db()
    assert (measure.title, measure.title_en) == ("Radwege", "")
    assert measure.translation_state == old.translation_state
    assert _first_step(measure).text_en == ""
    assert measure.history.count() == versions + 2


def test_revert_restores_an_english_text_and_its_state(team):  # noqa: F811
    measure = team.measure
    measure.title_en = "Cycle paths"
    measure.save()
    written = measure.history.latest()
    measure.title = "Radwege und Fußwege"
    measure.title_en = "Cycle and foot paths"
    measure.save()
    coordinator = team.client("coordinator")
    url = change_url(measure).removesuffix("change/") + f"history/{written.history_id}/revert/"
    assert coordinator.post(url, {"_version": measure.version}).status_code == 302
    measure.refresh_from_db()
    assert (measure.title, measure.title_en) == ("Radwege", "Cycle paths")
    assert selectors.field_status(measure, "title") == "current"


def test_editor_english_only_edit_of_a_published_measure_waits_for_review(team):  # noqa: F811
    editor, coordinator = team.client("editor"), team.client("coordinator")
    measure = team.measure
    step = _first_step(measure)
    version = measure.version
    data, _response = open_form(editor, measure)
    data["description_en"] = "New cycle paths."
    step_key = next(k for k, v in data.items() if k.endswith("-id") and v == str(step.pk))
    data[step_key.removesuffix("-id") + "-text_en"] = "First step"
    data["_submit_pending"] = "1"
    assert editor.post(change_url(measure), data).status_code == 302

    measure.refresh_from_db()
    assert measure.description_en == "" and measure.version == version
    assert _first_step(measure).text_en == ""
    pending = PendingChange.objects.get(measure=measure)
    assert pending.state == PendingChange.State.SUBMITTED
    assert pending.proposed["measure"]["description_en"] == "New cycle paths."
    assert "First step" in [row["text_en"] for row in pending.proposed["rows"]["step"]]

    # the editor's form shows the waiting English text
    data, _response = open_form(editor, measure)
    assert data["description_en"] == "New cycle paths."

    with translation.override("de"):
        compare = coordinator.get(reverse("reviews:compare", args=[pending.pk]))
    assert compare.status_code == 200
    page = compare.content.decode()
    assert "Beschreibung (englisch)" in page and "New cycle paths." in page
    response = coordinator.post(
        reverse("reviews:approve", args=[pending.pk]), {"revision": pending.revision}
    )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.description_en == "New cycle paths."
    assert _first_step(measure).text_en == "First step"
    assert measure.history.latest().description_en == "New cycle paths."
    assert selectors.field_status(measure, "description") == "current"


def test_an_editor_gets_no_confirm_button_on_a_reviewed_measure(team):  # noqa: F811
    measure = team.measure
    measure.title_en = "Cycle paths"
    measure.save()
    measure.title = "Radwege neu"
    measure.save()
    with translation.override("de"):
        page = team.client("editor").get(change_url(measure)).content.decode()
    assert "englische Fassung möglicherweise veraltet" in page
    assert "Übersetzung geprüft" not in page
    confirm = change_url(measure).removesuffix("change/") + "translation/confirm/"
    assert team.client("editor").post(confirm).status_code == 403


def test_stale_english_edit_is_a_lock_conflict(team):  # noqa: F811
    anna, ben = team.client("coordinator"), team.client("superuser")
    measure = team.measure
    data_a, _ = open_form(anna, measure)
    data_b, _ = open_form(ben, measure)
    data_a["title_en"] = "Cycle paths"
    assert anna.post(change_url(measure), data_a).status_code == 302
    data_b["title_en"] = "Bike lanes"

    with translation.override("de"):
        response = ben.post(change_url(measure), data_b, HTTP_ACCEPT_LANGUAGE="de")

    assert response.status_code == 409
    measure.refresh_from_db()
    assert measure.title_en == "Cycle paths"
    conflict = response.context["lock_conflict"]
    assert [(label, new) for label, _old, new in conflict.changes] == [
        ("Titel (englisch)", "Cycle paths")
    ]


def test_a_pending_change_saved_before_english_keeps_the_english_texts(team):  # noqa: F811
    """A change proposed without English keys (saved before this release) leaves the stored
    English texts of the measure and its rows as they are when approved."""
    from reviews import services, state

    measure = team.measure
    step = _first_step(measure)
    measure.title_en = "Cycle paths"
    measure.save()
    step.text_en = "First step"
    step.save()
    measure.refresh_from_db()
    base = state.measure_state(measure)
    proposed = state.measure_state(measure)
    proposed["measure"] = {k: v for k, v in proposed["measure"].items() if not k.endswith("_en")}
    for rows in proposed["rows"].values():
        for row in rows:
            for key in [k for k in row if k.endswith("_en")]:
                del row[key]
    proposed["measure"]["description"] = "Neue Beschreibung."
    pending = services.pending_change_save(
        measure=measure,
        acting_user=team.users["editor"],
        base=base,
        base_version=measure.version,
        proposed=proposed,
        submit=True,
    )
    # the editor's form shows the stored English texts
    data, _response = open_form(team.client("editor"), measure)
    assert data["title_en"] == "Cycle paths" and "First step" in data.values()

    services.pending_change_approve(pending=pending, acting_user=team.users["coordinator"])

    measure.refresh_from_db()
    assert measure.description == "Neue Beschreibung."
    assert measure.title_en == "Cycle paths"
    assert _first_step(measure).text_en == "First step"
