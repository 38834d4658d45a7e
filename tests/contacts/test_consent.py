"""Publication consent: ``Person.public_contact`` changes only through
``contact_consent_set``, which records who, when and how, writes the audit log, and is what the
admin form, the contacts import and the document imports call."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from access.models import AuditEvent
from contacts import services
from contacts.models import ContactConsent, Person
from imports.campaign_document import campaign_document_import
from tests.factories import OrganisationFactory, PersonFactory
from tests.imports.support import confirm, upload

pytestmark = pytest.mark.django_db

CONSENT_LINE = "Einwilligung: Kontaktdaten öffentlich – neu erteilt"


@pytest.fixture
def shy(db):
    return PersonFactory(
        first_name="Ines", last_name="Rabenberg", public_contact=False, email="ir@example.org"
    )


def change_url(person):
    return reverse("admin:contacts_person_change", args=[person.pk])


def person_form(person, **changes):
    data = {
        "salutation": person.salutation,
        "title": person.title,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "function": person.function,
        "organisation": person.organisation_id or "",
        "phone": person.phone,
        "email": person.email,
        "consent_source": "",
        "consent_note": "",
    }
    if person.public_contact:
        data["public_contact"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# --- the service ----------------------------------------------------------------------------


def test_consent_set_records_who_when_how_and_audits(shy, staff_user):
    assert not shy.consents.exists()
    record = services.contact_consent_set(
        shy,
        public=True,
        source=ContactConsent.Source.IN_WRITING,
        note="Brief vom 3.12.",
        acting_user=staff_user,
    )
    shy.refresh_from_db()
    assert shy.public_contact is True
    assert (record.given, record.source, record.note, record.recorded_by) == (
        True,
        "in_writing",
        "Brief vom 3.12.",
        staff_user,
    )
    assert record.recorded_at is not None
    event = AuditEvent.objects.get(action=AuditEvent.Action.CONSENT_CHANGED)
    assert (event.actor, event.object_id) == (staff_user, str(shy.pk))
    assert "neu erteilt" in event.detail and "schriftlich" in event.detail
    latest = shy.history.first()
    assert latest.public_contact is True and latest.history_user == staff_user


def test_consent_set_unchanged_records_nothing(shy, staff_user):
    result = services.contact_consent_set(
        shy, public=False, source=ContactConsent.Source.EMAIL, acting_user=staff_user
    )
    assert result is None
    assert not ContactConsent.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CONSENT_CHANGED).exists()


def test_consent_set_requires_a_source(shy, staff_user):
    with pytest.raises(ValidationError):
        services.contact_consent_set(shy, public=True, source="", acting_user=staff_user)
    shy.refresh_from_db()
    assert shy.public_contact is False and not shy.consents.exists()


def test_consent_cannot_be_given_for_an_erased_person(shy, staff_user):
    services.person_erase(person=shy, acting_user=staff_user)
    with pytest.raises(ValidationError):
        services.contact_consent_set(
            shy, public=True, source=ContactConsent.Source.IN_PERSON, acting_user=staff_user
        )
    assert not Person.objects.get(pk=shy.pk).public_contact


def test_erasure_keeps_consent_records_anonymised_and_withdraws(shy, staff_user):
    services.contact_consent_set(
        shy,
        public=True,
        source=ContactConsent.Source.EMAIL,
        note="Mail von Ines Rabenberg",
        acting_user=staff_user,
    )
    services.person_erase(person=shy, acting_user=staff_user)
    records = list(shy.consents.order_by("recorded_at", "pk"))
    assert [(r.given, r.source, r.note) for r in records] == [
        (True, "email", ""),
        (False, "erasure", ""),
    ]


# --- the admin form --------------------------------------------------------------------------


def test_admin_refuses_a_consent_change_without_source(staff_client, shy):
    response = staff_client.post(change_url(shy), person_form(shy, public_contact="on"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"consent_source", "consent_note"}
    shy.refresh_from_db()
    assert shy.public_contact is False and not shy.consents.exists()


def test_admin_records_the_consent_with_source_and_note(staff_client, staff_user, shy):
    data = person_form(
        shy, public_contact="on", consent_source="in_person", consent_note="Termin am 1.12."
    )
    response = staff_client.post(change_url(shy), data)
    assert response.status_code == 302
    shy.refresh_from_db()
    assert shy.public_contact is True
    record = shy.consents.get()
    assert (record.source, record.note, record.recorded_by) == (
        "in_person",
        "Termin am 1.12.",
        staff_user,
    )
    page = staff_client.get(change_url(shy)).content.decode()
    assert "Termin am 1.12." in page and "persönlich" in page


def test_admin_edit_without_consent_change_needs_no_source(staff_client, shy):
    response = staff_client.post(change_url(shy), person_form(shy, function="Amtsleiterin"))
    assert response.status_code == 302
    shy.refresh_from_db()
    assert shy.function == "Amtsleiterin" and not shy.consents.exists()


def test_admin_withdrawal_is_recorded(staff_client, shy, staff_user):
    services.contact_consent_set(
        shy, public=True, source="email", note="Mail", acting_user=staff_user
    )
    data = person_form(shy, consent_source="in_writing", consent_note="Widerruf per Brief")
    data.pop("public_contact")
    assert staff_client.post(change_url(shy), data).status_code == 302
    shy.refresh_from_db()
    assert shy.public_contact is False
    assert shy.consents.first().given is False


def test_reverting_to_an_old_version_cannot_restore_consent_silently(staff_client, staff_user, shy):
    services.contact_consent_set(
        shy, public=True, source="email", note="Mail", acting_user=staff_user
    )
    services.contact_consent_set(
        shy, public=False, source="in_writing", note="Widerruf", acting_user=staff_user
    )
    consenting = shy.history.filter(public_contact=True).latest("history_date")
    url = reverse("admin:contacts_person_simple_history", args=[shy.pk, consenting.history_id])
    old = consenting.instance
    response = staff_client.post(url, person_form(old))
    assert response.status_code == 200
    assert "consent_source" in response.context["adminform"].form.errors
    shy.refresh_from_db()
    assert shy.public_contact is False and shy.consents.count() == 2


# --- imports ---------------------------------------------------------------------------------


def test_contacts_import_records_the_file_and_shows_the_consent_change(
    staff_client, staff_user, shy
):
    content = (
        "ID,Nachname,Vorname,Organisation (ID),Kontaktdaten öffentlich\n"
        f"{shy.pk},{shy.last_name},{shy.first_name},,1\n"
    )
    preview = upload(staff_client, Person, content, name="personen.csv")
    assert CONSENT_LINE in preview.content.decode()
    assert not ContactConsent.objects.exists()  # the preview writes nothing
    confirm(staff_client, Person, preview)
    shy.refresh_from_db()
    assert shy.public_contact is True
    record = shy.consents.get()
    assert (record.source, record.recorded_by) == ("imported", staff_user)
    assert "personen.csv" in record.note


def _document(person_spec):
    return {
        "format": "planwerk-campaigns",
        "version": 1,
        "campaigns": [
            {
                "slug": "kampagne",
                "title": "Kampagne",
                "region": "Altmark",
                "contacts": [{"person": person_spec}],
            }
        ],
    }


def test_campaign_document_consent_is_previewed_and_recorded(staff_user, shy):
    spec = {
        "first_name": shy.first_name,
        "last_name": shy.last_name,
        "organisation": None,
        "public_contact": True,
    }
    shy.organisation = None
    shy.save()
    preview = campaign_document_import(
        data=_document(spec), acting_user=staff_user, dry_run=True, file_name="k.json"
    )
    lines = [
        f"{attribute}: {new}" for change in preview.changes for attribute, _old, new in change.diffs
    ]
    assert "Einwilligung: Kontaktdaten öffentlich: neu erteilt" in lines
    assert not ContactConsent.objects.exists()
    shy.refresh_from_db()
    assert shy.public_contact is False

    campaign_document_import(data=_document(spec), acting_user=staff_user, file_name="k.json")
    shy.refresh_from_db()
    assert shy.public_contact is True
    record = shy.consents.get()
    assert (record.source, record.recorded_by) == ("imported", staff_user)
    assert "k.json" in record.note
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.CONSENT_CHANGED, object_id=str(shy.pk)
    ).exists()


def test_campaign_document_new_person_with_consent_is_recorded(staff_user):
    office = OrganisationFactory(name="ART")
    spec = {"last_name": "Neu", "organisation": {"name": office.name}, "public_contact": True}
    campaign_document_import(data=_document(spec), acting_user=staff_user, file_name="n.json")
    person = Person.objects.get(last_name="Neu")
    assert person.public_contact is True
    assert person.consents.get().source == "imported"
