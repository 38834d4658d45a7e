import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse

from actionplan import models as ap
from actionplan.roles import COORDINATORS, EDITORS, PUBLISH_PERMISSION, setup_roles
from tests.actionplan.admin_support import (
    add_inline_row,
    change_form_data,
    inline_prefix,
)
from tests.factories import UserFactory, build_plan

pytestmark = pytest.mark.django_db


def admin_url(obj_or_model, view, *args):
    opts = obj_or_model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def member_of(group_name: str | None, username: str):
    user = UserFactory(username=username, is_staff=True)
    if group_name:
        setup_roles()
        user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def plan(db):
    return build_plan(fields=1, measures_per_field=2, steps_per_measure=2, status="draft")


@pytest.fixture
def editor_client(client):
    client.force_login(member_of(EDITORS, "redakteurin"))
    return client


@pytest.fixture
def coordinator_client(client):
    client.force_login(member_of(COORDINATORS, "koordinatorin"))
    return client


def test_setup_roles_command_creates_groups_idempotently():
    call_command("setup_roles")
    call_command("setup_roles")
    editors = Group.objects.get(name=EDITORS)
    coordinators = Group.objects.get(name=COORDINATORS)
    editor_perms = {p.codename for p in editors.permissions.all()}
    coordinator_perms = {p.codename for p in coordinators.permissions.all()}
    assert {"change_plan", "change_measure", "add_step", "delete_step"} <= editor_perms
    assert {"delete_plan", "publish_plan"}.isdisjoint(editor_perms)
    assert {"delete_plan", "publish_plan", "delete_measure"} <= coordinator_perms
    assert Permission.objects.filter(codename="publish_plan").count() == 1


def test_setup_roles_resets_permissions_changed_by_hand():
    groups = setup_roles()
    groups[EDITORS].permissions.add(Permission.objects.get(codename="delete_plan"))
    setup_roles()
    assert not groups[EDITORS].permissions.filter(codename="delete_plan").exists()


def test_editor_cannot_publish_plan(editor_client, plan):
    url = admin_url(plan, "change", plan.pk)
    response = editor_client.get(url)
    assert response.status_code == 200
    assert "status" not in response.context["adminform"].form.fields
    data = change_form_data(response)
    data.update(title="Neuer Plantitel", status=ap.Plan.Status.PUBLISHED)

    response = editor_client.post(url, data)

    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.title == "Neuer Plantitel"
    assert plan.status == ap.Plan.Status.DRAFT


def test_editor_new_plan_stays_draft(editor_client):
    response = editor_client.get(admin_url(ap.Plan, "add"))
    data = change_form_data(response)
    data.update(title="Plan", slug="plan-neu", region="Leipzig", status="published")
    response = editor_client.post(admin_url(ap.Plan, "add"), data)
    assert response.status_code == 302
    assert ap.Plan.objects.get(slug="plan-neu").status == ap.Plan.Status.DRAFT


def test_editor_cannot_publish_by_reverting_history(editor_client, plan):
    plan.status = ap.Plan.Status.PUBLISHED
    plan.save()
    published_version = plan.history.latest()
    plan.status = ap.Plan.Status.DRAFT
    plan.save()
    url = reverse(
        "admin:actionplan_plan_simple_history", args=[plan.pk, published_version.history_id]
    )
    response = editor_client.get(url)
    assert response.status_code == 200
    data = change_form_data(response)

    response = editor_client.post(url, data)

    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == ap.Plan.Status.DRAFT


def test_editor_cannot_delete_plan(editor_client, plan):
    url = admin_url(plan, "delete", plan.pk)
    assert editor_client.get(url).status_code == 403
    assert editor_client.post(url, {"post": "yes"}).status_code == 403
    assert ap.Plan.objects.filter(pk=plan.pk).exists()


def test_editor_edits_measure_with_inlines(editor_client, plan):
    measure = ap.Measure.objects.filter(field__plan=plan).first()
    url = admin_url(measure, "change", measure.pk)
    first, second = measure.steps.order_by("position")
    response = editor_client.get(url)
    data = change_form_data(response)
    prefix = inline_prefix(response, ap.Step)
    assert data[f"{prefix}-0-id"] == str(first.pk)
    data[f"{prefix}-0-DELETE"] = "on"
    add_inline_row(data, prefix, position=7, text="Von der Redaktion ergänzt")

    response = editor_client.post(url, data)

    assert response.status_code == 302
    assert list(measure.steps.order_by("position").values_list("text", flat=True)) == [
        second.text,
        "Von der Redaktion ergänzt",
    ]


def test_coordinator_can_publish_and_delete_plan(coordinator_client, plan):
    url = admin_url(plan, "change", plan.pk)
    response = coordinator_client.get(url)
    assert "status" in response.context["adminform"].form.fields
    data = change_form_data(response)
    data["status"] = ap.Plan.Status.PUBLISHED

    response = coordinator_client.post(url, data)

    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == ap.Plan.Status.PUBLISHED
    assert coordinator_client.get(admin_url(plan, "delete", plan.pk)).status_code == 200


def test_publish_permission_is_what_unlocks_status(client, plan):
    user = member_of(EDITORS, "mit-recht")
    user.user_permissions.add(Permission.objects.get(codename="publish_plan"))
    assert user.has_perm(PUBLISH_PERMISSION)
    client.force_login(user)
    response = client.get(admin_url(plan, "change", plan.pk))
    assert "status" in response.context["adminform"].form.fields


OWN_MODELS = [m for m in admin.site._registry if m._meta.app_label in {"actionplan", "contacts"}]


@pytest.mark.parametrize("model", OWN_MODELS, ids=lambda m: m._meta.label)
def test_staff_without_group_is_refused(client, plan, model):
    client.force_login(member_of(None, "ohne-gruppe"))
    if model is ap.PdfExport:
        ap.PdfExport.objects.create(plan=plan, cache_key="test")
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None
    assert client.get(admin_url(obj, "change", obj.pk)).status_code == 403
    assert client.get(admin_url(model, "changelist")).status_code == 403
    assert client.get(admin_url(model, "add")).status_code == 403


def test_staff_without_group_cannot_export_or_import(client, plan):
    client.force_login(member_of(None, "ohne-gruppe"))
    assert client.get(admin_url(ap.Measure, "export")).status_code == 403
    assert client.get(admin_url(ap.Measure, "import")).status_code == 403


def test_editor_group_alone_may_not_import_or_export_measures(editor_client, plan):
    # Import and export ask access.rules: coordinators of a plan (Membership), not groups.
    assert editor_client.get(admin_url(ap.Measure, "export")).status_code == 403
    assert editor_client.get(admin_url(ap.Measure, "import")).status_code == 403


def test_editor_views_but_cannot_change_budget_categories(editor_client, plan):
    category = ap.BudgetCategory.objects.first()
    response = editor_client.get(admin_url(category, "change", category.pk))
    assert response.status_code == 200
    assert response.context["adminform"].form.fields == {}
