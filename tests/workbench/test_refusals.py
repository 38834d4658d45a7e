"""Refusals that explain: the publish action's changed/skipped report, read-only forms that
say why, 403 and 404 in the admin's own look with whom to ask, and the plan's member list."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from access.models import Membership
from actionplan import models as ap
from tests.factories import (
    FieldOfActionFactory,
    MeasureFactory,
    OrganisationFactory,
    PlanFactory,
    ResponsibilityFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

Role = Membership.Role
CHANGELIST = "/admin/actionplan/measure/"


@pytest.fixture
def world(db):
    plan = PlanFactory(title="Maßnahmenplan Leipzig", slug="leipzig")
    field = FieldOfActionFactory(plan=plan)
    kulturamt = OrganisationFactory(name="Kulturamt")
    wirtschaft = OrganisationFactory(name="Wirtschaftsförderung")
    coordinator = UserFactory(
        username="koordination",
        first_name="Clara",
        last_name="Koordinatorin",
        email="clara@example.org",
        is_staff=True,
    )
    editor = UserFactory(username="redaktion", is_staff=True)
    reader = UserFactory(username="lesen", is_staff=True)
    Membership.objects.create(user=coordinator, plan=plan, role=Role.COORDINATOR)
    Membership.objects.create(user=editor, plan=plan, role=Role.EDITOR, organisation=kulturamt)
    Membership.objects.create(user=reader, plan=plan, role=Role.READER)
    own = MeasureFactory(field=field, title="Kulturpass", state="review")
    ResponsibilityFactory(measure=own, organisation=kulturamt)
    foreign = MeasureFactory(field=field, title="Gründerzentrum", state="published")
    ResponsibilityFactory(measure=foreign, organisation=wirtschaft)
    return {
        "plan": plan,
        "own": own,
        "foreign": foreign,
        "coordinator": coordinator,
        "editor": editor,
        "reader": reader,
    }


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def act(client, action, *measures):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [m.pk for m in measures]},
        follow=True,
    )


# --- bulk actions ------------------------------------------------------------------------------


def test_editor_publishing_another_organisations_measure_is_told_nothing_changed(client, world):
    client.force_login(world["editor"])
    before = ap.Measure.history.filter(id=world["foreign"].pk).count()

    messages = messages_of(act(client, "publish_measures", world["foreign"]))

    assert not any("veröffentlicht." in m and m[0].isdigit() for m in messages)
    assert "1 übersprungen:" in messages
    (reason,) = [m for m in messages if "Gründerzentrum" in m]
    assert "Wirtschaftsförderung" in reason
    assert "Clara Koordinatorin" in reason
    assert ap.Measure.history.filter(id=world["foreign"].pk).count() == before


def test_editor_may_not_publish_an_own_measure_and_learns_whom_to_ask(client, world):
    client.force_login(world["editor"])
    messages = messages_of(act(client, "publish_measures", world["own"]))
    assert "1 übersprungen:" in messages
    (reason,) = [m for m in messages if "Kulturpass" in m]
    assert "Koordination des Plans (Clara Koordinatorin)" in reason
    world["own"].refresh_from_db()
    assert world["own"].state == "review"


def test_coordinator_publish_reports_changed_and_skipped(client, world):
    client.force_login(world["coordinator"])
    messages = messages_of(act(client, "publish_measures", world["own"], world["foreign"]))
    assert "1 veröffentlicht." in messages
    assert "1 übersprungen:" in messages
    assert "„Gründerzentrum“ ist bereits „veröffentlicht“: nichts zu ändern." in messages
    world["own"].refresh_from_db()
    assert world["own"].state == "published"


# --- read-only forms ----------------------------------------------------------------------------


def test_read_only_measure_says_whose_it_is_and_who_may_change_it(client, world):
    client.force_login(world["editor"])
    response = client.get(f"/admin/actionplan/measure/{world['foreign'].pk}/change/")
    assert response.context["has_change_permission"] is False
    (message,) = messages_of(response)
    assert message == (
        "Diese Maßnahme gehört zu Wirtschaftsförderung; bearbeiten dürfen sie deren "
        "Redakteurinnen und Redakteure und die Koordination des Plans (Clara Koordinatorin)."
    )
    assert message in response.content.decode()


def test_editable_measure_carries_no_read_only_note(client, world):
    client.force_login(world["editor"])
    response = client.get(f"/admin/actionplan/measure/{world['own'].pk}/change/")
    assert response.context["has_change_permission"] is True
    assert messages_of(response) == []


def test_read_only_plan_names_its_coordinators(client, world):
    client.force_login(world["reader"])
    response = client.get(f"/admin/actionplan/plan/{world['plan'].pk}/change/")
    assert messages_of(response) == [
        "Ändern darf dies nur die Koordination des Plans (Clara Koordinatorin)."
    ]


# --- 403 and 404 in the admin's look ------------------------------------------------------------


def test_refused_import_page_is_german_in_the_admin_look_with_whom_to_ask(client, world):
    client.force_login(world["editor"])
    url = reverse("imports:plan_workbook_import", kwargs={"plan_slug": "leipzig"})
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 403
    assert 'id="header"' in html and "Planwerk" in html  # the admin's base template
    assert "Zugriff verweigert" in html
    assert "Wen Sie fragen können" in html
    assert 'href="mailto:clara@example.org">Clara Koordinatorin</a>' in html
    assert "Redaktion für Kulturamt in „Maßnahmenplan Leipzig" in html
    assert "403 Forbidden" not in html


def test_refusal_message_of_the_code_is_shown(client, world, rf):
    from django.core.exceptions import PermissionDenied

    from workbench.views import permission_denied

    request = rf.get("/admin/actionplan/measure/")
    request.user = world["editor"]
    response = permission_denied(request, PermissionDenied("Nur die Koordination darf das."))
    assert response.status_code == 403
    assert "Nur die Koordination darf das." in response.content.decode()


def test_missing_admin_page_is_german_in_the_admin_look(client, world):
    client.force_login(world["editor"])
    response = client.get("/admin/gibt-es-nicht/")
    html = response.content.decode()
    assert response.status_code == 404
    assert 'id="header"' in html
    assert "Seite nicht gefunden" in html
    assert "keine Rolle haben" in html
    assert "Clara Koordinatorin" in html


def test_other_plans_draft_answers_404_without_naming_its_plan(client, world):
    hidden = PlanFactory(title="Geheimer Entwurfsplan", status="draft")
    draft = MeasureFactory(field=FieldOfActionFactory(plan=hidden), title="Geheim", state="draft")
    client.force_login(world["editor"])
    response = client.get(f"/admin/actionplan/measure/{draft.pk}/change/")
    assert response.status_code == 404
    assert "Geheimer Entwurfsplan" not in response.content.decode()


def test_public_pages_keep_the_public_404(client, world):
    client.force_login(world["editor"])
    response = client.get("/plaene/gibt-es-nicht/")
    assert response.status_code == 404
    assert 'id="header"' not in response.content.decode()


# --- the plan's members ------------------------------------------------------------------------


def test_plan_member_inline_lists_every_member(client, world):
    client.force_login(world["coordinator"])
    response = client.get(f"/admin/actionplan/plan/{world['plan'].pk}/change/")
    (inline,) = [
        i for i in response.context["inline_admin_formsets"] if i.formset.model is Membership
    ]
    assert inline.formset.queryset.count() == 3
    assert len(inline.formset.forms) == 3


def test_refused_save_explains_on_the_403_page(client, world):
    client.force_login(world["editor"])
    measure = world["foreign"]
    response = client.post(
        f"/admin/actionplan/measure/{measure.pk}/change/",
        {"title": "Übernommen", "field": measure.field_id, "position": 1},
    )
    html = response.content.decode()
    assert response.status_code == 403
    assert "Diese Maßnahme gehört zu Wirtschaftsförderung" in html
    measure.refresh_from_db()
    assert measure.title == "Gründerzentrum"
