"""Reverting a measure with all its rows to an earlier version, in one transaction."""

import pytest

from actionplan import models as ap
from tests.factories import MeasureFactory
from tests.history.conftest import admin_url, change_measure, client_for, revert_url, snapshot

pytestmark = pytest.mark.django_db


def post_revert(client, measure, record, **extra):
    version = ap.Measure.objects.get(pk=measure.pk).version
    return client.post(revert_url(measure, record), {"_version": version, **extra})


def test_revert_restores_exactly_the_earlier_state_with_rows(users, measure):
    before = snapshot(measure)
    target = measure.history.latest()
    change_measure(measure)
    assert snapshot(measure) != before
    version = ap.Measure.objects.get(pk=measure.pk).version
    client = client_for(users["coordinator"])

    page = client.get(revert_url(measure, target))
    assert page.status_code == 200
    steps = page.context["diff"].children[0]  # now → the version reverted to
    assert [r.label for r in steps.added] == ["Zweiter Schritt"]
    assert [r.label for r in steps.removed] == ["Neuer dritter Schritt"]
    response = post_revert(client, measure, target)

    assert response.status_code == 302
    assert response.url == admin_url(measure, "history", measure.pk)
    assert snapshot(measure) == before
    assert ap.Measure.objects.get(pk=measure.pk).version > version
    record = measure.history.latest()
    assert record.history_change_reason.startswith("Zurückgesetzt auf Version vom ")
    assert record.history_user == users["coordinator"]
    restored = ap.Step.history.filter(measure_id=measure.pk, text="Zweiter Schritt").latest()
    assert restored.history_type == "+"
    assert restored.history_change_reason == record.history_change_reason
    removed = ap.Step.history.filter(text="Neuer dritter Schritt").latest()
    assert removed.history_type == "-" and removed.history_user == users["coordinator"]


def test_revert_is_itself_a_version_that_can_be_compared_and_undone(users, measure):
    target = measure.history.latest()
    change_measure(measure)
    changed = snapshot(measure)
    changed_version = measure.history.latest()
    client = client_for(users["coordinator"])
    post_revert(client, measure, target)

    assert post_revert(client, measure, changed_version).status_code == 302

    assert snapshot(measure) == changed


def test_revert_keeps_the_publication_state(users, measure):
    target = measure.history.latest()
    measure.state = ap.Measure.State.ARCHIVED
    measure.title = "Archiviert"
    measure.save()
    client = client_for(users["coordinator"])

    post_revert(client, measure, target)

    measure.refresh_from_db()
    assert measure.title == "Stadtmarketing stärken"
    assert measure.state == ap.Measure.State.ARCHIVED


def test_revert_with_stale_version_is_refused_and_nothing_changes(users, measure):
    target = measure.history.latest()
    change_measure(measure)
    after = snapshot(measure)
    stale = ap.Measure.objects.get(pk=measure.pk).version - 1
    client = client_for(users["coordinator"])

    response = client.post(revert_url(measure, target), {"_version": stale})

    assert response.status_code == 409
    assert "inzwischen geändert" in response.content.decode()
    assert "Es wurde nichts geändert." in response.content.decode()
    assert snapshot(measure) == after


def test_revert_conflicting_with_current_data_is_refused_and_nothing_changes(users, measure):
    target = measure.history.latest()
    measure.position = 50
    measure.save()
    change_measure(measure)
    # another measure now holds the old position
    MeasureFactory(field=measure.field, position=target.position, title="Besetzt")
    after = snapshot(measure)
    history_rows = ap.Step.history.count()
    client = client_for(users["coordinator"])

    response = post_revert(client, measure, target)

    assert response.status_code == 400
    assert "Es wurde nichts geändert." in response.content.decode()
    assert snapshot(measure) == after
    assert ap.Step.history.count() == history_rows


def test_editor_revert_leaves_responsibilities_and_moves_alone(users, measure):
    # an editor reverts directly only where the plan does not review changes (tests/reviews)
    ap.Plan.objects.filter(pk=measure.field.plan_id).update(review_changes=False)
    before = snapshot(measure)
    target = measure.history.latest()
    change_measure(measure)
    responsibilities_now = snapshot(measure)["responsibilities"]
    client = client_for(users["editor"])

    response = post_revert(client, measure, target)

    assert response.status_code == 302
    after = snapshot(measure)
    assert after["steps"] == before["steps"]
    assert after["budget"] == before["budget"]
    assert after["measure"] == before["measure"]
    assert after["responsibilities"] == responsibilities_now


def test_revert_of_a_deleted_version_or_unknown_version_is_404(users, measure):
    client = client_for(users["coordinator"])
    assert client.get(admin_url(measure, "history_revert", measure.pk, 999999)).status_code == 404
    other = MeasureFactory(field=measure.field)
    foreign = other.history.latest()
    assert client.get(revert_url(measure, foreign)).status_code == 404
