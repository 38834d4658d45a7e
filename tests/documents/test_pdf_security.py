"""The renderer fetches nothing but the app's own static files; hostile text stays text."""

import pytest

import documents
from actionplan.models import BudgetCategory, Measure, Responsibility, Step, TargetGroup
from contacts.models import Organisation, Person
from documents import rendering
from tests.documents.pdf_factories import (
    pdf_cache,  # noqa: F401
    pdf_pages,
    pdf_words,
    requires_poppler,
    squash,
)
from tests.factories import build_plan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pdf_cache"), requires_poppler]

HOSTILE = [
    '<img src="file:///etc/passwd">',
    '<link rel="stylesheet" href="http://evil.example/x.css">',
    '<style>@import url("https://evil.example/steal.css");</style>',
    "url(file:///etc/passwd) background: url('http://evil.example/track.png')",
    '<object data="file:///etc/shadow"></object><iframe src="http://169.254.169.254/">',
    "http://evil.example/remote.png https://evil.example/a.svg data:image/svg+xml;base64,PHN2Zz4=",
    '"><script>alert(1)</script>{{ secret }}{% debug %}',
]
HOSTILE_TEXT = " ".join(HOSTILE)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://evil.example/x.css",
        "https://evil.example/pdf/pdf.css",
        "data:text/css;base64,Ym9keXt9",
        "ftp://evil.example/x",
        "https://static.planwerk.invalid/../../etc/passwd",
        "https://static.planwerk.invalid/documents/../../../etc/passwd",
        "https://static.planwerk.invalid/documents/%2e%2e/%2e%2e/etc/passwd",
        "https://static.planwerk.invalid/documents/..%2f..%2fsettings.py",
        "https://static.planwerk.invalid/documents/fonts\\..\\..\\x.css",
        "https://static.planwerk.invalid/admin/css/base.css",
        "https://static.planwerk.invalid/documents/pdf.css?x=1",
        "https://user:pw@static.planwerk.invalid/documents/pdf.css",
        "https://static.planwerk.invalid:8443/pdf/pdf.css",
        "https://static.planwerk.invalid/documents/missing.css",
        "https://static.planwerk.invalid/documents/fonts/LICENSE-Carlito.txt",
        "https://static.planwerk.invalid//etc/passwd",
    ],
)
def test_fetcher_refuses_everything_but_pdf_static_files(url):
    fetcher = rendering.StaticFilesURLFetcher()
    with pytest.raises(rendering.ResourceRefused):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_fetcher_serves_the_pdf_stylesheet_and_fonts():
    fetcher = rendering.StaticFilesURLFetcher()
    css = fetcher.fetch(rendering.STATIC_ORIGIN + "documents/pdf.css")
    assert css.content_type == "text/css"
    assert b"@font-face" in css.read()
    font = fetcher.fetch(rendering.STATIC_ORIGIN + "documents/fonts/Carlito-Regular.ttf")
    assert font.content_type == "font/ttf"
    assert fetcher.refused == []


def _fill_with_hostile_text(plan):
    plan.title = "Plan " + HOSTILE[0]
    plan.subtitle = HOSTILE[1][:255]
    plan.introduction = HOSTILE_TEXT
    plan.funding_note = HOSTILE_TEXT
    plan.issued_label = HOSTILE[0][:100]
    plan.save()
    for field in plan.fields.all():
        field.title = "Feld " + HOSTILE[3][:200]
        field.target_state = HOSTILE_TEXT
        field.lead_note = HOSTILE[4][:255]
        field.save()
        field.baseline_findings.update(text=HOSTILE_TEXT)
    for i, org in enumerate(Organisation.objects.all()):
        org.name, org.short_name = f"{HOSTILE[2][:200]} {i}", "<b>x</b>"
        org.save()
    Person.objects.update(last_name=HOSTILE[0][:100], function="<i>f</i>", public_contact=True)
    measures = Measure.objects.filter(field__plan=plan)
    measures.update(title=HOSTILE_TEXT[:500], description=HOSTILE_TEXT)
    Step.objects.filter(measure__in=measures).update(text=HOSTILE_TEXT)
    Responsibility.objects.filter(measure__in=measures).update(note=HOSTILE_TEXT[:500])
    for model, text in ((TargetGroup, HOSTILE[5]), (BudgetCategory, HOSTILE[6])):
        for i, obj in enumerate(model.objects.all()):
            obj.name = f"{text[:140]} {i}"
            obj.save()
    Step.objects.create(
        measure=measures.first(), position=99, text="Ein Wort: " + "Donaudampfschiff" * 320
    )


@pytest.mark.parametrize("kind", ["plan", "field", "measure"])
def test_hostile_text_is_printed_as_text_and_nothing_foreign_is_fetched(kind):
    plan = build_plan(fields=2, measures_per_field=2, steps_per_measure=2)
    _fill_with_hostile_text(plan)
    fetcher = rendering.StaticFilesURLFetcher()
    measure = Measure.objects.filter(field__plan=plan).order_by("pk").first()
    render = {
        "plan": lambda: documents.render("plan", plan, url_fetcher=fetcher),
        "field": lambda: documents.render("field", measure.field, url_fetcher=fetcher),
        "measure": lambda: documents.render("measure", measure, url_fetcher=fetcher),
    }[kind]
    data = render()

    assert fetcher.requested, "the stylesheet and fonts come through the fetcher"
    assert all(url.startswith(rendering.STATIC_ORIGIN + "documents/") for url in fetcher.requested)
    assert fetcher.refused == []
    text = "\n".join(pdf_pages(data))
    assert "root:x:0:0" not in text and b"root:x:0:0" not in data
    # The markup is printed, letter for letter: it was escaped, not interpreted.
    assert squash('<img src="file:///etc/passwd">') in squash(text)
    assert "<script>alert(1)</script>" in text.replace("\n", "")
    assert "{% debug %}" in text.replace("\n", "")


def test_five_thousand_character_word_wraps_inside_the_page():
    plan = build_plan(fields=1, measures_per_field=1, steps_per_measure=1)
    measure = Measure.objects.get(field__plan=plan)
    word = "Donaudampfschifffahrtsgesellschaft" * 148  # 5,032 characters, no break opportunity
    Step.objects.filter(measure=measure).update(text=word)
    measure.title = "Titel" + "x" * 480
    measure.save()
    data = documents.render("measure", measure)
    width, words = pdf_words(data)
    assert words
    assert max(x_max for _, x_max, _ in words) <= width
    # Every character is printed (the word may continue after the next page's header).
    printed = squash("".join(w for _, _, w in words))
    assert printed.count("donaudampfschifffahrtsgesellschaft") == 148


def test_five_hundred_steps_in_one_measure_render_completely():
    plan = build_plan(fields=1, measures_per_field=1, steps_per_measure=0)
    measure = Measure.objects.get(field__plan=plan)
    Step.objects.bulk_create(
        Step(measure=measure, position=i, text=f"Arbeitsschritt Nummer {i} von 500")
        for i in range(1, 501)
    )
    pages = pdf_pages(documents.render("measure", measure))
    assert len(pages) > 5
    text = "\n".join(pages)
    assert all(f"Arbeitsschritt Nummer {i} von 500" in text for i in (1, 250, 500))
    assert text.count("Arbeitsschritt Nummer") == 500
