"""vCard 4.0 downloads, read back with vobject."""

import pytest
import vobject
from django.urls import reverse

from tests.contacts.support import build_directory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return build_directory()


def read_card(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return vobject.readOne(response.content.decode())


def test_person_vcard_has_name_function_organisation_and_own_details(client, world):
    response = client.get(reverse("contacts:person_vcard", kwargs={"pk": world.named.pk}))
    card = read_card(response)
    assert response["Content-Disposition"] == 'attachment; filename="dr-jurgen-muller.vcf"'
    assert card.version.value == "4.0"
    assert card.kind.value == "individual"
    assert card.fn.value == "Dr. Jürgen Müller"
    assert (card.n.value.family, card.n.value.given, card.n.value.prefix) == (
        "Müller",
        "Jürgen",
        "Dr.",
    )
    assert card.title.value == "Amtsleiter"
    assert card.org.value == ["Stadt Leipzig", "Kulturamt"]
    assert card.tel.value == "0341/123-4280"
    assert card.email.value == "juergen.mueller@leipzig.example"
    assert card.source.value == "http://testserver" + world.named.get_absolute_url()


def test_organisation_vcard(client, world):
    world.agency.address = "Markt 1\n04109 Leipzig"
    world.agency.website = "https://rabe.example/"
    world.agency.save()
    card = read_card(
        client.get(reverse("contacts:organisation_vcard", kwargs={"pk": world.agency.pk}))
    )
    assert card.version.value == "4.0" and card.kind.value == "org"
    assert card.fn.value == "Agentur Rabe" and card.org.value == ["Agentur Rabe"]
    assert card.email.value == "info@rabe.example"
    assert card.adr.value.street == "Markt 1, 04109 Leipzig"
    assert {u.value for u in card.contents["url"]} == {
        "https://rabe.example/",
        "http://testserver" + world.agency.get_absolute_url(),
    }
    office = read_card(
        client.get(reverse("contacts:organisation_vcard", kwargs={"pk": world.office.pk}))
    )
    assert office.org.value == ["Stadt Leipzig", "Kulturamt"]


def test_vcard_of_a_person_without_consent_is_404(client, world):
    url = reverse("contacts:person_vcard", kwargs={"pk": world.shy.pk})
    assert client.get(url).status_code == 404


def test_vcard_escapes_hostile_values(client, world):
    world.named.function = "Chef\nEND:VCARD\nBEGIN:VCARD\nFN:Eindringling"
    world.named.save()
    card = read_card(client.get(reverse("contacts:person_vcard", kwargs={"pk": world.named.pk})))
    assert card.title.value == world.named.function
    assert card.fn.value == "Dr. Jürgen Müller"
