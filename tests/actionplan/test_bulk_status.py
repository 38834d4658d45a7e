"""The coordinators' bulk edit: one implementation status for several measures, with one
history row each carrying the reason and the user, an audit event each, and a report of what
was changed and what was skipped and why."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from access.models import AuditEvent, Membership
from actionplan import models as ap
from actionplan.services import measures_set_status
from tests.factories import (
    MeasureFactory,
    OrganisationFactory,
    PlanFactory,
    ResponsibilityFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

Status = ap.Measure.Status
CHANGELIST = reverse("admin:actionplan_measure_changelist")


@pytest.fixture
def setting(db):
    """Plan Leipzig (coordinated by ``coord``) with three measures, one of them completed
    already; plan Dresden with one measure ``coord`` only reads."""
    org = OrganisationFactory(name="Kulturamt")
    leipzig = PlanFactory(title="Maßnahmenplan Leipzig")
    dresden = PlanFactory(title="Maßnahmenplan Dresden")
    field = ap.FieldOfAction.objects.create(plan=leipzig, position=1, title="Kultur")
    foreign_field = ap.FieldOfAction.objects.create(plan=dresden, position=1, title="Wirtschaft")
    measures = {
        "a": MeasureFactory(field=field, code="A", title="Quartier", position=1),
        "b": MeasureFactory(field=field, code="B", title="Förderung", position=2),
        "done": MeasureFactory(
            field=field, code="C", title="Erledigt", position=3, status=Status.COMPLETED
        ),
        "foreign": MeasureFactory(field=foreign_field, code="D", title="Gewerbehof", position=1),
    }
    for measure in measures.values():
        ResponsibilityFactory(measure=measure, organisation=org, position=1)
    coord = UserFactory(username="coord", is_staff=True)
    editor = UserFactory(username="editor", is_staff=True)
    Membership.objects.create(user=coord, plan=leipzig, role=Membership.Role.COORDINATOR)
    Membership.objects.create(user=coord, plan=dresden, role=Membership.Role.READER)
    Membership.objects.create(
        user=editor, plan=leipzig, role=Membership.Role.EDITOR, organisation=org
    )
    return {"measures": measures, "coord": coord, "editor": editor}


def statuses(measures):
    return {
        key: ap.Measure.objects.values_list("status", flat=True).get(pk=m.pk)
        for key, m in measures.items()
    }


def test_service_changes_coordinated_measures_with_history_and_audit(setting):
    measures, coord = setting["measures"], setting["coord"]
    history_before = ap.Measure.history.count()
    versions = {m.pk: m.version for m in measures.values()}

    result = measures_set_status(
        measures=list(measures.values()),
        status=Status.COMPLETED,
        reason="Abschlussbericht liegt vor",
        acting_user=coord,
    )

    assert [m.code for m in result.changed] == ["A", "B"]
    assert [m.code for m in result.unchanged] == ["C"]
    assert [m.code for m in result.refused] == ["D"]
    assert statuses(measures) == {
        "a": Status.COMPLETED,
        "b": Status.COMPLETED,
        "done": Status.COMPLETED,
        "foreign": Status.PLANNED,
    }
    assert ap.Measure.history.count() == history_before + 2
    for key in ("a", "b"):
        record = ap.Measure.history.filter(id=measures[key].pk).latest("history_date")
        assert record.history_change_reason == "Abschlussbericht liegt vor"
        assert record.history_user == coord
        assert record.status == Status.COMPLETED
        assert record.prev_record.status == Status.PLANNED
        # a form opened before the bulk edit is refused by the optimistic lock
        assert ap.Measure.objects.get(pk=measures[key].pk).version == versions[measures[key].pk] + 1
    events = AuditEvent.objects.filter(action=AuditEvent.Action.STATUS_CHANGED)
    assert sorted(events.values_list("object_repr", flat=True)) == ["A) Quartier", "B) Förderung"]
    assert {e.actor for e in events} == {coord}
    assert events.first().detail == "geplant → abgeschlossen: Abschlussbericht liegt vor"


@pytest.mark.parametrize("reason", ["", "   "])
def test_service_wants_a_reason(setting, reason):
    with pytest.raises(ValidationError):
        measures_set_status(
            measures=[setting["measures"]["a"]],
            status=Status.CANCELLED,
            reason=reason,
            acting_user=setting["coord"],
        )
    assert statuses(setting["measures"])["a"] == Status.PLANNED


def test_service_refuses_an_editor(setting):
    result = measures_set_status(
        measures=[setting["measures"]["a"]],
        status=Status.CANCELLED,
        reason="weil",
        acting_user=setting["editor"],
    )
    assert result.changed == [] and [m.code for m in result.refused] == ["A"]
    assert statuses(setting["measures"])["a"] == Status.PLANNED
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.STATUS_CHANGED).exists()


def action_data(measures, **extra):
    return {"action": "set_status", ACTION_CHECKBOX_NAME: [m.pk for m in measures], **extra}


def test_admin_action_asks_then_changes_and_reports(client, setting):
    measures = setting["measures"]
    client.force_login(setting["coord"])
    selected = list(measures.values())

    page = client.post(CHANGELIST, action_data(selected))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<title>Umsetzungsstand ändern" in html
    assert "Neuer Umsetzungsstand" in html and "Begründung" in html
    assert "D) Gewerbehof" in html and "weil Sie ihren Plan nicht koordinieren" in html
    assert statuses(measures)["a"] == Status.PLANNED  # nothing changed by asking

    # the reason is required: the page comes back with the error, nothing changes
    again = client.post(CHANGELIST, action_data(selected, post="yes", status="completed"))
    assert again.status_code == 200
    assert "Dieses Feld ist zwingend erforderlich." in again.content.decode()
    assert statuses(measures)["a"] == Status.PLANNED

    done = client.post(
        CHANGELIST,
        action_data(selected, post="yes", status="completed", reason="Abschlussbericht"),
    )
    assert done.status_code == 302
    texts = [str(m) for m in get_messages(done.wsgi_request)]
    assert texts == [
        "Umsetzungsstand „abgeschlossen“ für 2 Maßnahmen gesetzt.",
        "Unverändert, weil sie diesen Umsetzungsstand schon haben: C) Erledigt.",
        "Nicht geändert, weil Sie ihren Plan nicht koordinieren (den Umsetzungsstand mehrerer "
        "Maßnahmen auf einmal ändert nur die Koordination des Plans): "
        "D) Gewerbehof.",
    ]
    assert statuses(measures) == {
        "a": Status.COMPLETED,
        "b": Status.COMPLETED,
        "done": Status.COMPLETED,
        "foreign": Status.PLANNED,
    }


def test_editors_are_not_offered_the_action_and_cannot_post_it(client, setting):
    measure = setting["measures"]["a"]
    client.force_login(setting["editor"])
    page = client.get(CHANGELIST)
    assert page.status_code == 200
    assert 'value="set_status"' not in page.content.decode()
    response = client.post(
        CHANGELIST, action_data([measure], post="yes", status="cancelled", reason="weil")
    )
    assert response.status_code in (200, 302)
    assert statuses(setting["measures"])["a"] == Status.PLANNED
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.STATUS_CHANGED).exists()


def test_coordinators_are_offered_the_action(client, setting):
    client.force_login(setting["coord"])
    page = client.get(CHANGELIST).content.decode()
    assert '<option value="set_status">Umsetzungsstand ändern</option>' in page
