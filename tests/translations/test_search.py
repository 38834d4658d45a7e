"""The site search in two languages: English words find objects through their English texts
(for every reader); an English reader sees the hits in English, German ones marked “(in
German)”; a German reader sees German only; drafts stay hidden; the queries stay fixed."""

import pytest

from access.models import Membership
from search import selectors
from tests.campaigns.factories import CampaignEventFactory, CampaignFactory, ChannelFactory
from tests.factories import MeasureFactory, OrganisationFactory, StepFactory, UserFactory
from tests.search.test_views import (  # noqa: F401 - the search tests' fixtures
    _data,
    draft_campaign,
    draft_measure,
    search,
    text,
    titles,
)
from translations import registry

pytestmark = pytest.mark.django_db

ENGLISH_URL = "/en/suche/"


def search_en(client, q, **params):
    return client.get(ENGLISH_URL, {"q": q, **params})


def hits(response, kind) -> list:
    group = next(g for g in response.context["groups"] if g.kind.key == kind)
    return group.hits


@pytest.fixture
def contact_point(db):
    """A measure whose English title alone says “Contact point”."""
    measure = MeasureFactory(
        title="Kontaktstelle Kreativwirtschaft",
        title_en="Contact point for the creative industries",
        description="Beratung für Gründer.",
        field__title="Wirtschaft",
        field__title_en="Economy",
    )
    measure.field.plan.title_en = "Creative City Plan"
    measure.field.plan.save()
    return measure


def test_english_word_stored_only_in_english_finds_the_measure(client, contact_point):
    response = search_en(client, "Contact point")

    assert response.status_code == 200
    assert titles(response, "measures") == ["Contact point for the creative industries"]
    hit = hits(response, "measures")[0]
    assert "<mark>Contact point</mark>" in hit.title
    assert "in German" not in hit.title
    assert hit.meta == "Creative City Plan › Economy"
    assert hit.language == ""  # English content under an English page: no lang attribute
    body = text(response)
    assert "Contact point" in body and "Kontaktstelle" not in body


def test_german_reader_finds_it_by_the_english_word_and_reads_german(client, contact_point):
    response = search(client, "contact point")

    assert titles(response, "measures") == ["Kontaktstelle Kreativwirtschaft"]
    assert "Contact point" not in text(response)  # the German UI shows no English content


def test_english_reader_gets_german_fallbacks_marked(client, contact_point):
    contact_point.title_en = ""
    contact_point.save()

    response = search_en(client, "kontaktstelle")

    hit = hits(response, "measures")[0]
    assert '<span lang="de"><mark>Kontaktstelle</mark> Kreativwirtschaft</span>' in hit.title
    assert '<span class="in-german">(in German)</span>' in hit.title
    assert '<span class="in-german">(in German)</span>' in text(response)


def test_english_step_channel_event_and_organisation_texts_are_found(client, contact_point):
    StepFactory(measure=contact_point, text="Röster befragen", text_en="Interview roasters")
    campaign = CampaignFactory(title="Genusskampagne", title_en="Taste campaign")
    ChannelFactory(campaign=campaign, name="Flyer", name_en="Roasters leaflet")
    CampaignEventFactory(campaign=campaign, title="Abend", title_en="Roasters evening")
    OrganisationFactory(name="Röstereiverband", name_en="Roasters association")

    response = search_en(client, "roasters")

    measure = hits(response, "measures")[0]
    assert measure.excerpt == "Interview <mark>roasters</mark>"
    assert titles(response, "campaigns") == ["Taste campaign"]
    assert "<mark>Roasters</mark> leaflet" in hits(response, "campaigns")[0].excerpt
    assert titles(response, "organisations") == ["Roasters association"]
    german = search(client, "roasters")
    assert titles(german, "organisations") == ["Röstereiverband"]
    assert titles(german, "campaigns") == ["Genusskampagne"]


def test_every_searched_translated_text_is_searched_in_english_too():
    """The English column of each translated field the search reads is searched as well."""
    from actionplan.models import Measure, Plan

    assert selectors._both(Measure, ["title", "code"]) == ["title", "title_en", "code"]
    assert selectors._both(Plan, ["region"]) == ["region"]
    for label, field in selectors.RELATED.values():
        assert field in registry.FIELDS[label]


def test_english_texts_of_drafts_are_never_found(client, draft_measure, draft_campaign):  # noqa: F811
    draft_measure.title_en = "Secret roastery strategy"
    draft_measure.save()
    draft_campaign.title_en = "Roastery campaign"
    draft_campaign.save()
    MeasureFactory(title="Offene Förderung", title_en="Open roastery grant")  # the control

    for get in (search, search_en):
        response = get(client, "roastery")
        assert response.context["total"] == 1
        body = text(response)
        assert "Secret" not in body and "Geheime" not in body
        assert "Roastery campaign" not in body and "Röstereikampagne" not in body
        assert draft_measure.get_absolute_url() not in body

    client.force_login(UserFactory(is_staff=True))
    assert search_en(client, "roastery").context["total"] == 1
    editor = UserFactory(username="redaktion", is_staff=True)
    Membership.objects.create(
        user=editor,
        plan=draft_measure.field.plan,
        role=Membership.Role.EDITOR,
        organisation=draft_measure.responsibilities.get().organisation,
    )
    client.force_login(editor)
    assert "Secret roastery strategy" in titles(search_en(client, "roastery"), "measures")


@pytest.mark.parametrize("size", [1, 6])
def test_english_overview_costs_the_german_queries(client, django_assert_num_queries, size):
    _data(size)
    with django_assert_num_queries(2 + 6):
        response = search_en(client, "genuss")
    assert response.context["total"] == 4 * size
    for kind in ("measures", "campaigns"):
        with django_assert_num_queries(2 + 2):
            response = search_en(client, "genuss", kind=kind)
        assert response.context["page"].paginator.count == size
