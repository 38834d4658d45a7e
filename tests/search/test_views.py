"""The public site search: what it finds, for whom, and how it shows it."""

import re

import pytest
from django.urls import reverse

from access.models import Membership
from actionplan import models as ap
from campaigns import models as cp
from tests.campaigns.factories import (
    CampaignContactFactory,
    CampaignEventFactory,
    CampaignFactory,
    ChannelFactory,
)
from tests.factories import (
    MeasureFactory,
    OrganisationFactory,
    PersonFactory,
    PlanFactory,
    ResponsibilityFactory,
    StepFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = "/suche/"


def search(client, q, **params):
    return client.get(URL, {"q": q, **params})


def text(response) -> str:
    return response.content.decode()


def titles(response, kind) -> list[str]:
    """The plain titles of the hits of one kind on the page; a measure without a code is named
    with its field's number (“3 · Title”, ``Measure.full_label``), which is left out here."""
    if "groups" in response.context:
        group = next(g for g in response.context["groups"] if g.kind.key == kind)
        hits = group.hits
    else:
        hits = response.context["hits"] if response.context["kind"].key == kind else []
    return [re.sub(r"^\d+ · ", "", re.sub(r"</?mark>", "", str(hit.title))) for hit in hits]


@pytest.fixture
def measure(db):
    measure = MeasureFactory(title="Regionalmarke entwickeln", description="Eine Marke.")
    StepFactory(measure=measure, text="Gespräche mit Kaffeeröstereien über Lieferketten führen")
    return measure


@pytest.fixture
def draft_measure(db):
    """A draft measure in a published plan, organisation A's."""
    org = OrganisationFactory(name="Organisation A")
    plan = PlanFactory(slug="offen")
    measure = MeasureFactory(
        field__plan=plan, title="Geheime Röstereistrategie", state=ap.Measure.State.DRAFT
    )
    ResponsibilityFactory(measure=measure, organisation=org)
    return measure


@pytest.fixture
def draft_campaign(db):
    return CampaignFactory(
        title="Röstereikampagne", motto="Noch nicht verraten", status=cp.Campaign.Status.DRAFT
    )


# --- what it finds ------------------------------------------------------------------------------


def test_search_finds_a_measure_by_a_step_text_with_an_excerpt(client, measure):
    response = search(client, "kaffeeröster")
    assert response.status_code == 200
    assert titles(response, "measures") == ["Regionalmarke entwickeln"]
    body = text(response)
    assert f'href="{measure.get_absolute_url()}"' in body
    assert "Gespräche mit <mark>Kaffeeröster</mark>eien über Lieferketten führen" in body


def test_search_finds_a_measure_by_title_and_code_case_insensitively(client, measure):
    measure.code = "B7"
    measure.save()
    label = f"{measure.field.position} B7 · Regionalmarke entwickeln"
    assert titles(search(client, "REGIONALMARKE"), "measures") == [label]
    assert titles(search(client, "b7"), "measures") == [label]


def test_search_ignores_the_case_of_umlauts_too(client):
    MeasureFactory(title="Ökologische Landwirtschaft", description="ÜBER GRÜNE WIESEN")
    assert titles(search(client, "ökolog"), "measures") == ["Ökologische Landwirtschaft"]
    response = search(client, "über grüne")
    assert titles(response, "measures") == ["Ökologische Landwirtschaft"]
    assert "<mark>ÜBER GRÜNE</mark> WIESEN" in text(response)


def test_search_finds_a_campaign_by_its_motto(client):
    campaign = CampaignFactory(title="Ruhr-Kampagne", motto="Stadt der Städte")
    CampaignFactory(title="Andere Kampagne", motto="Etwas anderes")
    response = search(client, "stadt der st")
    assert titles(response, "campaigns") == ["Ruhr-Kampagne"]
    assert f'href="{campaign.get_absolute_url()}"' in text(response)
    # the motto stands in the context line, not once more as the excerpt
    assert response.context["groups"][3].hits[0].meta == "Stadt der Städte · Leipzig"
    assert "<mark>" not in response.context["groups"][3].hits[0].excerpt


def test_search_finds_a_campaign_by_channel_and_event_title(client):
    campaign = CampaignFactory(title="Altmark")
    ChannelFactory(campaign=campaign, name="Imagebroschüre")
    CampaignEventFactory(campaign=campaign, title="Netzwerktreffen in Osterburg")
    assert titles(search(client, "imagebrosch"), "campaigns") == ["Altmark"]
    response = search(client, "osterburg")
    assert titles(response, "campaigns") == ["Altmark"]
    assert "Netzwerktreffen in <mark>Osterburg</mark>" in text(response)


def test_search_finds_plans_and_fields(client, measure):
    field = measure.field
    field.title = "Tourismus und Genuss"
    field.save()
    response = search(client, "genuss")
    assert titles(response, "fields") == ["Tourismus und Genuss"]
    assert f'href="{field.get_absolute_url()}"' in text(response)
    plan = field.plan
    assert titles(search(client, plan.title), "plans") == [plan.title]


def test_search_finds_a_consenting_person_but_never_a_shy_one(client):
    plan = PlanFactory()
    open_person = PersonFactory(
        first_name="Susanne", last_name="Sonnenschein", phone="0341/111-1", email="s@example.org"
    )
    shy = PersonFactory(
        first_name="Karl",
        last_name="Sonnenschein",
        phone="0341/999-2",
        email="karl@example.org",
        public_contact=False,
    )
    field = MeasureFactory(field__plan=plan).field
    for position, person in enumerate((open_person, shy), start=1):
        ap.FieldContact.objects.create(field=field, person=person, position=position)
    response = search(client, "sonnenschein")
    body = text(response)
    assert titles(response, "persons") == [open_person.public_name]
    assert f'href="{open_person.get_absolute_url()}"' in body
    assert "Karl" not in body and shy.get_absolute_url() not in body
    for secret in ("0341/111-1", "s@example.org", "0341/999-2", "karl@example.org"):
        assert secret not in body
    # the full name, as somebody would type it
    assert titles(search(client, "susanne sonnen"), "persons") == [open_person.public_name]
    assert titles(search(client, "karl sonnen"), "persons") == []


def test_search_does_not_find_a_consenting_person_named_only_by_drafts(client):
    draft_plan = PlanFactory(status=ap.Plan.Status.DRAFT)
    field = MeasureFactory(field__plan=draft_plan).field
    person = PersonFactory(last_name="Verborgen")
    ap.FieldContact.objects.create(field=field, person=person, position=1)
    assert titles(search(client, "verborgen"), "persons") == []


def test_search_finds_organisations(client):
    org = OrganisationFactory(name="Amt für Wirtschaftsförderung", short_name="AfWiFö")
    response = search(client, "afwif")
    assert titles(response, "organisations") == ["Amt für Wirtschaftsförderung"]
    assert f'href="{org.get_absolute_url()}"' in text(response)


# --- drafts -------------------------------------------------------------------------------------


def test_drafts_never_reach_anonymous_visitors(client, draft_measure, draft_campaign):
    response = search(client, "rösterei")
    assert response.context["total"] == 0
    body = text(response)
    assert "Geheime" not in body and "Röstereikampagne" not in body
    assert draft_measure.get_absolute_url() not in body


def test_drafts_never_reach_staff_without_a_role(client, draft_measure, draft_campaign):
    client.force_login(UserFactory(is_staff=True))
    response = search(client, "rösterei")
    assert response.context["total"] == 0
    assert "Geheime" not in text(response)


def test_drafts_are_found_by_their_editor(client, draft_measure, draft_campaign):
    editor = UserFactory(is_staff=True)
    Membership.objects.create(
        user=editor,
        plan=draft_measure.field.plan,
        role=Membership.Role.EDITOR,
        organisation=draft_measure.responsibilities.get().organisation,
    )
    Membership.objects.create(user=editor, campaign=draft_campaign, role=Membership.Role.EDITOR)
    client.force_login(editor)
    response = search(client, "rösterei")
    assert titles(response, "measures") == ["Geheime Röstereistrategie"]
    assert titles(response, "campaigns") == ["Röstereikampagne"]
    assert "private" in response["Cache-Control"]


def test_search_of_one_kind_lists_only_visible_rows(client, draft_measure):
    MeasureFactory(field=draft_measure.field, title="Öffentliche Röstereiförderung")
    response = search(client, "rösterei", kind="measures")
    assert titles(response, "measures") == ["Öffentliche Röstereiförderung"]
    assert response.context["page"].paginator.count == 1


# --- escaping, input limits ---------------------------------------------------------------------


def test_query_is_shown_escaped(client):
    response = search(client, "<script>alert(1)</script>")
    body = text(response)
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_excerpts_and_titles_are_escaped_and_only_the_term_marked(client):
    measure = MeasureFactory(
        title="<b>Fett</b> & Co", description='Vorher <img src=x onerror="alert(1)"> Fett danach'
    )
    response = search(client, "fett")
    body = text(response)
    assert "<img" not in body and "<b>" not in body
    assert "&lt;b&gt;<mark>Fett</mark>&lt;/b&gt; &amp; Co" in body
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; <mark>Fett</mark> danach" in body
    assert measure.get_absolute_url() in body


def test_a_term_with_sql_wildcards_matches_literally(client, measure):
    MeasureFactory(title="100% regional")
    assert titles(search(client, "0%"), "measures") == ["100% regional"]
    assert titles(search(client, "e_"), "measures") == []


def test_empty_query_shows_the_hint_and_no_error(client):
    for params in ({}, {"q": ""}, {"q": "   "}):
        response = client.get(URL, params)
        assert response.status_code == 200
        assert "Geben Sie im Suchfeld" in text(response)
        assert 'role="alert"' not in text(response)


def test_short_query_is_explained(client, measure):
    response = search(client, "r")
    assert response.status_code == 200
    assert "Geben Sie mindestens 2 Zeichen ein." in text(response)
    assert "groups" not in response.context


def test_long_query_is_rejected_gracefully(client, measure):
    response = search(client, "Regionalmarke " * 10)
    assert response.status_code == 400
    body = text(response)
    assert "Geben Sie höchstens 100 Zeichen ein (Sie haben 139 eingegeben)." in body
    assert "groups" not in response.context
    assert response["Content-Type"].startswith("text/html")


def test_unknown_kind_is_explained(client, measure):
    response = search(client, "regional", kind="passwords")
    assert response.status_code == 200
    assert "Diese Art von Treffern gibt es nicht." in text(response)


def test_search_page_in_english(client, measure):
    response = client.get("/en/suche/", {"q": "kaffeeröster"})
    body = text(response)
    assert '<html lang="en">' in body
    assert "1 result" in body and ">Measures <" in body


# --- grouping and caps --------------------------------------------------------------------------


def test_overview_caps_each_kind_and_links_to_all(client, measure):
    for i in range(7):
        MeasureFactory(field=measure.field, title=f"Regionalmarke Teil {i}")
    response = search(client, "regionalmarke")
    group = next(g for g in response.context["groups"] if g.kind.key == "measures")
    assert group.total == 8 and len(group.hits) == 5
    assert 'href="?q=regionalmarke&amp;kind=measures"' in text(response)
    # titles holding the term come before hits found in other texts
    StepFactory(measure=MeasureFactory(field=measure.field, title="Anderes"), text="Regionalmarke")
    ordered = titles(search(client, "regionalmarke", kind="measures"), "measures")
    assert ordered[-1] == "Anderes" and len(ordered) == 9


def test_kind_pages_are_paginated(client, measure):
    for i in range(25):
        MeasureFactory(field=measure.field, title=f"Regionalmarke Teil {i}")
    first = search(client, "regionalmarke", kind="measures")
    assert len(first.context["hits"]) == 20
    second = search(client, "regionalmarke", kind="measures", page=2)
    assert len(second.context["hits"]) == 6


# --- headers ------------------------------------------------------------------------------------


def test_anonymous_answer_has_no_cookie_no_csrf_token_and_is_not_stored(client, measure):
    response = search(client, "regionalmarke")
    assert not response.cookies
    assert "csrfmiddlewaretoken" not in text(response)
    assert "no-store" in response["Cache-Control"]
    assert "Cookie" not in response.get("Vary", "")


def test_header_search_form_on_every_page_is_accessible_and_keeps_the_term(client, measure):
    body = text(client.get(measure.get_absolute_url()))
    form = re.search(r'<form class="site-search" role="search"[^>]*>.*?</form>', body, re.S)
    assert form is not None
    assert f'action="{reverse("search:results")}"' in form.group()
    assert 'method="get"' in form.group()
    assert '<label for="site-search-q">Website durchsuchen</label>' in form.group()
    response = search(client, 'a"b<c')
    assert 'value="a&quot;b&lt;c"' in text(response)


# --- queries ------------------------------------------------------------------------------------


def _data(size: int):
    for i in range(size):
        measure = MeasureFactory(title=f"Genuss {i}", description="Genuss und Handwerk")
        StepFactory.create_batch(2, measure=measure, text="Genussfest planen")
        campaign = CampaignFactory(title=f"Genusskampagne {i}", motto="Genuss")
        ChannelFactory(campaign=campaign, name="Genussflyer")
        CampaignEventFactory(campaign=campaign, title="Genussabend")
        person = PersonFactory(last_name=f"Genussmann{i}")
        CampaignContactFactory(campaign=campaign, person=person)
        OrganisationFactory(name=f"Genussverein {i}")


@pytest.mark.parametrize("size", [1, 12])
def test_query_count_is_fixed_for_the_overview(client, django_assert_num_queries, size):
    _data(size)
    # the request's savepoint and its release (ATOMIC_REQUESTS), then one query per kind
    with django_assert_num_queries(2 + 6):
        response = search(client, "genuss")
    totals = {group.kind.key: group.total for group in response.context["groups"]}
    assert totals == {
        "plans": 0,
        "fields": 0,
        "measures": size,
        "campaigns": size,
        "persons": size,
        "organisations": size,
    }


@pytest.mark.parametrize("size", [1, 25])
def test_query_count_is_fixed_for_one_kind(client, django_assert_num_queries, size):
    _data(size)
    for kind in ("measures", "campaigns", "persons"):
        with django_assert_num_queries(2 + 2):  # savepoint, release; count and page
            response = search(client, "genuss", kind=kind)
        assert response.context["page"].paginator.count == size


def test_query_count_for_a_member(client, django_assert_num_queries, draft_measure):
    _data(3)
    user = UserFactory(is_staff=True)
    Membership.objects.create(user=user, plan=draft_measure.field.plan, role="reader")
    client.force_login(user)
    # session, user, memberships, savepoint and release, then one per kind
    with django_assert_num_queries(3 + 2 + 6):
        search(client, "genuss")
