"""Recovering a deleted measure with its rows from the admin's list of deleted entries."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from actionplan import models as ap
from tests.factories import MeasureFactory
from tests.history.conftest import admin_url, client_for, snapshot

pytestmark = pytest.mark.django_db


def delete_in_admin(client, measure):
    response = client.post(admin_url(measure, "delete", measure.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not ap.Measure.objects.filter(pk=measure.pk).exists()
    return ap.Measure.history.filter(id=measure.pk, history_type="-").get()


def test_recover_restores_a_deleted_measure_with_its_rows(users, measure):
    before = snapshot(measure)
    client = client_for(users["coordinator"])
    deleted = delete_in_admin(client, measure)

    changelist = client.get(admin_url(ap.Measure, "changelist"))
    assert admin_url(ap.Measure, "recoverlist") in changelist.content.decode()
    listing = client.get(admin_url(ap.Measure, "recoverlist"))
    assert listing.status_code == 200
    recover_url = admin_url(ap.Measure, "recover", deleted.history_id)
    assert recover_url in listing.content.decode()
    page = client.get(recover_url)
    assert page.status_code == 200
    assert "Unterschritt" in page.content.decode()
    response = client.post(recover_url)

    assert response.status_code == 302
    assert response.url == admin_url(measure, "change", measure.pk)
    assert snapshot(measure) == before
    record = measure.history.filter(history_type="+").latest()
    assert measure.history.latest().history_change_reason == record.history_change_reason
    assert record.history_change_reason.startswith("Wiederhergestellt (gelöscht am ")
    assert record.history_user == users["coordinator"]
    step_reasons = set(
        ap.Step.history.filter(measure_id=measure.pk, history_type="+")
        .exclude(history_change_reason=None)
        .values_list("history_change_reason", flat=True)
    )
    assert step_reasons == {record.history_change_reason}
    # recovered: no longer in the list, and a second recovery only points to it
    assert recover_url not in client.get(admin_url(ap.Measure, "recoverlist")).content.decode()
    assert client.post(recover_url).status_code == 302
    assert ap.Measure.objects.filter(pk=measure.pk).count() == 1


def test_recover_leaves_out_rows_deleted_before_the_measure(users, measure):
    client = client_for(users["coordinator"])
    measure.steps.get(text="Zweiter Schritt").delete()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=5)):
        deleted = delete_in_admin(client, measure)

    client.post(admin_url(ap.Measure, "recover", deleted.history_id))

    texts = set(ap.Step.objects.filter(measure_id=measure.pk).values_list("text", flat=True))
    assert texts == {"Erster Schritt", "Unterschritt"}


def test_recover_into_a_taken_position_is_refused_and_nothing_changes(users, measure):
    client = client_for(users["coordinator"])
    deleted = delete_in_admin(client, measure)
    MeasureFactory(field=measure.field, position=measure.position, title="Nachfolger")
    rows = ap.Step.history.count()

    response = client.post(admin_url(ap.Measure, "recover", deleted.history_id))

    assert response.status_code == 400
    assert "Es wurde nichts geändert." in response.content.decode()
    assert not ap.Measure.objects.filter(pk=measure.pk).exists()
    assert ap.Step.history.count() == rows


def test_recover_needs_the_right_to_add_measures_to_the_plan(users, measure):
    deleted = delete_in_admin(client_for(users["coordinator"]), measure)
    url = admin_url(ap.Measure, "recover", deleted.history_id)
    listing = admin_url(ap.Measure, "recoverlist")
    for role in ("editor", "other_editor", "reader"):
        client = client_for(users[role])
        assert client.get(listing).status_code == 403, role
        assert client.post(url).status_code == 403, role
    outsider = client_for(users["outsider"])
    assert url not in outsider.get(listing).content.decode()
    assert outsider.post(url).status_code == 404
    anonymous = client_for(None)
    assert anonymous.post(url).status_code == 302
    assert not ap.Measure.objects.filter(pk=measure.pk).exists()


def test_recover_unknown_or_not_deleted_version_is_404(users, measure):
    client = client_for(users["coordinator"])
    assert client.get(admin_url(ap.Measure, "recover", 999999)).status_code == 404
    alive = measure.history.latest()
    assert client.get(admin_url(ap.Measure, "recover", alive.history_id)).status_code == 404


def test_recover_list_queries_do_not_grow_with_deleted_measures(
    users, measure, django_assert_max_num_queries
):
    for i in range(20):
        MeasureFactory(
            field=measure.field, position=measure.position + 1 + i, title=f"Weg {i}"
        ).delete()
    client = client_for(users["coordinator"])
    url = admin_url(ap.Measure, "recoverlist")
    client.get(url)
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert response.content.decode().count("Wiederherstellen …") == 20
