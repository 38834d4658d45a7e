"""The public directory: organisation tree, person and organisation pages, caching, languages,
query counts."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from contacts.models import Person
from tests.contacts.support import SHY, build_directory
from tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    """The page as a reader sees it: tags removed, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", "", response.content.decode()).split())


@pytest.fixture
def world(db):
    return build_directory()


def test_directory_shows_organisations_as_a_tree_and_only_consenting_people(client, world):
    response = client.get(reverse("contacts:directory"))
    assert response.status_code == 200
    html = response.content.decode()
    # the office is listed inside the city's list item, the agency beside it
    city_item = html.index(world.city.get_absolute_url())
    office_item = html.index(world.office.get_absolute_url())
    nested = html[city_item:office_item]
    assert nested.count('<ul class="org-tree">') == 1
    assert world.agency.get_absolute_url() in html
    page = text(response)
    assert "Herr Amtsleiter Dr. Jürgen Müller" in page
    assert world.named.get_absolute_url() in html
    assert SHY["last_name"] not in page and world.shy.get_absolute_url() not in html
    # consenting, but named only by a draft measure and a draft campaign
    assert "Entwurf" not in page and world.hidden.get_absolute_url() not in html


def test_person_page_lists_where_the_person_is_responsible(client, world):
    response = client.get(world.named.get_absolute_url())
    assert response.status_code == 200
    page = text(response)
    assert "Dr. Jürgen Müller" in page
    assert "0341/123-4280" in page and "juergen.mueller@leipzig.example" in page
    assert "Maßnahmenplan Kreativwirtschaft" in page  # project lead
    assert "Netzwerke" in page  # field contact
    assert f"{world.measure.full_label}: Federführung" in page
    assert world.measure.get_absolute_url() in response.content.decode()
    assert "Leipzig liebt Regionales: Pressekontakt" in page
    assert "Netzwerktreffen Osterburg" in page
    assert "Geheimer Entwurf" not in page and "Kampagne im Entwurf" not in page
    assert reverse("contacts:person_vcard", kwargs={"pk": world.named.pk}) in (
        response.content.decode()
    )


def test_organisation_page_names_people_without_consent_by_function(client, world):
    response = client.get(world.office.get_absolute_url())
    assert response.status_code == 200
    page = text(response)
    assert "Kulturamt" in page and "Stadt Leipzig" in page
    assert "0341/123-4000" in page
    assert "Kreativpreis" in page
    assert "Kreativpreis: Unterstützung (Sachbearbeiterin)" in page  # role, but no name
    assert SHY["last_name"] not in page and SHY["phone"] not in page
    assert "Dr. Jürgen Müller" in page
    city = text(client.get(world.city.get_absolute_url()))
    assert "Leipzig liebt Regionales: Träger" in city
    assert "Kulturamt" in city  # its unit
    agency = text(client.get(world.agency.get_absolute_url()))
    assert "Leipzig liebt Regionales: Agentur" in agency
    assert "Geheimer Entwurf" not in agency


@pytest.mark.parametrize("who", ["shy", "hidden"])
def test_person_page_of_someone_not_in_the_directory_is_404(client, world, who):
    person = getattr(world, who)
    assert client.get(person.get_absolute_url()).status_code == 404
    vcard = reverse("contacts:person_vcard", kwargs={"pk": person.pk})
    assert client.get(vcard).status_code == 404


def test_members_see_a_consenting_person_named_only_in_drafts(client, world):
    client.force_login(StaffUserFactory(username="root"))
    response = client.get(world.hidden.get_absolute_url())
    assert response.status_code == 200
    assert "Geheimer Entwurf" in text(response)
    assert client.get(world.shy.get_absolute_url()).status_code == 404  # never without consent


def test_erased_person_leaves_the_directory(client, world):
    Person.objects.filter(pk=world.named.pk).update(
        erased_at="2026-01-01T00:00:00Z", public_contact=False, email="", phone=""
    )
    assert client.get(world.named.get_absolute_url()).status_code == 404


def test_directory_in_english(client, world):
    with translation.override("en"):
        url = reverse("contacts:directory")
        person_url = world.named.get_absolute_url()
    assert url.startswith("/en/")
    page = text(client.get(url))
    assert "Contacts" in page and "Organisations" in page and "Contact persons" in page
    person = text(client.get(person_url))
    assert "Where responsible" in person and "Measures" in person
    assert "Download contact card (vCard)" in person


def test_directory_pages_are_cached_and_answer_conditional_requests(client, world):
    url = world.named.get_absolute_url()
    first = client.get(url)
    etag = first["ETag"]
    assert etag and "no-cache" in first["Cache-Control"] and "public" in first["Cache-Control"]
    with CaptureQueriesContext(connection) as hit:
        again = client.get(url)
    assert again.content == first.content
    assert len(hit) == 3  # the stamp, in the request's savepoint
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    world.named.function = "Amtsleiter a. D."
    world.named.save()
    changed = client.get(url)
    assert changed["ETag"] != etag
    assert "Amtsleiter a. D." in text(changed)


def test_members_get_no_cached_copy(client, world):
    client.get(reverse("contacts:directory"))
    client.force_login(StaffUserFactory(username="root"))
    response = client.get(reverse("contacts:directory"))
    assert not response.has_header("ETag")
    assert world.hidden.get_absolute_url() in response.content.decode()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "page, expected",
    [
        # (savepoint, release) stamp; organisations, persons
        ("directory", 5),
        # (savepoint, release) stamp; person; plans, fields, measures, campaign contacts, events
        ("person", 9),
        # (savepoint, release) stamp; organisation; units, persons; plans, fields, measures,
        # organised campaigns, partnerships, events
        ("organisation", 12),
    ],
)
def test_directory_query_counts_do_not_grow_with_the_data(page, expected, settings):
    """The same number of queries for 2 and for 12 measures, campaigns, events and persons
    (a cache miss: every request below is the first of its kind)."""
    counts = []
    for extra in (2, 12):
        world = build_directory(extra=extra)
        url = {
            "directory": reverse("contacts:directory"),
            "person": world.named.get_absolute_url(),
            "organisation": world.office.get_absolute_url(),
        }[page]
        from django.core.cache import cache

        cache.clear()
        from django.test import Client

        counts.append(_queries(Client(), url))
        _reset()
    assert counts == [expected, expected]


def _reset():
    """Remove everything build_directory made, so the second round starts from scratch."""
    from actionplan.models import Plan
    from campaigns.models import Campaign
    from contacts.models import Organisation

    Campaign.objects.all().delete()
    for plan in Plan.objects.all():
        plan.delete()
    Person.objects.all().delete()
    while Organisation.objects.exists():
        Organisation.objects.filter(children__isnull=True).delete()
