"""Issue 21 in the documents: the English plan, field and measure PDFs and the English campaign
brief carry the English texts where they exist and the German ones marked “(in German)” where
not; the translator's note (``english_note``) is on the English title page; German documents
do not change."""

import pytest

import documents
from documents import services
from documents.campaigns import CampaignDocumentRequest
from tests.documents.pdf_factories import (
    pdf_cache,  # noqa: F401
    pdf_pages,
    requires_poppler,
    squash,
)
from tests.translations.test_pages import _marked_german
from tests.translations.world import build_world, english, german

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pdf_cache")]

#: The translated texts each document prints, by (key, field).
PLAN_DOCUMENT = [
    ("plan", "title"),
    ("plan", "subtitle"),
    ("plan", "introduction"),
    ("plan", "funding_note"),
    ("field", "title"),
    ("field", "target_state"),
    ("field", "lead_note"),
    ("finding", "text"),
    ("measure", "title"),
    ("measure", "description"),
    ("step", "text"),
    ("substep", "text"),
    ("schedule", "label"),
    ("group", "name"),
    ("responsibility", "note"),
    ("category", "name"),
    ("source", "name"),
    ("line", "note"),
    ("indicator", "name"),
    ("indicator", "description"),
    ("indicator", "unit"),
]
FIELD_DOCUMENT = [item for item in PLAN_DOCUMENT if item[0] not in ("plan", "indicator")]
MEASURE_DOCUMENT = [
    item for item in FIELD_DOCUMENT if item[0] not in ("finding",) and item[1] != "lead_note"
]
CAMPAIGN_DOCUMENT = [
    ("campaign", "title"),
    ("campaign", "motto"),
    ("campaign", "slogan"),
    ("campaign", "summary"),
    ("group", "name"),
    ("market", "name"),
    ("link", "label"),
    ("channel", "name"),
    ("channel", "reach_label"),
    ("event", "title"),
    ("figure", "name"),
    ("figure", "note"),
]


def _html(w, kind: str, language: str) -> str:
    if kind == "campaign":
        return CampaignDocumentRequest.build(w.campaign, language=language).html()
    obj = {"plan": w.plan, "field": w.field, "measure": w.measure}[kind]
    return services.document_html(kind, obj, language=language)


@pytest.mark.parametrize(
    "kind, texts",
    [
        ("plan", PLAN_DOCUMENT),
        ("field", FIELD_DOCUMENT),
        ("measure", MEASURE_DOCUMENT),
        ("campaign", CAMPAIGN_DOCUMENT),
    ],
)
def test_english_documents_carry_english_or_marked_german(kind, texts):
    w = build_world()
    fallback = _html(w, kind, "en")
    missing = [(key, name) for key, name in texts if german(key, name) not in fallback]
    assert missing == []
    unmarked = [
        (key, name) for key, name in texts if not _marked_german(fallback, german(key, name))
    ]
    assert unmarked == []

    german_before = _html(w, kind, "de")
    w.set_english(True)
    translated = _html(w, kind, "en")
    missing = [(key, name) for key, name in texts if english(key, name) not in translated]
    assert missing == []
    body = translated.split("<body", 1)[1]
    assert "(in German)" not in body
    assert [(k, n) for k, n in texts if german(k, n) in body] == []
    # the German document is the same with or without English texts
    assert _html(w, kind, "de") == german_before
    assert "English" not in german_before.split("<body", 1)[1]


@requires_poppler
def test_english_plan_pdf_reads_english_and_the_translators_note():
    w = build_world()
    w.plan.english_note = "Translated by the partners of Creative Cities."
    w.plan.save()
    pages = pdf_pages(documents.render("plan", w.plan, language="en"))
    text = squash(" ".join(pages))
    assert "(in German)" in " ".join(pages)
    assert squash(german("measure", "title")) in text
    assert squash("Translated by the partners of Creative Cities.") in squash(pages[0])

    w.set_english(True)
    pages = pdf_pages(documents.render("plan", w.plan, language="en"))
    text = squash(" ".join(pages))
    missing = [(k, n) for k, n in PLAN_DOCUMENT if squash(english(k, n)) not in text]
    assert missing == []
    assert "(in German)" not in " ".join(pages)
    assert squash("Translated by the partners of Creative Cities.") in squash(pages[0])
    # a translated plan is no longer announced as German content
    assert "The content of this plan is in German" not in " ".join(" ".join(pages).split())

    german_pages = pdf_pages(documents.render("plan", w.plan, language="de"))
    german_text = squash(" ".join(german_pages))
    assert squash(german("measure", "title")) in german_text
    assert "english" not in german_text and "Translated by" not in " ".join(german_pages)


@requires_poppler
def test_english_campaign_brief_pdf_reads_english():
    w = build_world()
    w.set_english(True)
    request = CampaignDocumentRequest.build(w.campaign, language="en")
    pages = pdf_pages(request.render())
    text = squash(" ".join(pages))
    missing = [(k, n) for k, n in CAMPAIGN_DOCUMENT if squash(english(k, n)) not in text]
    assert missing == []
    assert "(in German)" not in " ".join(pages)
