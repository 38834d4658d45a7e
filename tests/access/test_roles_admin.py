"""Per-plan roles in the admin: coordinators, editors bound to an organisation, readers."""

import pytest
from django.urls import reverse

from access.models import AuditEvent, Membership
from actionplan import models as ap
from documents.models import PdfExport
from tests.actionplan.admin_support import add_inline_row, change_form_data, inline_prefix
from tests.factories import (
    OrganisationFactory,
    ResponsibilityFactory,
    StaffUserFactory,
    UserFactory,
    build_plan,
)

pytestmark = pytest.mark.django_db

Role = Membership.Role


def admin_url(obj_or_model, view, *args):
    opts = obj_or_model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


@pytest.fixture
def setting(db):
    """A draft plan with two measures: one the Kulturamt is responsible for, one the
    Wirtschaftsförderung; a second, published plan."""
    plan = build_plan(fields=2, measures_per_field=1, steps_per_measure=2, status="draft")
    other_plan = build_plan(fields=1, measures_per_field=1, steps_per_measure=1)
    city = OrganisationFactory(name="Stadt Leipzig")
    kulturamt = OrganisationFactory(name="Kulturamt", parent=city)
    unit = OrganisationFactory(name="Abteilung Kulturförderung", parent=kulturamt)
    wirtschaft = OrganisationFactory(name="Wirtschaftsförderung", parent=city)
    culture, economy = ap.Measure.objects.filter(field__plan=plan).order_by("field__position")
    culture.responsibilities.all().delete()
    economy.responsibilities.all().delete()
    ResponsibilityFactory(measure=culture, organisation=unit, position=1)
    ResponsibilityFactory(measure=economy, organisation=wirtschaft, position=1)
    return {
        "plan": plan,
        "other_plan": other_plan,
        "kulturamt": kulturamt,
        "wirtschaft": wirtschaft,
        "culture": culture,
        "economy": economy,
    }


def member(client, plan, role, organisation=None, username=None):
    user = UserFactory(username=username or f"{role}-{plan.pk}", is_staff=True)
    Membership.objects.create(user=user, plan=plan, role=role, organisation=organisation)
    client.force_login(user)
    return user


@pytest.fixture
def editor(client, setting):
    member(client, setting["plan"], Role.EDITOR, setting["kulturamt"])
    return client


@pytest.fixture
def coordinator(client, setting):
    member(client, setting["plan"], Role.COORDINATOR)
    return client


def test_editor_edits_texts_and_steps_of_a_measure_of_their_unit(editor, setting):
    measure = setting["culture"]
    # directly: with the plan's review of changes on, the edit waits (tests/reviews)
    ap.Plan.objects.filter(pk=measure.field.plan_id).update(review_changes=False)
    url = admin_url(measure, "change", measure.pk)
    response = editor.get(url)
    data = change_form_data(response)
    prefix = inline_prefix(response, ap.Step)
    data["description"] = "Von der Redaktion des Kulturamts"
    add_inline_row(data, prefix, position=9, text="Neuer Schritt")

    response = editor.post(url, data)

    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.description == "Von der Redaktion des Kulturamts"
    assert measure.steps.filter(text="Neuer Schritt").exists()


def test_editor_cannot_change_another_organisations_measure(editor, setting):
    measure = setting["economy"]
    url = admin_url(measure, "change", measure.pk)
    response = editor.get(url)
    assert response.status_code == 200  # a member reads it …
    assert response.context["has_change_permission"] is False
    data = {"title": "Übernommen", "field": measure.field_id, "position": 1}
    assert editor.post(url, data).status_code == 403  # … but cannot change it
    measure.refresh_from_db()
    assert measure.title != "Übernommen"


def test_editor_cannot_change_responsibilities_move_or_publish(editor, setting):
    measure = setting["culture"]
    ap.Measure.objects.filter(pk=measure.pk).update(state=ap.Measure.State.DRAFT)
    url = admin_url(measure, "change", measure.pk)
    response = editor.get(url)
    form_fields = response.context["adminform"].form.fields
    assert "field" not in form_fields
    assert [v for v, _label in form_fields["state"].choices] == ["draft", "review"]
    responsibilities = response.context["inline_admin_formsets"]
    resp_inline = next(i for i in responsibilities if i.formset.model is ap.Responsibility)
    assert not resp_inline.has_change_permission and not resp_inline.has_add_permission

    data = change_form_data(response)
    other_field = ap.FieldOfAction.objects.filter(plan=setting["other_plan"]).first()
    data.update(field=other_field.pk, state="published")
    response = editor.post(url, data)

    assert response.status_code == 200  # refused: “published” is not a valid choice
    assert "state" in response.context["adminform"].form.errors
    measure.refresh_from_db()
    assert measure.state == ap.Measure.State.DRAFT
    assert measure.field.plan == setting["plan"]


def test_editor_submits_for_review_and_coordinator_sends_back(client, setting):
    measure = setting["culture"]
    ap.Measure.objects.filter(pk=measure.pk).update(state=ap.Measure.State.DRAFT)
    url = admin_url(measure, "change", measure.pk)
    member(client, setting["plan"], Role.EDITOR, setting["kulturamt"])
    data = change_form_data(client.get(url))
    data["state"] = "review"
    assert client.post(url, data).status_code == 302
    measure.refresh_from_db()
    assert measure.state == ap.Measure.State.REVIEW

    member(client, setting["plan"], Role.COORDINATOR)
    data = change_form_data(client.get(url))
    data.update(state="draft", review_comment="Bitte Zeitplan ergänzen.")
    assert client.post(url, data).status_code == 302
    measure.refresh_from_db()
    assert measure.state == ap.Measure.State.DRAFT
    assert measure.review_comment == "Bitte Zeitplan ergänzen."
    actions = list(AuditEvent.objects.filter(object_id=str(measure.pk)).values_list("action"))
    assert actions == [("sent_back",), ("submitted",)]

    # the editor sees the comment (read-only) on the measure
    member(client, setting["plan"], Role.EDITOR, setting["kulturamt"], username="ed2")
    response = client.get(url)
    assert "Bitte Zeitplan ergänzen." in response.content.decode()
    assert "review_comment" not in response.context["adminform"].form.fields


def test_editor_cannot_delete_add_or_import(editor, setting):
    measure = setting["culture"]
    assert editor.get(admin_url(measure, "delete", measure.pk)).status_code == 403
    assert editor.post(admin_url(measure, "delete", measure.pk), {"post": "yes"}).status_code == 403
    assert editor.get(admin_url(ap.Measure, "add")).status_code == 403
    assert editor.get(admin_url(ap.Measure, "import")).status_code == 403
    workbook_import = reverse("imports:plan_workbook_import", args=[setting["plan"].slug])
    assert editor.get(workbook_import).status_code == 403
    assert editor.get(admin_url(ap.Measure, "export")).status_code == 403
    assert ap.Measure.objects.filter(pk=measure.pk).exists()


def test_editor_cannot_save_as_new_into_a_published_plan(editor, setting):
    measure = setting["culture"]
    url = admin_url(measure, "change", measure.pk)
    data = change_form_data(editor.get(url))
    data["_saveasnew"] = "1"
    before = ap.Measure.objects.count()
    assert editor.post(url, data).status_code == 403
    assert ap.Measure.objects.count() == before


def test_editor_cannot_move_a_field_or_change_the_plan(editor, setting):
    field = ap.FieldOfAction.objects.filter(plan=setting["plan"]).first()
    url = admin_url(field, "change", field.pk)
    data = {"plan": setting["other_plan"].pk, "position": 9, "title": field.title, "slug": "x"}
    assert editor.post(url, data).status_code == 403
    plan = setting["plan"]
    assert editor.post(admin_url(plan, "change", plan.pk), {"status": "published"}).status_code == (
        403
    )
    field.refresh_from_db()
    plan.refresh_from_db()
    assert field.plan == plan and plan.status == ap.Plan.Status.DRAFT


def test_coordinator_publishes_the_plan_without_unreviewed_measures(coordinator, setting):
    plan = setting["plan"]
    ap.Measure.objects.filter(pk=setting["culture"].pk).update(state="review")
    ap.Measure.objects.filter(pk=setting["economy"].pk).update(state="draft")
    url = admin_url(plan, "change", plan.pk)
    data = change_form_data(coordinator.get(url))
    data["status"] = "published"
    assert coordinator.post(url, data).status_code == 302
    plan.refresh_from_db()
    assert plan.status == ap.Plan.Status.PUBLISHED
    states = dict(ap.Measure.objects.filter(field__plan=plan).values_list("pk", "state"))
    assert states == {setting["culture"].pk: "review", setting["economy"].pk: "draft"}
    assert AuditEvent.objects.filter(action="published", plan=plan).count() == 1

    # the explicit choice: publish with the reviewed measures
    response = coordinator.post(
        admin_url(ap.Plan, "changelist"),
        {"action": "publish_with_reviewed", "_selected_action": [plan.pk]},
    )
    assert response.status_code == 302
    states = dict(ap.Measure.objects.filter(field__plan=plan).values_list("pk", "state"))
    assert states == {setting["culture"].pk: "published", setting["economy"].pk: "draft"}


def test_coordinator_cannot_move_measures_into_a_plan_they_only_read(client, setting):
    user = member(client, setting["plan"], Role.COORDINATOR)
    Membership.objects.create(user=user, plan=setting["other_plan"], role=Role.READER)
    measure = setting["culture"]
    url = admin_url(measure, "change", measure.pk)
    data = change_form_data(client.get(url))
    target = ap.FieldOfAction.objects.filter(plan=setting["other_plan"]).first()
    data["field"] = target.pk
    response = client.post(url, data)
    assert response.status_code == 200
    assert "field" in response.context["adminform"].form.errors
    measure.refresh_from_db()
    assert measure.field.plan == setting["plan"]


def test_bulk_delete_refused_when_a_selected_row_is_only_readable(client, setting):
    user = member(client, setting["plan"], Role.COORDINATOR)
    Membership.objects.create(user=user, plan=setting["other_plan"], role=Role.READER)
    mine = setting["culture"]
    theirs = ap.Measure.objects.filter(field__plan=setting["other_plan"]).first()
    response = client.post(
        admin_url(ap.Measure, "changelist"),
        {"action": "delete_selected", "_selected_action": [mine.pk, theirs.pk], "post": "yes"},
    )
    assert response.status_code == 403
    assert ap.Measure.objects.filter(pk__in=[mine.pk, theirs.pk]).count() == 2


def test_coordinator_of_another_plan_sees_nothing_of_this_one(client, setting):
    member(client, setting["other_plan"], Role.COORDINATOR)
    measure = setting["culture"]
    changelist = client.get(admin_url(ap.Measure, "changelist"))
    shown = set(changelist.context["cl"].result_list)
    assert measure not in shown and shown  # their own plan's measures only
    for view in ("change", "delete", "history"):
        assert client.get(admin_url(measure, view, measure.pk)).status_code == 404
    pdf = client.get(admin_url(measure, "pdf", measure.pk))
    assert pdf.status_code == 404


def test_autocomplete_lists_only_the_users_plans(client, setting):
    member(client, setting["other_plan"], Role.COORDINATOR)
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "actionplan", "model_name": "step", "field_name": "measure", "term": ""},
    )
    assert response.status_code == 200
    ids = {int(r["id"]) for r in response.json()["results"]}
    expected = set(
        ap.Measure.objects.filter(field__plan=setting["other_plan"]).values_list("pk", flat=True)
    )
    assert ids == expected


def test_reader_sees_drafts_but_changes_nothing(client, setting):
    member(client, setting["plan"], Role.READER)
    measure = setting["economy"]
    url = admin_url(measure, "change", measure.pk)
    assert client.get(url).status_code == 200
    assert client.post(url, {"title": "x"}).status_code == 403
    assert client.get(setting["plan"].get_absolute_url()).status_code == 200
    assert client.get(reverse("actionplan:plan_pdf", args=[setting["plan"].slug])).status_code in (
        200,
        302,
    )


@pytest.mark.parametrize("model", [ap.Plan, ap.Measure, ap.Step, PdfExport, Membership])
def test_staff_without_membership_gets_nothing(client, setting, model):
    client.force_login(UserFactory(username="nur-staff", is_staff=True))
    login = reverse("admin:login")
    # the admin site lets in members only: a staff account without a role goes to the login
    assert client.get(admin_url(model, "changelist"))["Location"].startswith(login)
    assert client.get(admin_url(model, "add"))["Location"].startswith(login)
    assert client.get(reverse("admin:index"))["Location"].startswith(login)
    obj = setting["culture"] if model is ap.Measure else None
    if obj is not None:
        assert client.get(admin_url(obj, "change", obj.pk))["Location"].startswith(login)


def test_staff_without_membership_sees_no_drafts_on_pages_or_pdfs(client, setting):
    client.force_login(UserFactory(username="nur-staff", is_staff=True))
    plan = setting["plan"]
    assert client.get(plan.get_absolute_url()).status_code == 404
    assert client.get(reverse("actionplan:plan_pdf", args=[plan.slug])).status_code == 404


def test_coordinator_manages_members_and_it_is_audited(coordinator, setting):
    plan = setting["plan"]
    newcomer = UserFactory(username="neu", is_staff=True)
    url = admin_url(Membership, "add")
    data = {"user": newcomer.pk, "plan": plan.pk, "role": "reader"}
    assert coordinator.post(url, data).status_code == 302
    assert Membership.objects.filter(user=newcomer, plan=plan, role="reader").exists()
    event = AuditEvent.objects.get(action="membership_added")
    assert event.plan == plan and "neu" in event.detail
    # … but not for a plan they do not coordinate
    other = setting["other_plan"]
    data = {"user": newcomer.pk, "plan": other.pk, "role": "coordinator"}
    response = coordinator.post(url, data)
    assert response.status_code == 200 and "plan" in response.context["adminform"].form.errors
    assert not Membership.objects.filter(plan=other).exists()


def test_audit_log_records_logins_and_shows_coordinators_their_plans_only(client, setting):
    user = UserFactory(username="anmeldung", is_staff=True)
    user.set_password("richtig-langes-passwort")
    user.save()
    Membership.objects.create(user=user, plan=setting["plan"], role=Role.READER)
    client.post(
        reverse("admin:login"),
        {"username": "anmeldung", "password": "falsch"},
        REMOTE_ADDR="1.2.3.4",
    )
    client.post(
        reverse("admin:login"),
        {"username": "anmeldung", "password": "richtig-langes-passwort"},
        REMOTE_ADDR="1.2.3.4",
    )
    failed = AuditEvent.objects.get(action="login_failed")
    assert failed.actor_name == "anmeldung" and failed.ip_address == "1.2.3.4"
    assert AuditEvent.objects.filter(action="login", actor=user).exists()

    member(client, setting["plan"], Role.COORDINATOR)
    listed = set(client.get(admin_url(AuditEvent, "changelist")).context["cl"].result_list)
    assert AuditEvent.objects.get(action="login", actor=user) in listed
    member(client, setting["other_plan"], Role.COORDINATOR)
    listed = set(client.get(admin_url(AuditEvent, "changelist")).context["cl"].result_list)
    assert not any(e.actor == user for e in listed)


def test_superuser_may_do_everything(client, setting):
    client.force_login(StaffUserFactory())
    plan = setting["plan"]
    assert client.get(admin_url(plan, "delete", plan.pk)).status_code == 200
    workbook_import = reverse("imports:plan_workbook_import", args=[plan.slug])
    assert client.get(workbook_import).status_code == 200
    # Measures have one import path, the plan workbook: not even a superuser imports rows.
    assert client.get(admin_url(ap.Measure, "import")).status_code == 403
    changelist = client.get(admin_url(ap.Measure, "changelist")).content.decode()
    assert admin_url(ap.Measure, "import") not in changelist
    assert admin_url(ap.Measure, "export") in changelist


def test_editor_cannot_publish_by_bulk_action(editor, setting):
    measure = setting["culture"]
    ap.Measure.objects.filter(pk=measure.pk).update(state=ap.Measure.State.REVIEW)
    response = editor.post(
        admin_url(ap.Measure, "changelist"),
        {"action": "publish_measures", "_selected_action": [measure.pk]},
        follow=True,
    )
    measure.refresh_from_db()
    assert measure.state == ap.Measure.State.REVIEW
    html = response.content.decode()
    assert "1 übersprungen:" in html
    assert "Über die Veröffentlichung entscheidet die Koordination des Plans" in html
    assert not AuditEvent.objects.filter(action="published").exists()


def test_new_measures_start_as_drafts(coordinator, setting):
    field = ap.FieldOfAction.objects.filter(plan=setting["plan"]).first()
    url = admin_url(ap.Measure, "add")
    response = coordinator.get(url)
    assert [v for v, _label in response.context["adminform"].form.fields["state"].choices] == [
        "draft"
    ]
    data = change_form_data(response)
    data.update(field=field.pk, position=5, title="Neu", slug="neu", state="published")
    response = coordinator.post(url, data)
    assert response.status_code == 200  # “published” is not offered for a new measure
    data["state"] = "draft"
    assert coordinator.post(url, data).status_code == 302
    assert ap.Measure.objects.get(slug="neu").state == ap.Measure.State.DRAFT


@pytest.mark.parametrize(
    "model",
    [
        ap.Measure,
        ap.FieldOfAction,
        ap.Step,
        ap.ScheduleEntry,
        ap.Responsibility,
        ap.BudgetLine,
        ap.BaselineFinding,
        Membership,
        AuditEvent,
    ],
)
def test_changelist_filters_name_no_plan_of_others(client, setting, model):
    ap.Plan.objects.filter(pk=setting["plan"].pk).update(title="Geheimer Entwurfsplan")
    member(client, setting["other_plan"], Role.COORDINATOR)
    Membership.objects.create(
        user=UserFactory(), plan=setting["plan"], role=Role.READER
    )  # an event and a membership in the hidden plan exist
    response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    assert "Geheimer Entwurfsplan" not in response.content.decode()


def test_plan_members_do_not_get_the_campaign_admin(editor, setting):
    index = editor.get(reverse("admin:index")).content.decode()
    assert "/admin/actionplan/measure/" in index
    assert "/admin/campaigns/campaign/" not in index
