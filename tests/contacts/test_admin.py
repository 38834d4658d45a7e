import csv
import io

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.models import Organisation, Person
from contacts.resources import OrganisationResource, PersonResource
from tests.factories import OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db

CONTACT_MODELS = sorted(
    (m for m in admin.site._registry if m._meta.app_label == "contacts"),
    key=lambda m: m._meta.label,
)


def admin_url(obj_or_model, view, *args):
    opts = obj_or_model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


@pytest.fixture
def people(db):
    city = OrganisationFactory(name="Stadt Leipzig", kind=Organisation.Kind.CITY_ADMINISTRATION)
    office = OrganisationFactory(name="Kulturamt", parent=city)
    return [
        PersonFactory(last_name="Milev", first_name="Yana", organisation=office),
        PersonFactory(last_name="Körner", organisation=city, public_contact=False),
    ]


def test_contacts_models_are_registered():
    assert CONTACT_MODELS == [Organisation, Person]


@pytest.mark.parametrize("model", CONTACT_MODELS, ids=lambda m: m._meta.label)
def test_contacts_admin_pages_render(staff_client, people, model):
    obj = model._default_manager.order_by("pk").first()
    for url in (
        admin_url(model, "changelist"),
        admin_url(model, "add"),
        admin_url(obj, "change", obj.pk),
        admin_url(obj, "history", obj.pk),
    ):
        assert staff_client.get(url).status_code == 200, url


def test_organisation_changelist_shows_parent_and_filters_kind(staff_client, people):
    url = admin_url(Organisation, "changelist")
    response = staff_client.get(url, {"q": "Kulturamt"})
    assert [o.name for o in response.context["cl"].result_list] == ["Kulturamt"]
    assert "Stadt Leipzig" in response.content.decode()

    response = staff_client.get(url, {"kind__exact": Organisation.Kind.CITY_ADMINISTRATION})
    assert [o.name for o in response.context["cl"].result_list] == ["Stadt Leipzig"]


def test_organisation_search_by_short_name(staff_client, people):
    office = Organisation.objects.get(name="Kulturamt")
    response = staff_client.get(admin_url(Organisation, "changelist"), {"q": office.short_name})
    assert office in response.context["cl"].result_list


def test_organisation_parent_autocomplete(staff_client, people):
    response = staff_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "contacts",
            "model_name": "organisation",
            "field_name": "parent",
            "term": "Stadt",
        },
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Stadt Leipzig"]


def test_person_changelist_search_and_filters(staff_client, people):
    url = admin_url(Person, "changelist")
    response = staff_client.get(url, {"q": "Milev"})
    assert list(response.context["cl"].result_list) == [people[0]]
    response = staff_client.get(url, {"q": "Kulturamt"})
    assert list(response.context["cl"].result_list) == [people[0]]
    response = staff_client.get(url, {"public_contact__exact": "0"})
    assert list(response.context["cl"].result_list) == [people[1]]
    office = people[0].organisation
    response = staff_client.get(url, {"organisation__id__exact": office.pk})
    assert list(response.context["cl"].result_list) == [people[0]]


@pytest.mark.parametrize("model", CONTACT_MODELS, ids=lambda m: m._meta.label)
def test_contacts_changelist_query_count_is_constant(
    staff_client, model, django_assert_max_num_queries
):
    for i in range(60):
        parent = OrganisationFactory(name=f"Dezernat {i}")
        PersonFactory(organisation=OrganisationFactory(name=f"Amt {i}", parent=parent))
    ContentType.objects.clear_cache()
    # session, user, two savepoints, two counts, the page, the organisation filter's list
    with django_assert_max_num_queries(9):
        response = staff_client.get(admin_url(model, "changelist"))
    assert len(response.context["cl"].result_list) == min(100, model.objects.count()) >= 60


def export_csv(client, model, resource_class):
    formats = admin.site._registry[model].get_export_formats()
    csv_index = next(i for i, f in enumerate(formats) if f().get_title() == "csv")
    prefix = resource_class.__name__.lower()
    data = {"format": str(csv_index), "resource": "0"}
    data.update({f"{prefix}_{name}": "on" for name in resource_class().get_export_order()})
    response = client.post(admin_url(model, "export"), data)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_person_export_has_german_columns(staff_client, people):
    rows = export_csv(staff_client, Person, PersonResource)
    milev = next(r for r in rows if r["Nachname"] == "Milev")
    assert milev["Vorname"] == "Yana"
    assert milev["Organisation"] == "Kulturamt"
    assert milev["Organisation (ID)"] == str(people[0].organisation_id)
    assert milev["Kontaktdaten öffentlich"] == "1"


def test_organisation_export_has_parent(staff_client, people):
    rows = export_csv(staff_client, Organisation, OrganisationResource)
    office = next(r for r in rows if r["Name"] == "Kulturamt")
    assert office["übergeordnete Organisation"] == "Stadt Leipzig"


def test_person_import_creates_person_with_history(staff_client, staff_user, people):
    office = people[0].organisation
    content = (
        "ID,Nachname,Vorname,Organisation (ID),Kontaktdaten öffentlich\n"
        f",Rabenberg,Ines,{office.pk},0\n"
    ).encode()
    model_admin = admin.site._registry[Person]
    csv_index = next(
        i for i, f in enumerate(model_admin.get_import_formats()) if f().get_title() == "csv"
    )
    response = staff_client.post(
        admin_url(Person, "import"),
        {
            "import_file": SimpleUploadedFile("p.csv", content, content_type="text/csv"),
            "format": str(csv_index),
            "resource": "0",
        },
    )
    assert response.status_code == 200
    confirm = response.context["confirm_form"]
    response = staff_client.post(
        admin_url(Person, "process_import"),
        {name: confirm[name].value() for name in confirm.fields},
    )
    assert response.status_code == 302
    person = Person.objects.get(last_name="Rabenberg")
    assert (person.first_name, person.organisation, person.public_contact) == (
        "Ines",
        office,
        False,
    )
    assert person.history.get().history_user == staff_user
