"""Optimistic locking in the admin: a stale change form is refused, nothing of it is written."""

import pytest
from django.test import Client
from django.urls import reverse

from actionplan import models as ap
from actionplan.locking import VersionConflict, save_if_current, version_claim
from tests.actionplan.admin_support import change_form_data, inline_prefix
from tests.factories import (
    FieldOfActionFactory,
    MeasureFactory,
    PlanFactory,
    StaffUserFactory,
    StepFactory,
)

pytestmark = pytest.mark.django_db


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def login(name):
    client = Client()
    client.force_login(StaffUserFactory(username=name, first_name=name.capitalize()))
    return client


@pytest.fixture
def anna():
    return login("anna")


@pytest.fixture
def ben():
    return login("ben")


@pytest.fixture
def measure():
    measure = MeasureFactory(title="Stadtmarketing", description="Alte Beschreibung")
    StepFactory(measure=measure, position=1, text="Erster Schritt")
    StepFactory(measure=measure, position=2, text="Zweiter Schritt")
    return measure


def open_form(client, obj) -> tuple[dict, object]:
    response = client.get(change_url(obj))
    assert response.status_code == 200
    assert f'name="_version" value="{obj.version}"' in response.content.decode()
    return change_form_data(response), response


def step_key(response, data, step, name):
    prefix = inline_prefix(response, ap.Step)
    index = next(
        i
        for i in range(int(data[f"{prefix}-TOTAL_FORMS"]))
        if data[f"{prefix}-{i}-id"] == str(step.pk)
    )
    return f"{prefix}-{index}-{name}"


def test_locking_stale_measure_save_is_refused_and_reapplied(anna, ben, measure):
    data_a, _ = open_form(anna, measure)
    data_b, _ = open_form(ben, measure)
    history_before = measure.history.count()
    version_before = measure.version

    data_a["description"] = "Beschreibung von Anna"
    assert anna.post(change_url(measure), data_a).status_code == 302
    data_b["description"] = "Beschreibung von Ben"
    data_b["title"] = "Titel von Ben"

    response = ben.post(change_url(measure), data_b)

    assert response.status_code == 409
    measure.refresh_from_db()
    assert measure.description == "Beschreibung von Anna"
    assert measure.title == "Stadtmarketing"
    assert measure.version == version_before + 1
    assert measure.history.count() == history_before + 1
    assert measure.history.latest().history_user.username == "anna"
    page = response.content.decode()
    assert "Diese Maßnahme wurde inzwischen von Anna geändert" in page
    assert "Ihre Änderungen wurden nicht gespeichert." in page
    conflict = response.context["lock_conflict"]
    assert conflict.changes == [("Beschreibung", "Alte Beschreibung", "Beschreibung von Anna")]
    # Ben's input stays in the form, still bound to the version he loaded.
    assert "Titel von Ben" in page
    assert f'name="_version" value="{version_before}"' in page
    assert 'name="_lock_reapply"' in page

    # Saving the stale form again is refused again.
    assert ben.post(change_url(measure), data_b).status_code == 409

    reapplied = ben.post(change_url(measure), {**data_b, "_lock_reapply": "1"})

    assert reapplied.status_code == 200
    form = reapplied.context["adminform"].form
    assert form["title"].value() == "Titel von Ben"
    assert form["description"].value() == "Beschreibung von Ben"
    assert reapplied.context["lock_version"] == measure.version
    measure.refresh_from_db()
    assert measure.title == "Stadtmarketing"  # reapplying only loads the form

    data_again = change_form_data(reapplied)
    assert ben.post(change_url(measure), data_again).status_code == 302
    measure.refresh_from_db()
    assert measure.title == "Titel von Ben"
    assert measure.description == "Beschreibung von Ben"


def test_locking_reapply_keeps_what_the_other_person_changed(anna, ben, measure):
    data_a, _ = open_form(anna, measure)
    data_b, _ = open_form(ben, measure)
    data_a["description"] = "Beschreibung von Anna"
    assert anna.post(change_url(measure), data_a).status_code == 302
    data_b["title"] = "Titel von Ben"  # Ben left the description alone

    reapplied = ben.post(change_url(measure), {**data_b, "_lock_reapply": "1"})

    form = reapplied.context["adminform"].form
    assert form["title"].value() == "Titel von Ben"
    assert form["description"].value() == "Beschreibung von Anna"


def test_locking_stale_inline_only_change_is_refused(anna, ben, measure):
    first, second = measure.steps.order_by("position")
    data_a, response_a = open_form(anna, measure)
    data_b, response_b = open_form(ben, measure)
    data_a[step_key(response_a, data_a, first, "text")] = "Anna ändert Schritt 1"
    assert anna.post(change_url(measure), data_a).status_code == 302
    data_b[step_key(response_b, data_b, second, "text")] = "Ben ändert Schritt 2"
    step_history = ap.Step.history.count()

    response = ben.post(change_url(measure), data_b)

    assert response.status_code == 409
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.text == "Anna ändert Schritt 1"
    assert second.text == "Zweiter Schritt"
    assert ap.Step.history.count() == step_history
    assert response.context["lock_conflict"].inline_changes == ["Einzelschritte: 1 geändert"]
    assert "Einzelschritte: 1 geändert" in response.content.decode()

    # Reapplied, Ben's step edit goes on top of Anna's.
    reapplied = ben.post(change_url(measure), {**data_b, "_lock_reapply": "1"})
    data = change_form_data(reapplied)
    assert data[step_key(reapplied, data, first, "text")] == "Anna ändert Schritt 1"
    assert data[step_key(reapplied, data, second, "text")] == "Ben ändert Schritt 2"
    assert ben.post(change_url(measure), data).status_code == 302
    assert list(measure.steps.order_by("position").values_list("text", flat=True)) == [
        "Anna ändert Schritt 1",
        "Ben ändert Schritt 2",
    ]


def test_locking_inline_only_change_moves_the_version(anna, measure):
    data, response = open_form(anna, measure)
    first = measure.steps.order_by("position").first()
    data[step_key(response, data, first, "text")] = "Nur der Schritt"
    version = measure.version
    assert anna.post(change_url(measure), data).status_code == 302
    measure.refresh_from_db()
    assert measure.version == version + 1


def test_locking_invalid_form_keeps_loaded_version(anna, measure):
    data, _ = open_form(anna, measure)
    version = measure.version
    data["title"] = ""

    response = anna.post(change_url(measure), data)

    assert response.status_code == 200
    assert response.context["errors"]
    measure.refresh_from_db()
    assert measure.version == version  # the claim was given back
    assert f'name="_version" value="{version}"' in response.content.decode()
    data["title"] = "Korrigiert"
    assert anna.post(change_url(measure), data).status_code == 302


def test_locking_form_without_version_is_refused(anna, measure):
    data, _ = open_form(anna, measure)
    del data["_version"]
    data["title"] = "Ohne Version"
    assert anna.post(change_url(measure), data).status_code == 409
    measure.refresh_from_db()
    assert measure.title != "Ohne Version"


def test_locking_save_as_new_is_not_checked(anna, measure):
    data, _ = open_form(anna, measure)
    measure.description = "Inzwischen geändert"
    measure.save()
    # a copy is a new measure and starts as a draft
    data.update(_saveasnew="1", position="99", slug="kopie", title="Kopie", state="draft")
    response = anna.post(change_url(measure), data)
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.description == "Inzwischen geändert"
    assert ap.Measure.objects.get(slug="kopie").version == 0


@pytest.mark.parametrize(
    ("factory", "anna_field", "ben_field", "message"),
    [
        (PlanFactory, "introduction", "funding_note", "Dieser Maßnahmenplan wurde inzwischen"),
        (
            FieldOfActionFactory,
            "target_state",
            "lead_note",
            "Dieses Handlungsfeld wurde inzwischen",
        ),
    ],
)
def test_locking_stale_plan_and_field_saves_are_refused(
    anna, ben, factory, anna_field, ben_field, message
):
    obj = factory(**{anna_field: "Alt", ben_field: ""})
    data_a, _ = open_form(anna, obj)
    data_b, _ = open_form(ben, obj)
    data_a[anna_field] = "Von Anna"
    assert anna.post(change_url(obj), data_a).status_code == 302
    data_b[ben_field] = "Von Ben"

    response = ben.post(change_url(obj), data_b)

    assert response.status_code == 409
    assert f"{message} von Anna geändert" in response.content.decode()
    obj.refresh_from_db()
    assert (getattr(obj, anna_field), getattr(obj, ben_field)) == ("Von Anna", "")


def test_locking_stale_history_revert_is_refused(anna, ben, measure):
    old = measure.history.earliest()
    url = reverse("admin:actionplan_measure_simple_history", args=[measure.pk, old.history_id])
    response = ben.get(url)
    data = change_form_data(response)
    assert data["_version"] == str(measure.version)
    data_a, _ = open_form(anna, measure)
    data_a["description"] = "Beschreibung von Anna"
    assert anna.post(change_url(measure), data_a).status_code == 302

    response = ben.post(url, data)

    assert response.status_code == 409
    measure.refresh_from_db()
    assert measure.description == "Beschreibung von Anna"
    # The re-rendered revert page carries the current version: reverting now is deliberate.
    assert ben.post(url, change_form_data(response)).status_code == 302
    measure.refresh_from_db()
    assert measure.description == "Alte Beschreibung"


def test_locking_service_saves_move_the_version(measure):
    version = measure.version
    measure.title = "Anders"
    measure.save()
    assert measure.version == version + 1
    measure.refresh_from_db()
    assert measure.version == version + 1


def test_locking_version_claim_is_conditional(measure):
    assert version_claim(ap.Measure, measure.pk, expected=measure.version) == measure.version + 1
    with pytest.raises(VersionConflict):
        version_claim(ap.Measure, measure.pk, expected=measure.version)


def test_locking_save_if_current_refuses_stale_instance(measure):
    stale = ap.Measure.objects.get(pk=measure.pk)
    measure.title = "Erste"
    save_if_current(measure, expected_version=measure.version)
    stale.title = "Zweite"
    with pytest.raises(VersionConflict):
        save_if_current(stale, expected_version=stale.version)
    measure.refresh_from_db()
    assert measure.title == "Erste"
    assert measure.history.count() == 2


def test_locking_save_in_related_popup_is_kept(anna, measure):
    # A popup save answers 200 (popup_response), not a redirect; the claim must stay.
    data, _ = open_form(anna, measure)
    data.update(title="Aus dem Popup", _popup="1")
    response = anna.post(change_url(measure) + "?_popup=1", data)
    assert response.status_code == 200
    measure.refresh_from_db()
    assert measure.title == "Aus dem Popup"


def test_locking_step_edited_on_its_own_page_makes_an_open_measure_form_stale(anna, ben, measure):
    """Ben opened the measure (its steps inline); Anna edits a step on the step's own admin
    page. Ben's save would write the old step text back: it is refused instead."""
    first = measure.steps.order_by("position").first()
    data_b, _ = open_form(ben, measure)
    step_form = change_form_data(anna.get(change_url(first)))
    step_form["text"] = "Anna ändert den Schritt einzeln"
    assert anna.post(change_url(first), step_form).status_code == 302

    data_b["description"] = "Ben ändert die Beschreibung"
    assert ben.post(change_url(measure), data_b).status_code == 409
    first.refresh_from_db()
    assert first.text == "Anna ändert den Schritt einzeln"


def test_locking_moving_or_deleting_a_row_moves_both_measures_on(anna, measure):
    other = MeasureFactory(field=measure.field)
    step = measure.steps.order_by("position").first()
    before, other_before = measure.version, other.version
    step_form = change_form_data(anna.get(change_url(step)))
    step_form["measure"] = str(other.pk)
    step_form["parent"] = ""
    assert anna.post(change_url(step), step_form).status_code == 302
    measure.refresh_from_db()
    other.refresh_from_db()
    assert (measure.version, other.version) == (before + 1, other_before + 1)

    delete_url = reverse("admin:actionplan_step_delete", args=[step.pk])
    assert anna.post(delete_url, {"post": "yes"}).status_code == 302
    other.refresh_from_db()
    assert other.version == other_before + 2
