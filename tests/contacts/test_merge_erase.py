"""Merging duplicates and erasing a person on request, in the admin and as services."""

import pytest
from django.apps import apps
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import models
from django.urls import reverse
from django.utils import translation

from access.models import AuditEvent, Membership
from actionplan import models as ap
from campaigns import models as cp
from contacts import services
from contacts.models import NO_NAME, Organisation, Person
from tests.contacts.support import SHY, build_directory
from tests.factories import OrganisationFactory, PersonFactory, PlanFactory, UserFactory

pytestmark = pytest.mark.django_db


def changelist(model):
    return reverse(f"admin:contacts_{model._meta.model_name}_changelist")


def post_action(client, model, action, records, follow=False, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [r.pk for r in records], **extra}
    return client.post(changelist(model), data, follow=follow)


@pytest.fixture
def world(db):
    return build_directory()


@pytest.fixture
def coordinator(world):
    user = UserFactory(username="koordination", is_staff=True)
    Membership.objects.create(user=user, plan=world.plan, role="coordinator")
    return user


@pytest.fixture
def editor(world):
    user = UserFactory(username="redaktion", is_staff=True)
    Membership.objects.create(user=user, plan=world.plan, role="editor", organisation=world.office)
    return user


# --- merge ---------------------------------------------------------------------------------


def test_merge_moves_every_reference_to_the_kept_person(client, world, coordinator):
    twin = PersonFactory(
        first_name="Juergen",
        last_name="Mueller",
        organisation=world.office,
        phone="",
        email="jm@example.org",
        public_contact=False,
    )
    # the twin is named where the original is named too (would become a duplicate row) …
    world.field.field_contacts.create(person=twin, position=3)
    cp.CampaignContact.objects.create(campaign=world.campaign, person=twin, role="doppelt")
    # … and where the original is not
    other_plan_field = ap.FieldOfAction.objects.create(
        plan=world.plan, position=2, title="Orte", slug="orte"
    )
    other_plan_field.field_contacts.create(person=twin, position=1)
    taken = world.draft_measure.responsibilities.aggregate(m=models.Max("position"))["m"] or 0
    resp = ap.Responsibility.objects.create(
        measure=world.draft_measure, person=twin, position=taken + 1, role="support"
    )
    led = PlanFactory(slug="zweiter-plan", project_lead=twin)
    participant = cp.EventParticipant.objects.create(
        event=cp.CampaignEvent.objects.create(campaign=world.campaign, title="Workshop"),
        person=twin,
    )
    client.force_login(coordinator)
    page = post_action(client, Person, "merge_selected", [world.named, twin])
    assert page.status_code == 200 and "contacts/admin/merge.html" in [
        t.name for t in page.templates
    ]
    response = post_action(
        client, Person, "merge_selected", [world.named, twin], keep=world.named.pk, post="yes"
    )
    assert response.status_code == 302
    assert not Person.objects.filter(pk=twin.pk).exists()
    keep = Person.objects.get(pk=world.named.pk)
    assert keep.email == "juergen.mueller@leipzig.example"  # the kept record's values win
    resp.refresh_from_db()
    participant.refresh_from_db()
    assert resp.person == keep and participant.person == keep
    led.refresh_from_db()
    assert led.project_lead == keep and led.history.first().project_lead_id == keep.pk
    assert list(other_plan_field.field_contacts.values_list("person", flat=True)) == [keep.pk]
    assert world.field.field_contacts.filter(person=keep).count() == 1
    assert cp.CampaignContact.objects.filter(campaign=world.campaign, person=keep).count() == 1
    assert keep.history.first().history_change_reason == f"merged from #{twin.pk}"
    assert keep.history.first().history_user == coordinator
    event = AuditEvent.objects.get(action=services.MERGED)
    assert event.actor == coordinator and f"#{twin.pk}" in event.detail
    with translation.override("de"):
        assert event.get_action_display() == "Kontakte zusammengeführt"


def test_merge_finds_references_generically(world):
    """Every model that points at a person or organisation is covered: nothing is left over
    pointing at the deleted record (a PROTECT reference would make the delete fail)."""
    person_refs = {(m._meta.label, f) for m, f in services._references(Person)}
    assert {
        ("actionplan.Plan", "project_lead"),
        ("actionplan.FieldContact", "person"),
        ("actionplan.Responsibility", "person"),
        ("campaigns.CampaignContact", "person"),
        ("campaigns.EventParticipant", "person"),
    } <= person_refs
    expected = {
        (model._meta.label, field.name)
        for model in apps.get_models()
        for field in model._meta.fields
        if isinstance(field, models.ForeignKey)
        and field.related_model is Person
        and not model._meta.label.split(".")[1].startswith("Historical")
    }
    assert expected == person_refs
    org_refs = {(m._meta.label, f) for m, f in services._references(Organisation)}
    assert ("access.Membership", "organisation") in org_refs
    assert ("contacts.Organisation", "parent") in org_refs
    assert ("campaigns.CampaignPartner", "organisation") in org_refs


def test_merge_organisations_moves_units_people_and_memberships(world, coordinator, editor):
    twin = OrganisationFactory(name="Kulturamt Leipzig", email="")
    unit = OrganisationFactory(name="Referat Museen", parent=twin)
    person = PersonFactory(organisation=twin)
    other_editor = UserFactory(username="zweite", is_staff=True)
    membership = Membership.objects.create(
        user=other_editor, plan=world.plan, role="editor", organisation=twin
    )
    # the editor edits for both: after the merge one membership is enough
    Membership.objects.create(user=editor, plan=world.plan, role="editor", organisation=twin)
    counts = services.contacts_merge(keep=world.office, duplicates=[twin], acting_user=coordinator)
    assert counts == {"moved": 3, "deleted": 1}
    for obj in (unit, person, membership):
        obj.refresh_from_db()
    assert unit.parent == world.office
    assert person.organisation == world.office
    assert membership.organisation == world.office
    assert Membership.objects.filter(user=editor).count() == 1
    assert not Organisation.objects.filter(pk=twin.pk).exists()


def test_merging_a_unit_into_its_parent_keeps_the_tree_valid(world, coordinator):
    services.contacts_merge(keep=world.office, duplicates=[world.city], acting_user=coordinator)
    world.office.refresh_from_db()
    assert world.office.parent is None
    assert cp.Campaign.objects.get(pk=world.campaign.pk).organiser == world.office


# --- erasure -----------------------------------------------------------------------------------


def all_text_rows():
    """Every text value of every table of the project apps, history tables included."""
    for label in ("contacts", "actionplan", "campaigns", "access", "documents", "imports", "admin"):
        for model in apps.get_app_config(label).get_models():
            names = [
                f.name
                for f in model._meta.concrete_fields
                if isinstance(f, models.CharField | models.TextField)
            ]
            if names:
                for row in model._base_manager.values_list(*names):
                    yield model._meta.label, row


def test_erasure_removes_the_details_from_every_table_and_history(client, world, coordinator):
    shy = world.shy
    shy.email = "alt@privat.example"  # an older address, kept only in the history
    shy.save()
    shy.email = SHY["email"]
    shy.save()
    client.force_login(coordinator)
    # the admin's log names the person too
    client.post(reverse("admin:contacts_person_change", args=[shy.pk]), {})
    confirm_page = post_action(client, Person, "erase_selected", [shy])
    assert SHY["last_name"] in confirm_page.content.decode()
    response = post_action(client, Person, "erase_selected", [shy], post="yes")
    assert response.status_code == 302

    shy.refresh_from_db()
    assert shy.last_name == NO_NAME and shy.first_name == shy.email == shy.phone == ""
    assert shy.erased_at is not None and not shy.public_contact
    assert shy.function == "Sachbearbeiterin" and shy.organisation == world.office
    # the records that named the person are still there, with their roles
    assert ap.Responsibility.objects.filter(person=shy, role="support").exists()
    assert world.field.field_contacts.filter(person=shy).exists()
    contact = cp.CampaignContact.objects.get(person=shy)
    assert contact.role == "Rückfragen" and contact.fax == NO_NAME
    erased = [
        SHY["email"],
        SHY["phone"],
        "alt@privat.example",
        "0341/999-4712",
        f"{SHY['first_name']} {SHY['last_name']}",
    ]
    leaks = [
        (table, value)
        for table, row in all_text_rows()
        for value in row
        for secret in erased
        if value and secret in value
    ]
    assert leaks == []
    assert all(h.first_name == "" for h in shy.history.all())
    assert shy.history.count() >= 4
    event = AuditEvent.objects.get(action=services.ERASED)
    assert event.actor == coordinator and event.detail == f"person #{shy.pk}"
    assert (event.object_id, event.object_repr) == (str(shy.pk), NO_NAME)
    # the public pages still show the measure, with the role
    page = client.get(world.measure.get_absolute_url()).content.decode()
    assert "Kreativpreis" in page and SHY["last_name"] not in page


def test_erasure_keeps_other_people_and_the_organisations_details(world, coordinator):
    world.shy.phone = world.office.phone  # the switchboard, not the person's own
    world.shy.save()
    namesake = PersonFactory(first_name="Gerlinde", last_name="Anders", organisation=world.office)
    services.person_erase(person=world.shy, acting_user=coordinator)
    world.office.refresh_from_db()
    namesake.refresh_from_db()
    assert world.office.phone == "0341/123-4000"
    assert (namesake.first_name, namesake.last_name) == ("Gerlinde", "Anders")
    assert Person.objects.get(pk=world.named.pk).last_name == "Müller"


def test_erased_person_cannot_be_given_details_again(client, world, coordinator):
    services.person_erase(person=world.shy, acting_user=coordinator)
    client.force_login(coordinator)
    page = client.get(reverse("admin:contacts_person_change", args=[world.shy.pk]))
    assert 'name="email"' not in page.content.decode()


# --- permissions -------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["merge_selected", "erase_selected"])
def test_editor_without_may_manage_contacts_gets_403(client, world, editor, action):
    client.force_login(editor)
    before = sorted(Person.objects.values_list("pk", "last_name", "email"))
    assert client.get(changelist(Person)).status_code == 200
    form = client.get(changelist(Person)).context["action_form"]
    assert action not in [name for name, _ in (form.fields["action"].choices if form else [])]
    for extra in ({}, {"post": "yes", "keep": world.named.pk}):
        response = post_action(client, Person, action, [world.named, world.shy], **extra)
        assert response.status_code == 403
    assert sorted(Person.objects.values_list("pk", "last_name", "email")) == before


def test_services_refuse_without_permission(world, editor):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.person_erase(person=world.shy, acting_user=editor)
    with pytest.raises(PermissionDenied):
        services.contacts_merge(keep=world.named, duplicates=[world.shy], acting_user=editor)
    assert Person.objects.get(pk=world.shy.pk).last_name == SHY["last_name"]


def test_merge_needs_two_records(client, world, coordinator):
    client.force_login(coordinator)
    response = post_action(client, Person, "merge_selected", [world.named], follow=True)
    assert "Wählen Sie mindestens zwei Einträge zum Zusammenführen aus." in [
        str(m) for m in response.context["messages"]
    ]
    assert Person.objects.filter(pk=world.named.pk).exists()


def test_erasure_drops_every_stored_pdf_export(
    world, coordinator, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile

    from documents.models import PdfExport

    export = PdfExport.objects.create(plan=world.plan, cache_key="alt")
    export.file.save("plan.pdf", ContentFile(b"%PDF Gerlinde Verschwiegen"), save=True)
    storage, name = export.file.storage, export.file.name
    other = PdfExport.objects.create(plan=PlanFactory(slug="unbeteiligt"), cache_key="anderer")
    with django_capture_on_commit_callbacks(execute=True):
        services.person_erase(person=world.shy, acting_user=coordinator)
    assert not PdfExport.objects.filter(pk=export.pk).exists()
    assert not storage.exists(name)
    # rendered before the erasure, perhaps when that plan still named the person
    assert not PdfExport.objects.filter(pk=other.pk).exists()


def test_erasure_scrubs_the_person_from_stored_plan_versions(world, coordinator):
    """A plan version keeps its snapshot as JSON: the erased person becomes “—” there too."""
    import datetime
    import json

    from versions.models import PlanVersion
    from versions.services import plan_version_publish

    shy = world.shy
    shy.public_contact = True  # consenting at the time of the version: name and e-mail stored
    shy.save()
    version = plan_version_publish(
        plan=world.field.plan,
        label="Stand Mai 2011",
        date=datetime.date(2011, 5, 1),
        acting_user=coordinator,
    )
    assert SHY["last_name"] in json.dumps(version.snapshot, ensure_ascii=False)

    services.person_erase(person=shy, acting_user=coordinator)

    stored = json.dumps(PlanVersion.objects.get(pk=version.pk).snapshot, ensure_ascii=False)
    for secret in (SHY["last_name"], SHY["email"], SHY["phone"]):
        assert secret not in stored
    assert NO_NAME in stored
