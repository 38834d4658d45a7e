"""One document over many workers (issue 22): the chapters of a background export are jobs of
their own on the task queue, the last one starts the join, and the status page counts
chapters. (Real worker processes on PostgreSQL: tests/workers/test_chapter_workers.py.)"""

import re

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from actionplan.models import Measure
from documents import rendering
from documents.models import PdfExport, PdfPart, PdfPartJob
from documents.services import DocumentRequest, export_cancel, export_check_alive, export_request
from documents.tasks import build_pdf_export, join_pdf_export, render_pdf_part
from tests.documents.pdf_factories import (
    pdf_cache,  # noqa: F401
    pdf_pages,
    requires_poppler,
)
from tests.factories import UserFactory, build_plan

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.slow,
    pytest.mark.usefixtures("pdf_cache"),
    requires_poppler,
]


@pytest.fixture(autouse=True)
def by_chapter_jobs(settings):
    settings.PLANWERK_PDF_CHAPTER_MIN_MEASURES = 2
    settings.PLANWERK_PDF_INLINE_MAX_MEASURES = 2
    settings.PLANWERK_PDF_CHAPTER_PROCESSES = 1
    settings.PLANWERK_PDF_CHAPTER_JOBS = True


def _status_page(client, export) -> str:
    user = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(user)
    response = client.get(reverse("actionplan:pdf_export_status", args=[export.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    # Styles from a file: the CSP (style-src 'self') blocks inline <style> elements.
    assert "<style" not in page and "css/export-status.css" in page
    return page


def test_chapters_become_jobs_and_the_last_one_starts_the_join(client, settings):
    plan = build_plan(fields=3, measures_per_field=2, steps_per_measure=1)
    export = export_request(DocumentRequest.build(plan))
    result = build_pdf_export.call(str(export.pk))
    assert result["chapters"] == 4  # three fields and the back matter

    jobs = list(PdfPartJob.objects.filter(export=export).order_by("position"))
    assert [job.label for job in jobs] == [
        *(f"field-{f.pk}" for f in plan.fields.order_by("position")),
        "back",
    ]
    tasks = DBTaskResult.objects.filter(pk__in=[job.task_result_id for job in jobs])
    assert tasks.count() == 4
    assert {t.task_path for t in tasks} == {"documents.tasks.render_pdf_part"}
    export.refresh_from_db()
    assert export.status == PdfExport.Status.RUNNING and not export.join_task_id
    assert "Gesetzte Kapitel: 0 von 4." in _status_page(client, export)

    for job in jobs[:3]:
        assert render_pdf_part.call(job.pk)["rendered"] is True
    page = _status_page(client, export)
    assert "Gesetzte Kapitel: 3 von 4." in page
    assert 'value="3" max="5"' in page
    export.refresh_from_db()
    assert not export.join_task_id  # one chapter still to go
    assert export_check_alive(export)

    render_pdf_part.call(jobs[3].pk)
    export.refresh_from_db()
    join = DBTaskResult.objects.get(pk=export.join_task_id)
    assert join.task_path == "documents.tasks.join_pdf_export"
    assert "Alle 4 Kapitel sind gesetzt" in _status_page(client, export)
    assert not PdfPartJob.objects.filter(export=export).exclude(html="").exists()

    # The join lays out cover, front matter and footers only: the chapters are stored.
    laid_out = []
    original = rendering.write_pdf

    def counting(html, **kwargs):
        laid_out.append(html)
        return original(html, **kwargs)

    rendering.write_pdf, saved = counting, rendering.write_pdf
    try:
        assert join_pdf_export.call(str(export.pk))["rendered"] is True
    finally:
        rendering.write_pdf = saved
    assert len(laid_out) == 3
    export.refresh_from_db()
    assert export.status == PdfExport.Status.DONE
    with export.file.open("rb") as handle:
        joined = handle.read()

    # The same document as a render in one piece.
    settings.PLANWERK_PDF_CHAPTER_MIN_MEASURES = 10_000
    assert pdf_pages(joined) == pdf_pages(DocumentRequest.build(plan).render())


def test_a_second_chapter_finishing_does_not_start_a_second_join():
    plan = build_plan(fields=2, measures_per_field=2, steps_per_measure=1)
    export = export_request(DocumentRequest.build(plan))
    build_pdf_export.call(str(export.pk))
    jobs = list(PdfPartJob.objects.filter(export=export))
    for job in jobs:
        render_pdf_part.call(job.pk)
    export.refresh_from_db()
    first_join = export.join_task_id
    # A chapter job run again (its worker died after finishing): no second join.
    assert render_pdf_part.call(jobs[0].pk)["rendered"] is False
    export.refresh_from_db()
    assert export.join_task_id == first_join
    assert DBTaskResult.objects.filter(task_path="documents.tasks.join_pdf_export").count() == 1


def test_only_the_chapters_not_stored_become_jobs():
    plan = build_plan(fields=3, measures_per_field=2, steps_per_measure=1)
    DocumentRequest.build(plan).render()  # every part stored
    field = plan.fields.order_by("position").last()
    measure = field.measures.order_by("position").first()
    measure.description = "Geändert nach dem letzten Export."
    measure.save()
    export = export_request(DocumentRequest.build(plan))
    # One chapter to lay out: not worth a job of its own, the export's job renders it.
    result = build_pdf_export.call(str(export.pk))
    assert result["rendered"] is True
    assert not PdfPartJob.objects.filter(export=export).exists()
    export.refresh_from_db()
    assert export.status == PdfExport.Status.DONE


def test_a_cancelled_export_lays_out_no_more_chapters():
    plan = build_plan(fields=2, measures_per_field=2, steps_per_measure=1)
    user = UserFactory(is_superuser=True, is_staff=True)
    export = export_request(DocumentRequest.build(plan))
    build_pdf_export.call(str(export.pk))
    export_cancel(export=export, acting_user=user)
    for job in PdfPartJob.objects.filter(export=export):
        assert render_pdf_part.call(job.pk)["rendered"] is False
    assert not PdfPart.objects.exists()
    export.refresh_from_db()
    assert export.status == PdfExport.Status.CANCELLED and not export.join_task_id


def test_an_export_whose_chapter_tasks_failed_is_dead():
    plan = build_plan(fields=2, measures_per_field=2, steps_per_measure=1)
    export = export_request(DocumentRequest.build(plan))
    build_pdf_export.call(str(export.pk))
    DBTaskResult.objects.filter(pk=export.task_result_id).update(status="SUCCESSFUL")
    export.refresh_from_db()
    assert export_check_alive(export)  # its chapters wait in the queue
    part_tasks = PdfPartJob.objects.filter(export=export).values_list("task_result_id", flat=True)
    DBTaskResult.objects.filter(pk__in=list(part_tasks)).update(status="FAILED")
    assert not export_check_alive(export)
    export.refresh_from_db()
    assert export.status == PdfExport.Status.FAILED


def test_a_draft_export_chapters_never_serve_the_public_one():
    plan = build_plan(fields=2, measures_per_field=3, steps_per_measure=1)
    hidden = plan.fields.order_by("position").first().measures.order_by("position").first()
    Measure.objects.filter(pk=hidden.pk).update(state=Measure.State.DRAFT, title="Nur intern")
    internal = export_request(DocumentRequest.build(plan, internal=True))
    build_pdf_export.call(str(internal.pk))
    for job in PdfPartJob.objects.filter(export=internal):
        render_pdf_part.call(job.pk)
    public = export_request(DocumentRequest.build(plan, internal=False))
    assert build_pdf_export.call(str(public.pk))["chapters"] == 3  # nothing reused
    internal_keys = set(PdfPartJob.objects.filter(export=internal).values_list("key", flat=True))
    public_keys = set(PdfPartJob.objects.filter(export=public).values_list("key", flat=True))
    assert not internal_keys & public_keys
    for job in PdfPartJob.objects.filter(export=public):
        render_pdf_part.call(job.pk)
    public.refresh_from_db()
    join_pdf_export.call(str(public.pk))
    public.refresh_from_db()
    with public.file.open("rb") as handle:
        assert "Nur intern" not in "".join(pdf_pages(handle.read()))


def test_the_admin_lists_an_exports_chapter_jobs(client):
    plan = build_plan(fields=2, measures_per_field=2, steps_per_measure=1)
    export = export_request(DocumentRequest.build(plan))
    build_pdf_export.call(str(export.pk))
    render_pdf_part.call(PdfPartJob.objects.filter(export=export).first().pk)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.get(reverse("admin:documents_pdfexport_change", args=[export.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Kapitel-Aufträge" in page
    assert re.search(r"field-status[^>]*>\s*(<p>)?\s*fertig", page)
    assert "<html" not in page.split("Kapitel-Aufträge", 1)[1].lower()  # no part HTML shown
