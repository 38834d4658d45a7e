"""The documents speak the reader's language around German content (issue 18, item 4).

A PDF requested from an English page has an English frame — headings, table heads, “Page x
of y”, dates — while the plan's own text stays German, tagged ``lang="de"`` and announced
once; the German PDF stays German. Each language is its own cached document.
"""

import datetime
import re

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import pgettext

import documents
from access.models import Membership
from actionplan.models import Measure, ScheduleEntry, Step, TargetGroup
from campaigns.models import CampaignEvent
from documents import chapters, services
from documents.campaigns import CampaignDocumentRequest
from tests.campaigns.factories import CampaignEventFactory, CampaignFactory, KeyFigureFactory
from tests.documents.pdf_factories import (
    pdf_cache,  # noqa: F401
    pdf_objects,
    pdf_pages,
    requires_poppler,
)
from tests.factories import UserFactory, build_plan
from versions.services import plan_version_publish

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("pdf_cache"),
    requires_poppler,
    pytest.mark.single_pass("the language of the PDF frame, read from the pages"),
]

#: Frame words of the plan documents (msgids, context "pdf"), read back in German from the
#: catalogue: the English document must show none of them.
FRAME_MSGIDS = [
    "Contents",
    "Introduction",
    "Overview of measures",
    "Contacts",
    "Field of action",
    "Timeline",
    "Measure",
    "Steps",
    "Target groups",
    "Schedule",
    "Responsibility",
    "Baseline",
    "Target state",
    "Lead in this field of action",
    "Abbreviations",
    "Page",
    "Plan as of",
    "Schedule entry",
]


def german(msgid: str) -> str:
    with translation.override("de"):
        return pgettext("pdf", msgid)


def text_of(data: bytes) -> str:
    """The whole document as one line of words (line breaks and hyphens undone)."""
    return " ".join("\n".join(pdf_pages(data)).replace("\u2010\n", "").split())


def neutral_plan(**options):
    """A plan whose content holds none of the German frame words (“Handlungsfeld 1”,
    “Maßnahme 1.1” of ``build_plan`` would), so their absence proves the frame English."""
    plan = build_plan(fields=2, measures_per_field=2, steps_per_measure=1, **options)
    plan.title = "Kreativplan Leipzig"
    plan.subtitle = "Lokaler Plan für Leipzig"
    plan.introduction = "Warum dieser Plan entstand."
    plan.issued_label = "Mai 2011"
    plan.issued_on = datetime.date(2011, 5, 1)
    plan.save()
    for field in plan.fields.all():
        field.title = f"Netzwerke {field.position}"
        field.target_state = f"Ziel {field.position}"
        field.save()
    for measure in Measure.objects.filter(field__plan=plan):
        measure.title = f"Vorhaben {measure.field.position}.{measure.position}"
        measure.save()
    Step.objects.filter(measure__field__plan=plan).update(text="Arbeitsschritt")
    for group in TargetGroup.objects.filter(measures__field__plan=plan).distinct():
        group.name = group.name.replace("Zielgruppe", "Kreative")
        group.save()
    return plan


def plan_url(plan, language: str) -> str:
    with translation.override(language):
        return reverse("actionplan:plan_pdf", kwargs={"plan_slug": plan.slug})


def today(language: str) -> str:
    with translation.override(language):
        return date_format(timezone.localdate(), "DATE_FORMAT")


# --- formats --------------------------------------------------------------------------------


def test_english_dates_are_written_day_month_year():
    day = datetime.date(2026, 12, 6)
    with translation.override("en"):
        assert date_format(day, "DATE_FORMAT") == "6 December 2026"
        assert date_format(day, "YEAR_MONTH_FORMAT") == "December 2026"
    with translation.override("de"):
        assert date_format(day, "DATE_FORMAT") == "6. Dezember 2026"


# --- the plan document ----------------------------------------------------------------------


def test_english_plan_pdf_has_an_english_frame_and_german_content(client):
    plan = neutral_plan()
    url = plan_url(plan, "en")
    assert url.startswith("/en/")
    response = client.get(url)
    assert response.status_code == 200
    pages = pdf_pages(response.content)
    text = text_of(response.content)

    for msgid in FRAME_MSGIDS:
        assert msgid in text, msgid
        if german(msgid) != msgid:
            assert german(msgid) not in text, german(msgid)
    assert f"Page 2 of {len(pages)}" in pages[1]
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]
    for word in ("Seite", "Inhalt", "Stand:", "Stand vom", "Erstellt am", "Handlungsfeld"):
        assert word not in text, word
    assert "Field of action ‘Netzwerke 1’" in text
    assert "Measure A) Vorhaben 1.1" in text
    assert f"As of: {today('en')}" in pages[1]  # the running footer

    # the content stays German, said once near the start
    assert "Warum dieser Plan entstand." in text
    assert text.count("The content of this plan is in German.") == 1
    assert "The content of this plan is in German." in pages[0]


def test_german_plan_pdf_stays_german(client):
    plan = neutral_plan()
    data = client.get(plan_url(plan, "de")).content
    pages = pdf_pages(data)
    text = text_of(data)
    for msgid in FRAME_MSGIDS:
        assert german(msgid) in text, german(msgid)
    assert f"Seite 2 von {len(pages)}" in pages[1]
    assert "Handlungsfeld ‚Netzwerke 1‘" in text
    assert f"Stand: {today('de')}" in pages[1]
    for word in ("Contents", "Page ", "As of", "Created on", "The content of this plan"):
        assert word not in text, word


def test_title_page_separates_the_plans_date_from_the_creation_date(client):
    plan = neutral_plan()
    german_cover = pdf_pages(client.get(plan_url(plan, "de")).content)[0]
    english_cover = pdf_pages(client.get(plan_url(plan, "en")).content)[0]

    assert "Stand des Plans: Mai 2011" in german_cover
    assert f"Erstellt am {today('de')}" in german_cover
    assert "Stand:" not in german_cover and "(Mai 2011)" not in german_cover

    assert "Plan as of: May 2011" in english_cover  # the parsed date, in English
    assert f"Created on {today('en')}" in english_cover
    assert "Mai" not in english_cover and "As of:" not in english_cover


def test_each_measure_shows_when_its_status_was_last_reported(client):
    plan = neutral_plan()
    measures = list(Measure.objects.filter(field__plan=plan).order_by("pk"))
    reported = datetime.date(2012, 3, 3)
    Measure.objects.filter(pk__in=[m.pk for m in measures[:-1]]).update(status_reported_at=reported)

    german_text = text_of(client.get(plan_url(plan, "de")).content)
    english_text = text_of(client.get(plan_url(plan, "en")).content)

    for measure in measures[:-1]:
        with translation.override("de"):
            status = measure.get_status_display()
        assert german_text.count(f"Stand vom 3. März 2012: {status}") >= 1
        with translation.override("en"):
            status = measure.get_status_display()
        assert english_text.count(f"Status as of 3 March 2012: {status}") >= 1
    assert german_text.count("Stand vom 3. März 2012") == len(measures) - 1
    assert english_text.count("Status as of 3 March 2012") == len(measures) - 1
    # a measure never reported shows its status alone
    with translation.override("en"):
        assert f"Status: {measures[-1].get_status_display()}" in english_text


def test_english_html_tags_the_content_german_and_the_document_english():
    plan = neutral_plan()
    english = services.document_html("plan", plan, language="en")
    assert '<html lang="en">' in english
    # untranslated: German, marked, with the note (issue 21)
    assert (
        '<h1 class="running-title" lang="de">Kreativplan Leipzig'
        ' <span class="in-german" lang="en">(in German)</span></h1>'
    ) in english
    assert '<span lang="de">Vorhaben 1.1</span>' in english
    assert '<ul class="steps">' in english and '<li lang="de">' in english
    assert '<div class="introduction" lang="de">' in english

    german_html = services.document_html("plan", plan, language="de")
    assert '<html lang="de">' in german_html
    assert 'lang="de"' not in german_html.split("<body", 1)[1]  # nothing to mark


def test_english_pdf_declares_english():
    """The document's language is the reader's. (WeasyPrint writes no ``/Lang`` for single
    structure elements: the content's ``lang="de"`` gives it German hyphenation only.)"""
    plan = neutral_plan()
    assert b"/Lang (en)" in pdf_objects(documents.render("plan", plan, language="en"))
    assert b"/Lang (de)" in pdf_objects(documents.render("plan", plan, language="de"))


def test_german_then_english_are_two_cached_documents(client):
    plan = neutral_plan()
    first = client.get(plan_url(plan, "de")).content
    english = client.get(plan_url(plan, "en")).content
    again = client.get(plan_url(plan, "de")).content
    assert english != first
    assert again == first
    assert "Contents" in text_of(english) and "Inhalt" in text_of(again)
    keys = {services.DocumentRequest.build(plan, language=lang).cache_key for lang in ("de", "en")}
    assert len(keys) == 2


def test_views_pass_the_pages_language_and_nothing_else_does(client):
    """The reader's language comes from the page; without one a document speaks the site's,
    whatever language happens to be active (no leak from an earlier request)."""
    plan = neutral_plan()
    with translation.override("en"):
        assert services.DocumentRequest.build(plan).language == "de"
    assert services.DocumentRequest.build(plan, language="en-gb").language == "en"
    assert services.DocumentRequest.build(plan, language="fr").language == "de"


@override_settings(PLANWERK_PDF_CHAPTER_MIN_MEASURES=2, PLANWERK_PDF_CHAPTER_PROCESSES=1)
def test_plan_rendered_by_chapter_speaks_the_readers_language_too():
    plan = neutral_plan()
    requests = {lang: services.DocumentRequest.build(plan, language=lang) for lang in ("de", "en")}
    assert all(chapters.applies(r) for r in requests.values())
    assert chapters._front_key(requests["de"]) != chapters._front_key(requests["en"])

    german_pages = pdf_pages(services.get_or_render(requests["de"]))
    english_pages = pdf_pages(services.get_or_render(requests["en"]))
    assert len(german_pages) == len(english_pages)
    assert "Inhalt" in german_pages[1] and f"Seite 2 von {len(german_pages)}" in german_pages[1]
    assert "Contents" in english_pages[1]
    assert f"Page 2 of {len(english_pages)}" in english_pages[1]
    assert f"As of: {today('en')}" in english_pages[-1]
    english = " ".join(english_pages)
    assert "Seite" not in english and "Handlungsfeld" not in english


def test_field_and_measure_pdfs_from_english_pages_are_english(client):
    plan = neutral_plan()
    field = plan.fields.order_by("position").first()
    measure = field.measures.order_by("position").first()
    with translation.override("en"):
        urls = [
            reverse(
                "actionplan:field_pdf", kwargs={"plan_slug": plan.slug, "field_slug": field.slug}
            ),
            reverse(
                "actionplan:measure_pdf",
                kwargs={
                    "plan_slug": plan.slug,
                    "field_slug": field.slug,
                    "measure_slug": measure.slug,
                },
            ),
        ]
    for url in urls:
        assert url.startswith("/en/")
        pages = pdf_pages(client.get(url).content)
        text = " ".join(" ".join(pages).split())
        assert f"Page 1 of {len(pages)}" in pages[0]
        assert "Field of action ‘Netzwerke 1’" in text
        assert "Plan as of: May 2011" in text
        assert "The content of this plan is in German." in text
        for word in ("Seite", "Handlungsfeld", "Stand", "Zielgruppen", "Zeitplan"):
            assert word not in text, (url, word)


def test_version_pdf_from_an_english_page_is_english(client):
    plan = neutral_plan()
    coordinator = UserFactory(is_staff=True)
    Membership.objects.create(user=coordinator, plan=plan, role=Membership.Role.COORDINATOR)
    version = plan_version_publish(
        plan=plan, label="Stand Mai 2011", date=datetime.date(2011, 5, 1), acting_user=coordinator
    )
    kwargs = {"plan_slug": plan.slug, "version_slug": version.slug}
    with translation.override("en"):
        english_url = reverse("versions:version_pdf", kwargs=kwargs)
    german_url = reverse("versions:version_pdf", kwargs=kwargs)
    english = pdf_pages(client.get(english_url).content)
    german = pdf_pages(client.get(german_url).content)
    assert "Contents" in english[1] and "Inhalt" in german[1]
    assert "As of: 1 May 2011" in english[1] and "Stand: 1. Mai 2011" in german[1]
    assert "Version: Stand Mai 2011" in english[0]


# --- the campaign brief ---------------------------------------------------------------------


def campaign_url(campaign, language: str) -> str:
    with translation.override(language):
        return reverse("campaigns:campaign_pdf", kwargs={"slug": campaign.slug})


def test_english_campaign_brief_has_an_english_frame_and_english_dates(client):
    campaign = CampaignFactory(title="Leipzig liebt Regionales")
    CampaignEventFactory(campaign=campaign, title="Erstes Treffen", date_label="Januar 2024")
    KeyFigureFactory(campaign=campaign, name="Auflage", actual=40000, unit="Exemplare")
    assert CampaignEvent.objects.get(campaign=campaign).date == datetime.date(2024, 1, 1)
    stamp = timezone.localtime(campaign.content_changed_at or campaign.updated_at).date()

    english_pages = pdf_pages(client.get(campaign_url(campaign, "en")).content)
    english = " ".join(" ".join(english_pages).split())
    with translation.override("en"):
        as_of = date_format(stamp, "DATE_FORMAT")
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4}", as_of)  # “6 December 2026”
    assert f"As of: {as_of}" in english_pages[0]
    assert f"Page 1 of {len(english_pages)}" in english_pages[0]
    for words in ("Key figures", "Events", "Kind", "The content of this campaign is in German."):
        assert words in english, words
    assert "January 2024" in english and "Januar 2024" not in english
    for word in ("Stand", "Seite", "Kennzahlen", "Veranstaltungen", "Art "):
        assert word not in english, word

    german_pages = pdf_pages(client.get(campaign_url(campaign, "de")).content)
    german_text = " ".join(" ".join(german_pages).split())
    with translation.override("de"):
        assert f"Stand: {date_format(stamp, 'DATE_FORMAT')}" in german_pages[0]
    assert f"Seite 1 von {len(german_pages)}" in german_pages[0]
    assert "Januar 2024" in german_text and "The content" not in german_text
    keys = {
        CampaignDocumentRequest.build(campaign, language=lang).cache_key for lang in ("de", "en")
    }
    assert len(keys) == 2


def test_campaign_brief_html_tags_german_content_in_the_english_document():
    campaign = CampaignFactory()
    html = CampaignDocumentRequest.build(campaign, language="en").html()
    assert '<html lang="en">' in html
    assert '<h1 class="running-title" lang="de">' in html
    assert '<p class="summary" lang="de">' in html


def test_schedule_labels_stay_the_plans_own_words_in_english(client):
    """Content is not translated: “II. Quartal 2011” stays as written (tagged German)."""
    plan = neutral_plan()
    assert ScheduleEntry.objects.filter(measure__field__plan=plan, label="II. Quartal 2011")
    english = services.document_html("plan", plan, language="en")
    assert (
        '<dd><ul><li lang="de">II. Quartal 2011'
        ' <span class="in-german" lang="en">(in German)</span></li></ul></dd>'
    ) in english


def test_progress_pdf_from_an_english_page_is_english(client):
    plan = neutral_plan()
    with translation.override("en"):
        url = reverse("actionplan:plan_progress_pdf", kwargs={"plan_slug": plan.slug})
    assert url.startswith("/en/")
    text = text_of(client.get(url).content)
    assert "Progress of implementation" in text
    assert f"Figures as of {today('en')}" in text
    for word in ("Stand der Umsetzung", "Seite", "Handlungsfeld", "Dezember"):
        assert word not in text, word


def test_english_links_stay_link_elements_in_the_tagged_pdf():
    """The content's ``lang`` never wraps link text in an element of its own: each link
    annotation belongs to a ``Link`` structure element (PDF/UA), in English as in German."""
    import io

    import pikepdf

    plan = neutral_plan()
    for language in ("de", "en"):
        data = documents.render("plan", plan, language=language)
        with pikepdf.open(io.BytesIO(data)) as pdf:
            parent_tree = dict(pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree).items())
            links = [
                parent_tree[int(annot.StructParent)]
                for page in pdf.pages
                for annot in page.get("/Annots", [])
            ]
            assert links, language
            assert {str(element.S) for element in links} == {"/Link"}, language
