"""A 300-measure plan, rendered by the background job: contents and outline stay correct."""

import re

import pytest

from documents.models import PdfExport
from documents.services import DocumentRequest, export_request
from documents.tasks import build_pdf_export
from tests.documents.pdf_factories import (  # noqa: F401
    pdf_cache,
    pdf_outline,
    pdf_pages,
    requires_poppler,
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
    export = export_request(DocumentRequest.build(plan))
    assert build_pdf_export.call(str(export.pk))["rendered"] is True
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
