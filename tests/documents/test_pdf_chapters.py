"""A plan rendered chapter by chapter and joined (documents.chapters, documents.assembly) is
the same document as one rendered in one go: text, page numbers, footers, outline, links,
tags and metadata."""

import io

import pikepdf
import pytest
from django.test import override_settings

from actionplan.models import Plan
from documents import chapters
from documents.models import PdfPart
from documents.services import DocumentRequest
from tests.documents.pdf_factories import (
    pdf_cache,  # noqa: F401
    pdf_info,
    pdf_metadata,
    pdf_outline,
    pdf_pages,
    requires_poppler,
    squash,
)
from tests.factories import build_plan
from tests.shared_data import module_data

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.slow,
    pytest.mark.usefixtures("pdf_cache"),
    requires_poppler,
    pytest.mark.single_pass("the joined pages against one render"),
]


# in this process (the pool: test below)
BY_CHAPTER = {"PLANWERK_PDF_CHAPTER_MIN_MEASURES": 5, "PLANWERK_PDF_CHAPTER_PROCESSES": 1}


def wrong_front_guess(patch):
    """A wrong first guess of the front matter's length: its page numbers must still settle."""
    patch.setattr(chapters, "_front_guess", lambda plan, fields: 1)


@pytest.fixture(scope="module")
def plan_and_pdf(django_db_setup, django_db_blocker):
    """The plan and its chapter-wise rendering, built once for the module (both are only read)."""
    with module_data(django_db_blocker), pytest.MonkeyPatch.context() as patch:
        plan = build_plan(fields=3, measures_per_field=3, steps_per_measure=2)
        plan.introduction = "Warum dieser Plan entstand."
        plan.save()
        wrong_front_guess(patch)
        with override_settings(**BY_CHAPTER):
            request = DocumentRequest.build(plan)
            assert chapters.applies(request)
            pdf = request.render()
        yield plan.pk, pdf


@pytest.fixture
def plan(plan_and_pdf, db):
    return Plan.objects.get(pk=plan_and_pdf[0])


@pytest.fixture
def by_chapter(plan_and_pdf, settings, monkeypatch):
    """The chapter-wise rendering; the test runs under the settings and the guess it was
    rendered with."""
    for name, value in BY_CHAPTER.items():
        setattr(settings, name, value)
    wrong_front_guess(monkeypatch)
    return plan_and_pdf[1]


def _dest_page(pdf, annot, pages):
    dest = annot.Dest
    if isinstance(dest, pikepdf.String):
        dest = dict(pikepdf.NameTree(pdf.Root.Names.Dests).items())[str(dest)]
    return pages[dest[0].objgen]


def test_chapter_wise_render_equals_the_whole_render(settings, plan, by_chapter):
    settings.PLANWERK_PDF_CHAPTER_MIN_MEASURES = 1000
    request = DocumentRequest.build(plan)
    assert not chapters.applies(request)
    whole = request.render()

    assert pdf_pages(by_chapter) == pdf_pages(whole)  # text, TOC page numbers, footers
    assert pdf_outline(by_chapter) == pdf_outline(whole)
    joined, single = pdf_info(by_chapter), pdf_info(whole)
    for key in ("Title", "Author", "Pages", "Tagged", "Page size"):
        assert joined[key] == single[key], key
    assert 'pdfuaid:part="1"' in pdf_metadata(by_chapter)
    with pikepdf.open(io.BytesIO(by_chapter)) as pdf:
        assert str(pdf.Root.Lang) == "de"
        assert pdf.Root.MarkInfo.Marked is True


def test_chapters_rendered_in_child_processes_give_the_same_document(settings, plan, by_chapter):
    settings.PLANWERK_PDF_CHAPTER_MIN_MEASURES = 5
    settings.PLANWERK_PDF_CHAPTER_PROCESSES = 2
    PdfPart.objects.all().delete()  # every chapter laid out again, in the child processes
    pooled = DocumentRequest.build(plan).render()
    assert pdf_pages(pooled) == pdf_pages(by_chapter)
    assert pdf_outline(pooled) == pdf_outline(by_chapter)


def test_footers_count_the_whole_document(by_chapter):
    pages = pdf_pages(by_chapter)
    total = len(pages)
    assert total > 8
    assert "Seite" not in pages[0]  # the cover
    for number, text in enumerate(pages[1:], start=2):
        assert f"Seite {number} von {total}" in text
        assert text.count("Seite ") == 1  # laid over once, no footer of a part left


def test_structure_tree_covers_every_page_under_one_document(by_chapter):
    with pikepdf.open(io.BytesIO(by_chapter)) as pdf:
        pages = {page.objgen: i for i, page in enumerate(pdf.pages)}
        root = pdf.Root.StructTreeRoot
        assert len(root.K) == 1 and root.K[0].S == "/Document"
        document = root.K[0]
        parent_tree = dict(pikepdf.NumberTree(root.ParentTree).items())
        assert int(root.ParentTreeNextKey) > max(parent_tree)

        # Every page's marked content belongs to structure elements on that page, and
        # every one of them hangs under the one Document element (margin NonStructs name it
        # as parent without being in its K: WeasyPrint's own output does the same).
        for index, page in enumerate(pdf.pages):
            elements = parent_tree[int(page.StructParents)]
            assert len(elements) > 0, index
            for element in elements:
                assert pages[element.Pg.objgen] == index
                top = element
                while top.P.objgen != document.objgen:
                    assert top.P.objgen != root.objgen
                    top = top.P
                if top.S != "/NonStruct":
                    assert any(kid.objgen == top.objgen for kid in document.K)

        # Every link annotation is the object of a Link element that is registered for it.
        links = 0
        for page in pdf.pages:
            for annot in page.get("/Annots", []):
                element = parent_tree[int(annot.StructParent)]
                assert element.S == "/Link"
                assert any(
                    isinstance(kid, pikepdf.Dictionary)
                    and kid.get("/Type") == "/OBJR"
                    and kid.Obj.objgen == annot.objgen
                    for kid in element.K
                )
                links += 1
        assert links > 9  # contents and overview link to the fields and measures

        # The keys are unique: no two parts' keys were left to collide.
        keys = [int(p.StructParents) for p in pdf.pages] + [
            int(a.StructParent) for p in pdf.pages for a in p.get("/Annots", [])
        ]
        assert len(keys) == len(set(keys))


def test_links_lead_to_the_heading_in_another_chapter(plan, by_chapter):
    texts = pdf_pages(by_chapter)
    titles = {}
    for field in plan.fields.all():
        titles[f"field-{field.pk}"] = f"Handlungsfeld ‚{field.title}‘"
        for measure in field.measures.all():
            titles[f"measure-{measure.pk}"] = measure.title
    titles["timeline"] = "Zeitleiste"
    with pikepdf.open(io.BytesIO(by_chapter)) as pdf:
        pages = {page.objgen: i for i, page in enumerate(pdf.pages)}
        dests = dict(pikepdf.NameTree(pdf.Root.Names.Dests).items())
        checked = set()
        for index, page in enumerate(pdf.pages[:5]):  # cover, contents, introduction, overview
            for annot in page.get("/Annots", []):
                name = str(annot.Dest)
                assert name in dests, name
                target = _dest_page(pdf, annot, pages)
                assert target > index or name in chapters.FRONT_ANCHORS
                if name in titles:
                    assert squash(titles[name]) in squash(texts[target]), name
                    checked.add(name)
        assert set(titles) <= checked  # every field, measure and the timeline is linked


def test_css_string_escapes_everything_that_could_end_the_string():
    value = chapters.css_string('Plan "A" </style> \\ Ende')
    assert value.startswith('"') and value.endswith('"')
    inner = value[1:-1]
    assert '"' not in inner and "<" not in inner and " " not in inner
    assert inner.replace("\\", "").isalnum()
