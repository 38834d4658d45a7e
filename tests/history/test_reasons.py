"""Every change carries who, when and why: the admin's reason field, the workflow, imports."""

import pytest

from actionplan import models as ap
from actionplan.services import measure_set_state, plan_set_status
from contacts.models import Organisation, Person
from history.services import change_reason
from tests.actionplan.admin_support import change_form_data, inline_prefix
from tests.factories import OrganisationFactory, PersonFactory, build_plan
from tests.history.conftest import admin_url, client_for
from tests.imports.support import confirm, coordinator_of, upload

pytestmark = pytest.mark.django_db


def test_admin_save_records_reason_for_measure_and_inline_rows(users, measure):
    client = client_for(users["coordinator"])
    response = client.get(admin_url(measure, "change", measure.pk))
    assert "Änderungsgrund" in response.content.decode()
    data = change_form_data(response)
    data["title"] = "Neuer Titel"
    prefix = inline_prefix(response, ap.Step)
    index = next(i for i in range(20) if data.get(f"{prefix}-{i}-text") == "Zweiter Schritt")
    data[f"{prefix}-{index}-text"] = "Zweiter Schritt, korrigiert"
    data["history_change_reason"] = "Tippfehler laut Protokoll vom 3. Mai"

    response = client.post(admin_url(measure, "change", measure.pk), data)

    assert response.status_code == 302
    record = measure.history.latest()
    assert record.title == "Neuer Titel"
    assert record.history_change_reason == "Tippfehler laut Protokoll vom 3. Mai"
    assert record.history_user == users["coordinator"]
    step = ap.Step.history.filter(text="Zweiter Schritt, korrigiert").get()
    assert step.history_change_reason == "Tippfehler laut Protokoll vom 3. Mai"
    assert step.history_user == users["coordinator"]


def test_admin_save_without_reason_leaves_it_empty_and_next_save_does_not_inherit(users, measure):
    client = client_for(users["coordinator"])
    response = client.get(admin_url(measure, "change", measure.pk))
    data = change_form_data(response)
    data["history_change_reason"] = "Erster Grund"
    client.post(admin_url(measure, "change", measure.pk), data)
    response = client.get(admin_url(measure, "change", measure.pk))
    data = change_form_data(response)
    data["title"] = "Ohne Grund geändert"

    assert client.post(admin_url(measure, "change", measure.pk), data).status_code == 302

    assert measure.history.latest().history_change_reason is None


def test_admin_reason_too_long_is_refused_and_nothing_saved(users, measure):
    client = client_for(users["coordinator"])
    response = client.get(admin_url(measure, "change", measure.pk))
    data = change_form_data(response)
    data["title"] = "Darf nicht gespeichert werden"
    data["history_change_reason"] = "x" * 501
    before = measure.history.count()

    response = client.post(admin_url(measure, "change", measure.pk), data)

    assert response.status_code == 200
    assert "höchstens 500 Zeichen" in response.content.decode()
    assert ap.Measure.objects.get(pk=measure.pk).title == "Stadtmarketing stärken"
    assert measure.history.count() == before


def test_admin_reason_on_contacts_and_adding(users):
    client = client_for(users["superuser"])
    org = OrganisationFactory(name="Stadtverwaltung")
    response = client.get(admin_url(org, "change", org.pk))
    data = change_form_data(response)
    data["short_name"] = "SV"
    data["history_change_reason"] = "Kurzname ergänzt"
    assert client.post(admin_url(org, "change", org.pk), data).status_code == 302
    assert org.history.latest().history_change_reason == "Kurzname ergänzt"

    response = client.post(
        admin_url(Organisation, "add"),
        {"name": "Neues Amt", "kind": "department", "history_change_reason": "Neu laut Beschluss"},
    )
    assert response.status_code == 302
    created = Organisation.objects.get(name="Neues Amt")
    assert created.history.get().history_change_reason == "Neu laut Beschluss"


def test_admin_delete_records_a_reason_for_the_measure_and_its_rows(users, measure):
    client = client_for(users["coordinator"])
    response = client.post(admin_url(measure, "delete", measure.pk), {"post": "yes"})
    assert response.status_code == 302
    deleted = ap.Measure.history.filter(id=measure.pk, history_type="-").get()
    assert deleted.history_change_reason == "In der Verwaltung gelöscht"
    assert deleted.history_user == users["coordinator"]
    steps = ap.Step.history.filter(measure_id=measure.pk, history_type="-")
    assert steps.count() == 3
    assert set(steps.values_list("history_change_reason", flat=True)) == {
        "In der Verwaltung gelöscht"
    }


def test_workflow_transitions_write_their_reason(users, measure):
    measure_set_state(
        measure=measure, state=ap.Measure.State.DRAFT, acting_user=users["coordinator"]
    )
    record = measure.history.latest()
    assert record.history_change_reason == "Veröffentlichungsstatus: veröffentlicht → Entwurf"
    assert record.history_user == users["coordinator"]

    plan = measure.field.plan
    plan_set_status(plan=plan, status=ap.Plan.Status.DRAFT, acting_user=users["coordinator"])
    assert plan.history.latest().history_change_reason == "Status: veröffentlicht → Entwurf"


def test_change_reason_block_names_every_row_but_keeps_an_objects_own_reason(measure, users):
    with change_reason("Bereinigung", acting_user=users["coordinator"]):
        measure.title = "Bereinigt"
        measure.save()
        step = measure.steps.first()
        step._change_reason = "eigener Grund"
        step.save()
    assert measure.history.latest().history_change_reason == "Bereinigung"
    assert measure.history.latest().history_user == users["coordinator"]
    assert step.history.latest().history_change_reason == "eigener Grund"
    measure.title = "Danach"
    measure.save()
    assert measure.history.latest().history_change_reason is None


def test_import_writes_a_reason_with_the_file_name(client):
    plan = build_plan(fields=1, measures_per_field=1, steps_per_measure=1)
    client.force_login(coordinator_of(plan))
    person = PersonFactory(last_name="Alt", first_name="Ines")
    content = f"ID,Nachname,Vorname,Organisation (ID),Funktion\n{person.pk},Neu,Ines,,\n"
    preview = upload(client, Person, content, name="personen.csv")
    confirm(client, Person, preview)

    record = person.history.latest()
    assert record.last_name == "Neu"
    assert record.history_change_reason == "Import aus „personen.csv“"


def test_bulk_delete_from_the_list_records_the_reason(users, measure):
    client = client_for(users["coordinator"])
    response = client.post(
        admin_url(ap.Measure, "changelist"),
        {"action": "delete_selected", "_selected_action": [measure.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not ap.Measure.objects.filter(pk=measure.pk).exists()
    deleted = ap.Measure.history.filter(id=measure.pk, history_type="-").get()
    assert deleted.history_change_reason == "In der Verwaltung gelöscht"
