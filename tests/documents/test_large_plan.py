"""A 300-measure plan, rendered by the background job chapter by chapter: contents, outline,
links and footers stay correct across the joined document."""

import io
import re

import pikepdf
import pytest

from documents import chapters
from documents.models import PdfExport
from documents.services import DocumentRequest, export_request
from tests.documents.pdf_factories import (  # noqa: F401
    pdf_cache,
    pdf_outline,
    pdf_pages,
    requires_poppler,
    run_export,
    squash,
)
from tests.factories import build_plan

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.slow,
    pytest.mark.usefixtures("pdf_cache"),
    requires_poppler,
]


def test_300_measure_plan_renders_in_the_background_with_correct_contents_and_outline(
    settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    plan = build_plan(fields=6, measures_per_field=50, steps_per_measure=2)
    request = DocumentRequest.build(plan)
    assert chapters.applies(request)  # the chapter-wise path, in the worker only
    export = export_request(request)
    assert run_export(export)["rendered"] is True  # its chapters as jobs, then the join
    export.refresh_from_db()
    assert export.status == PdfExport.Status.DONE
    with export.file.open("rb") as handle:
        data = handle.read()

    pages = pdf_pages(data)
    outline = pdf_outline(data)
    fields = list(plan.fields.order_by("position"))
    assert [title for title, _, _ in outline] == [
        "Einleitung",
        "Gesamtübersicht der Maßnahmen",
        "Ansprechpartner",
        *[f"Handlungsfeld ‚{f.title}‘" for f in fields],
        "Zeitleiste",
    ]
    for field, (title, page, children) in zip(fields, outline[3:-1], strict=True):
        assert title in pages[page - 1].split("\n")[:6]  # the heading opens its page
        measures = list(field.measures.order_by("position"))
        assert [c[0] for c in children] == [f"Maßnahme {m.code}) {m.title}" for m in measures]
        for child_title, child_page, _ in children:
            assert squash(child_title) in squash(pages[child_page - 1])

    # Every entry of the table of contents names the page its heading is on.
    toc = pages[1]  # after the cover
    assert "Inhalt" in toc.split("\n")[:6]
    for title, page, _ in outline:
        found = re.search(rf"{re.escape(title)}\s*\.*\s*(\d+)\b", toc)
        assert found, title
        assert int(found.group(1)) == page, title
        assert squash(title) in squash(pages[page - 1])

    # „Seite X von Y“ counts the whole document, not the chapter.
    assert "Seite" not in pages[0]
    for number, text in enumerate(pages[1:], start=2):
        assert f"Seite {number} von {len(pages)}" in text

    # The overview links every measure to the page its bookmark (and heading) is on.
    measure_pages = {
        squash(title): page for _, _, children in outline for title, page, _ in children
    }
    by_pk = {
        f"measure-{m.pk}": squash(f"Maßnahme {m.code}) {m.title}")
        for m in (m for f in fields for m in f.measures.all())
    }
    with pikepdf.open(io.BytesIO(data)) as pdf:
        index = {page.objgen: i for i, page in enumerate(pdf.pages)}
        dests = dict(pikepdf.NameTree(pdf.Root.Names.Dests).items())
        linked = set()
        for page in pdf.pages[: outline[3][1] - 1]:  # the pages before the first field
            for annot in page.get("/Annots", []):
                name = str(annot.Dest)
                if name in by_pk:
                    assert index[dests[name][0].objgen] + 1 == measure_pages[by_pk[name]]
                    linked.add(name)
    assert linked == set(by_pk)
