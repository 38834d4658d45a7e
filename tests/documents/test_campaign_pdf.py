"""The campaign brief PDF: the four demo campaigns, access, privacy, cache, outline and tags."""

import re
from html import unescape
from unittest import mock

import pytest
from django.template.defaultfilters import floatformat
from django.test import Client
from django.urls import reverse
from django.utils import translation

import documents
from access.models import Membership
from actionplan.models import Measure
from actionplan.templatetags.planwerk_public import fuzzy_date
from campaigns.models import Campaign
from documents import rendering, services
from documents.campaigns import CampaignDocumentRequest
from tests.campaigns.conftest import demo_campaigns, demo_document, leipzig_plan  # noqa: F401
from tests.campaigns.factories import (
    CampaignContactFactory,
    CampaignEventFactory,
    CampaignFactory,
    ChannelFactory,
    KeyFigureFactory,
)
from tests.contacts.support import SHY, build_directory
from tests.documents.pdf_factories import (
    pdf_info,
    pdf_metadata,
    pdf_objects,
    pdf_outline,
    pdf_pages,
    requires_poppler,
    squash,
)
from tests.factories import (
    MeasureFactory,
    PersonFactory,
    StaffUserFactory,
    UserFactory,
    build_plan,
)

pytestmark = [pytest.mark.django_db, requires_poppler]

DEMO_SLUGS = [
    "leipzig-liebt-regionales",
    "bildungsmarketing-erfurt",
    "stadt-der-staedte",
    "altmark-mehr-platz-fuer-entfaltung",
]


def pdf_url(campaign) -> str:
    return reverse("campaigns:campaign_pdf", kwargs={"slug": campaign.slug})


def expected_sections(campaign) -> list[str]:
    """The brief's section headings, in order: only those with something to print."""
    present = [
        (campaign.channels.exists(), "Kanäle"),
        (campaign.events.exists(), "Veranstaltungen"),
        (campaign.key_figures.exists(), "Kennzahlen"),
        (campaign.partner_links.exists(), "Partner"),
        (
            Measure.objects.published().filter(campaigns=campaign).exists(),
            "Maßnahmen, die diese Kampagne umsetzt",
        ),
        (campaign.contact_links.exists(), "Kontakt"),
    ]
    return [heading for shown, heading in present if shown]


def _german_number(value) -> str:
    with translation.override("de"):
        return floatformat(value, "-2g")


def test_each_demo_campaign_brief_has_its_facts_on_at_most_two_pages(client, demo_campaigns):  # noqa: F811
    assert sorted(demo_campaigns) == sorted(DEMO_SLUGS)
    for slug in DEMO_SLUGS:
        campaign = demo_campaigns[slug]
        response = client.get(pdf_url(campaign))
        assert response.status_code == 200, slug
        assert response["Content-Type"] == "application/pdf"
        assert f'filename="{slug}.pdf"' in response["Content-Disposition"]
        data = response.content
        pages = pdf_pages(data)
        assert int(pdf_info(data)["Pages"]) == len(pages) <= 2, (slug, len(pages))
        text = squash("\n".join(pages))

        # what the seed gives of claim, motto, period and budget (Erfurt names no period)
        for claim in (campaign.slogan, campaign.motto):
            if claim:
                assert squash(claim) in text, (slug, claim)
        if campaign.period_label:  # in the one form the pages show a date (fuzzy_date)
            shown = fuzzy_date(
                campaign.period_label,
                campaign.start_date,
                campaign.end_date,
                campaign.date_precision,
            )
            shown = unescape(re.sub(r"<[^>]+>", "", str(shown)))
            assert squash(shown) in text, (slug, campaign.period_label, shown)
        if campaign.budget_amount is not None:
            amount = _german_number(campaign.budget_amount)
            assert squash(f"{amount} {campaign.budget_currency}") in text, (slug, amount)
        if campaign.budget_note:
            assert squash(campaign.budget_note) in text, slug
        figures = list(campaign.key_figures.all())
        assert figures, slug
        for figure in figures:
            assert squash(figure.name) in text, (slug, figure.name)
            for value in (figure.actual, figure.target):
                if value is not None:
                    assert squash(_german_number(value)) in text, (slug, figure.name, value)
        for channel in campaign.channels.all():
            assert squash(channel.name) in text, (slug, channel.name)
            if channel.reach is not None:
                assert squash(_german_number(channel.reach)) in text, (slug, channel.name)
        for event in campaign.events.all():
            assert squash(event.title) in text, (slug, event.title)
            if event.place:
                assert squash(event.place) in text, (slug, event.place)
        for link in campaign.partner_links.all():
            assert squash(link.organisation.display_name) in text, (slug, link.organisation)
            assert squash(link.get_role_display()) in text, (slug, link.role)

        # one bookmark for the campaign, one below it per section printed
        ((title, page, children),) = pdf_outline(data)
        assert (title, page) == (campaign.title, 1)
        assert [child for child, _, _ in children] == expected_sections(campaign), slug
        for child, child_page, _ in children:
            assert squash(child) in squash(pages[child_page - 1]), (slug, child)


def test_demo_brief_names_the_leipzig_measures_it_serves(client, demo_campaigns):  # noqa: F811
    campaign = demo_campaigns["leipzig-liebt-regionales"]
    measures = list(campaign.related_measures.all())
    assert len(measures) == 2
    text = squash("\n".join(pdf_pages(client.get(pdf_url(campaign)).content)))
    for measure in measures:
        assert squash(measure.title) in text


def test_brief_is_tagged_pdf_ua_with_language_title_and_author():
    campaign = CampaignFactory(title="Leipzig liebt Regionales", slogan="Regional. Echt. Gut.")
    data = documents.render("campaign", campaign, language="de")
    info = pdf_info(data)
    assert info["Title"] == "Leipzig liebt Regionales"
    assert info["Author"] == campaign.organiser.display_name
    assert info["Tagged"] == "yes"
    objects = pdf_objects(data)
    assert b"/StructTreeRoot" in objects
    assert b"/Lang (de)" in objects
    assert 'pdfuaid:part="1"' in pdf_metadata(data)


def test_english_brief_has_english_headings_and_its_own_cache_entry(client):
    campaign = CampaignFactory()
    KeyFigureFactory(campaign=campaign, name="Auflage", actual=40000, unit="Exemplare")
    german = pdf_pages(client.get(pdf_url(campaign)).content)[0]
    with translation.override("en"):
        url = pdf_url(campaign)
    assert url.startswith("/en/")
    english = pdf_pages(client.get(url).content)[0]
    assert "Kennzahlen" in german and "Key figures" not in german
    assert "Key figures" in english and "Kennzahlen" not in english
    assert "40.000" in german and "40,000" in english
    keys = {
        CampaignDocumentRequest.build(campaign, language=language).cache_key
        for language in ("de", "en")
    }
    assert len(keys) == 2


# --- access ---------------------------------------------------------------------------------


def test_draft_brief_is_404_for_anonymous_and_outsiders_and_marked_for_members(user):
    campaign = CampaignFactory(status=Campaign.Status.DRAFT, title="Geheime Kampagne")
    url = pdf_url(campaign)
    anonymous, outsider, member = Client(), Client(), Client()
    outsider.force_login(user)
    reader = UserFactory()
    Membership.objects.create(user=reader, campaign=campaign, role=Membership.Role.READER)
    member.force_login(reader)
    with mock.patch.object(rendering, "write_pdf", wraps=rendering.write_pdf) as write:
        assert anonymous.get(url).status_code == 404
        assert outsider.get(url).status_code == 404
        assert write.call_count == 0
        response = member.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert 'filename="' + campaign.slug + '-entwurf.pdf"' in response["Content-Disposition"]
    pages = pdf_pages(response.content)
    assert all("Entwurf – nicht zur Veröffentlichung".upper() in page for page in pages)


def test_unknown_campaign_is_404(client):
    assert client.get("/kampagnen/gibt-es-nicht/pdf/").status_code == 404


def test_published_brief_has_no_draft_marker_and_the_page_links_it(client):
    campaign = CampaignFactory()
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert f'href="{pdf_url(campaign)}"' in page
    response = client.get(pdf_url(campaign))
    assert "Cache-Control" not in response or "no-store" not in response["Cache-Control"]
    assert "ENTWURF" not in "\n".join(pdf_pages(response.content))


def test_brief_lists_only_public_measures_and_follows_their_publication(client):
    plan = build_plan(fields=1, measures_per_field=1)
    public = Measure.objects.get(field__plan=plan)
    draft = MeasureFactory(
        field=public.field,
        title="Geheime Maßnahme im Entwurf",
        position=99,
        state=Measure.State.DRAFT,
    )
    campaign = CampaignFactory()
    campaign.related_measures.set([public, draft])
    text = "\n".join(pdf_pages(client.get(pdf_url(campaign)).content))
    assert squash(public.title) in squash(text)
    assert "Geheime Maßnahme" not in text

    public.state = Measure.State.DRAFT  # withdrawn in the plan: the brief drops it
    public.save()
    text = "\n".join(pdf_pages(client.get(pdf_url(campaign)).content))
    assert squash(public.title) not in squash(text)


# --- privacy --------------------------------------------------------------------------------


def test_contact_without_consent_shows_function_and_organisation_never_their_details(client):
    world = build_directory()
    text = "\n".join(pdf_pages(client.get(pdf_url(world.campaign)).content))
    for secret in (*SHY.values(), "0341/999-4712"):  # incl. the fax of the shy contact
        assert secret not in text
    assert "Sachbearbeiterin" in text  # the shy person's function stands for her
    assert "0341/123-4000" in text  # her office's phone
    # the consenting contact with name, phone and e-mail
    assert "Jürgen Müller" in text
    assert "0341/123-4280" in text
    assert "juergen.mueller@leipzig.example" in text


def test_erased_contact_is_not_named():
    campaign = CampaignFactory()
    person = PersonFactory(
        first_name="Erika", last_name="Gelöscht", public_contact=True, phone="0361/1"
    )
    CampaignContactFactory(campaign=campaign, person=person)
    assert "Gelöscht" in "\n".join(pdf_pages(documents.render("campaign", campaign)))
    from contacts.services import person_erase

    person_erase(person=person, acting_user=StaffUserFactory())
    campaign.refresh_from_db()
    text = "\n".join(pdf_pages(documents.render("campaign", campaign)))
    assert "Gelöscht" not in text and "0361/1" not in text


# --- renderer safety ------------------------------------------------------------------------


def test_user_text_cannot_make_the_renderer_fetch_anything():
    evil = '<img src="file:///etc/passwd"><link rel="stylesheet" href="http://evil.example/x.css">'
    campaign = CampaignFactory(title=f"Kampagne {evil}", summary=evil, slogan=evil)
    ChannelFactory(campaign=campaign, name=evil, description=evil)
    fetcher = rendering.StaticFilesURLFetcher()
    data = documents.render("campaign", campaign, url_fetcher=fetcher)
    assert fetcher.refused == []
    assert all(url.startswith(rendering.STATIC_ORIGIN + "documents/") for url in fetcher.requested)
    assert "file:///etc/passwd" in "\n".join(pdf_pages(data))  # printed as text


# --- cache ----------------------------------------------------------------------------------


def test_second_download_comes_from_the_cache_until_the_campaign_changes(client):
    campaign = CampaignFactory()
    channel = ChannelFactory(campaign=campaign, name="Flyer", reach=40000, reach_unit="Exemplare")
    url = pdf_url(campaign)
    with mock.patch.object(rendering, "write_pdf", wraps=rendering.write_pdf) as write:
        first = client.get(url)
        second = client.get(url)
        assert write.call_count == 1
        assert first.content == second.content

        channel.reach = 60000
        channel.save()  # campaigns/signals.py moves Campaign.content_changed_at
        third = client.get(url)
        assert write.call_count == 2
    assert "60.000" in "\n".join(pdf_pages(third.content))


def test_cache_key_follows_campaign_stamp_language_and_draft_state():
    campaign = CampaignFactory()
    before = CampaignDocumentRequest.build(campaign).cache_key
    assert CampaignDocumentRequest.build(campaign).cache_key == before
    CampaignEventFactory(campaign=campaign)
    campaign.refresh_from_db()
    after = CampaignDocumentRequest.build(campaign).cache_key
    assert after != before
    campaign.status = Campaign.Status.DRAFT
    assert CampaignDocumentRequest.build(campaign).cache_key != after
    assert CampaignDocumentRequest.build(campaign, language="en").cache_key != after
    assert services.request_for(None, campaign).kind == "campaign"


def test_render_refuses_a_campaign_as_another_kind():
    campaign = CampaignFactory()
    with pytest.raises(ValueError):
        documents.render("plan", campaign)


def test_brief_data_loads_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    def campaign_with(n):
        campaign = CampaignFactory()
        for _ in range(n):
            ChannelFactory(campaign=campaign)
            CampaignEventFactory(campaign=campaign)
            KeyFigureFactory(campaign=campaign, actual=1)
            CampaignContactFactory(campaign=campaign)
        return campaign

    small, large = campaign_with(1), campaign_with(12)
    for campaign in (small, large):
        campaign.refresh_from_db()
        with django_assert_max_num_queries(12):
            services.document_html("campaign", campaign)


# --- admin ----------------------------------------------------------------------------------


def test_admin_change_form_has_the_pdf_button_and_no_bulk_action(staff_client):
    campaign = CampaignFactory(status=Campaign.Status.DRAFT)
    url = reverse("admin:campaigns_campaign_pdf", args=[campaign.pk])
    page = staff_client.get(reverse("admin:campaigns_campaign_change", args=[campaign.pk]))
    assert url in page.content.decode()
    response = staff_client.get(url)
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    changelist = staff_client.get(reverse("admin:campaigns_campaign_changelist"))
    assert "export_pdf" not in changelist.content.decode()
