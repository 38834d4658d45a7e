"""The chapter cache (documents.parts): after an edit of one measure only its chapter, and the
parts that print page numbers where those moved, are laid out again — counted, not timed —
and the joined document is the one a render in one piece gives. A part of another content
state, language or access level is never reused."""

import io

import pikepdf
import pytest

from actionplan.models import Measure
from documents import chapters, parts, rendering
from documents.models import PdfPart
from documents.services import DocumentRequest
from tests.documents.pdf_factories import (
    pdf_cache,  # noqa: F401
    pdf_outline,
    pdf_pages,
    requires_poppler,
)
from tests.factories import build_plan

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.slow,
    pytest.mark.usefixtures("pdf_cache"),
    requires_poppler,
    pytest.mark.single_pass("what the chapter cache lays out, and the joined pages"),
]


@pytest.fixture
def by_chapter(settings):
    settings.PLANWERK_PDF_CHAPTER_MIN_MEASURES = 2
    settings.PLANWERK_PDF_CHAPTER_PROCESSES = 1  # in this process, where the renders are counted


@pytest.fixture
def laid_out(monkeypatch):
    """The parts WeasyPrint lays out, by what their HTML holds: ``field-<pk>`` for a chapter,
    ``front``, ``footer`` or ``back``."""
    seen = []
    original = rendering.write_pdf

    def counting(html, **kwargs):
        if 'class="footer-page"' in html:
            seen.append("footer")
        elif 'class="cover"' in html:
            seen.append("cover")
        elif 'class="chapter toc"' in html:
            seen.append("front")
        elif 'id="timeline"' in html:
            seen.append("back")
        else:
            start = html.index('id="field-') + len('id="')
            seen.append(html[start : html.index('"', start)])
        return original(html, **kwargs)

    monkeypatch.setattr(rendering, "write_pdf", counting)
    return seen


def _links(data: bytes) -> list[tuple[int, str, int]]:
    """(page, destination name, target page) of every link."""
    found = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pages = {page.objgen: i for i, page in enumerate(pdf.pages)}
        dests = dict(pikepdf.NameTree(pdf.Root.Names.Dests).items())
        for index, page in enumerate(pdf.pages):
            for annot in page.get("/Annots", []):
                if "/Dest" in annot:
                    name = str(annot.Dest)
                    found.append((index, name, pages[dests[name][0].objgen]))
    return found


def _in_one_piece(settings, plan, **options) -> bytes:
    before = settings.PLANWERK_PDF_CHAPTER_MIN_MEASURES
    settings.PLANWERK_PDF_CHAPTER_MIN_MEASURES = 10_000
    try:
        request = DocumentRequest.build(plan, **options)
        assert not chapters.applies(request)
        return request.render()
    finally:
        settings.PLANWERK_PDF_CHAPTER_MIN_MEASURES = before


def _render(plan, **options) -> bytes:
    request = DocumentRequest.build(plan, **options)
    assert chapters.applies(request)
    return request.render()


def test_an_edit_lays_out_only_its_chapter_and_the_joined_document_equals_one_piece(
    settings, by_chapter, laid_out
):
    plan = build_plan(fields=3, measures_per_field=2, steps_per_measure=1)
    fields = list(plan.fields.order_by("position"))
    _render(plan)
    assert sorted(laid_out) == sorted(
        [f"field-{f.pk}" for f in fields] + ["back", "cover", "front", "footer"]
    )

    # A description: the second field's chapter only (the page numbers stay).
    measure = Measure.objects.filter(field=fields[1]).order_by("position").first()
    measure.description = "Neu beschrieben: die Werkstatt zieht in die Baumwollspinnerei."
    measure.save()
    laid_out.clear()
    joined = _render(plan)
    # (and the one-page cover, which carries the document's dates)
    assert laid_out == ["cover", f"field-{fields[1].pk}"]
    assert "Baumwollspinnerei" in "".join(pdf_pages(joined))

    whole = _in_one_piece(settings, plan)
    assert pdf_pages(joined) == pdf_pages(whole)  # text of every page, TOC numbers, footers
    assert pdf_outline(joined) == pdf_outline(whole)
    assert _links(joined) == _links(whole)

    # A title is printed in the contents, the overview and the timeline too: the front and
    # back matter follow; the other chapters and the footers do not.
    measure.title = "Kreativwerkstatt West"
    measure.save()
    laid_out.clear()
    joined = _render(plan)
    assert sorted(laid_out) == sorted(["back", "cover", f"field-{fields[1].pk}", "front"])
    assert pdf_pages(joined) == pdf_pages(_in_one_piece(settings, plan))


def test_a_longer_chapter_moves_the_page_numbers_of_front_matter_and_footers(
    settings, by_chapter, laid_out
):
    plan = build_plan(fields=3, measures_per_field=2, steps_per_measure=1)
    first = plan.fields.order_by("position").first()
    _render(plan)
    measure = first.measures.order_by("position").first()
    measure.description = "Ein langer Absatz über die Arbeit im Quartier. " * 250
    measure.save()
    laid_out.clear()
    joined = _render(plan)
    # The first chapter grew by pages: the later headings moved, so the contents and the
    # footers ("Seite X von Y") are laid out again; the other chapters are not.
    assert sorted(laid_out) == sorted(["cover", f"field-{first.pk}", "front", "footer"])
    whole = _in_one_piece(settings, plan)
    assert len(pdf_pages(joined)) == len(pdf_pages(whole)) > 12
    assert pdf_pages(joined) == pdf_pages(whole)
    assert _links(joined) == _links(whole)


def test_a_chapter_of_another_content_state_is_never_reused(by_chapter, laid_out):
    plan = build_plan(fields=3, measures_per_field=2, steps_per_measure=1)
    field = plan.fields.order_by("position").last()
    measure = field.measures.order_by("position").first()
    measure.description = "Stand A der Beschreibung."
    measure.save()
    state_a = _render(plan)

    measure.description = "Stand B der Beschreibung."
    measure.save()
    laid_out.clear()
    state_b = _render(plan)
    assert laid_out == ["cover", f"field-{field.pk}"]
    text_b = "".join(pdf_pages(state_b))
    assert "Stand B" in text_b and "Stand A" not in text_b

    # Back to state A: its stored chapter fits again; only the cover (the document's
    # modification date) is laid out.
    measure.description = "Stand A der Beschreibung."
    measure.save()
    laid_out.clear()
    again = _render(plan)
    assert laid_out == ["cover"]
    assert pdf_pages(again) == pdf_pages(state_a)


def test_another_language_reuses_no_chapter(by_chapter, laid_out):
    plan = build_plan(fields=2, measures_per_field=2, steps_per_measure=1)
    _render(plan, language="de")
    laid_out.clear()
    english = _render(plan, language="en")
    assert sorted(laid_out) == sorted(
        [f"field-{f.pk}" for f in plan.fields.all()] + ["back", "cover", "front", "footer"]
    )
    assert "Page 2 of" in pdf_pages(english)[1]
    laid_out.clear()
    _render(plan, language="en")
    assert laid_out == []


def test_a_draft_chapter_never_enters_a_public_document(by_chapter, laid_out):
    plan = build_plan(fields=2, measures_per_field=2, steps_per_measure=1)
    hidden = plan.fields.order_by("position").first().measures.order_by("position").first()
    Measure.objects.filter(pk=hidden.pk).update(state=Measure.State.DRAFT, title="Geheimer Entwurf")
    internal = _render(plan, internal=True)
    assert "Geheimer Entwurf" in "".join(pdf_pages(internal))
    assert PdfPart.objects.count() == 6  # cover, two chapters, back, front, footer

    laid_out.clear()
    public = _render(plan, internal=False)
    # Every public part is laid out for the public: none of the internal document's parts
    # (its chapters carry the draft band, and the access level is part of every key).
    assert len(laid_out) == 6
    assert "Geheimer Entwurf" not in "".join(pdf_pages(public))
    assert PdfPart.objects.count() == 12


def test_the_key_holds_access_level_variant_language_layout_and_erasure():
    spec = parts.Spec("field-1", '<html lang="de"><body>Kapitel</body></html>')
    base = {"variant": "pdf/ua-1", "access": parts.PUBLIC, "erasure": "-", "layout": "abc"}
    key = parts.Store(**base).key(spec)
    assert parts.Store(**base).key(spec) == key
    for name, other in [
        ("access", parts.INTERNAL),
        ("variant", ""),
        ("erasure", "2026-12-07T08:00:00+00:00"),
        ("layout", "abd"),
    ]:
        assert parts.Store(**{**base, name: other}).key(spec) != key, name
    english = parts.Spec("field-1", spec.html.replace('lang="de"', 'lang="en"'))
    assert parts.Store(**base).key(english) != key
    with pytest.raises(ValueError):
        parts.Store(**{**base, "access": "everyone"})


def test_a_part_whose_file_is_gone_is_laid_out_again(by_chapter, laid_out):
    plan = build_plan(fields=2, measures_per_field=2, steps_per_measure=1)
    first = _render(plan)
    field = plan.fields.order_by("position").first()
    part = PdfPart.objects.get(label=f"field-{field.pk}")
    part.file.storage.delete(part.file.name)
    laid_out.clear()
    again = _render(plan)
    assert laid_out == [f"field-{field.pk}"]
    assert pdf_pages(again) == pdf_pages(first)
    assert PdfPart.objects.filter(label=f"field-{field.pk}").count() == 1
