"""PDF downloads: small documents inline (cached), large ones through a background job."""

from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET
from django_tasks import default_task_backend
from django_tasks.exceptions import TaskResultDoesNotExist

from . import pdf, tasks
from .models import FieldOfAction, Measure, Plan
from .models_pdf import PdfExport


def pdf_response(data: bytes, pdf_request: pdf.PdfRequest) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, pdf_request.filename)
    response["Content-Length"] = str(len(data))
    if pdf_request.draft:
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def serve_or_enqueue(request, pdf_request: pdf.PdfRequest) -> HttpResponse:
    """Cached bytes if any; else render inline when small, or hand over to the worker."""
    data = pdf.cached_pdf(pdf_request)
    if data is None:
        if pdf_request.measure_count() > tasks.inline_max_measures():
            export = tasks.export_request(pdf_request, requested_by=request.user)
            return redirect(export.get_absolute_url())
        data = pdf.get_or_render_pdf(pdf_request)
    return pdf_response(data, pdf_request)


def _visible_plan(request, plan_slug):
    # Drafts are invisible (404, not 403) to everybody but staff.
    return get_object_or_404(Plan.objects.visible_to(request.user), slug=plan_slug)


@transaction.non_atomic_requests
@require_GET
def plan_pdf(request, plan_slug):
    plan = _visible_plan(request, plan_slug)
    return serve_or_enqueue(request, pdf.PdfRequest.build(plan))


@transaction.non_atomic_requests
@require_GET
def field_pdf(request, plan_slug, field_slug):
    plan = _visible_plan(request, plan_slug)
    field = get_object_or_404(FieldOfAction, plan=plan, slug=field_slug)
    return serve_or_enqueue(request, pdf.PdfRequest.build(plan, field=field))


@transaction.non_atomic_requests
@require_GET
def measure_pdf(request, plan_slug, field_slug, measure_slug):
    plan = _visible_plan(request, plan_slug)
    field = get_object_or_404(FieldOfAction, plan=plan, slug=field_slug)
    measure = get_object_or_404(Measure, field=field, slug=measure_slug)
    return serve_or_enqueue(request, pdf.PdfRequest.build(plan, field=field, measure=measure))


def _visible_export(request, export_id) -> PdfExport:
    export = get_object_or_404(
        PdfExport.objects.select_related("plan", "field", "measure"), pk=export_id
    )
    staff = request.user.is_active and request.user.is_staff
    if (export.draft or not export.plan.is_public) and not staff:
        raise Http404
    return export


def _queue_position(export) -> int | None:
    if export.status != PdfExport.Status.PENDING or not export.task_result_id:
        return None
    from django_tasks_db.models import DBTaskResult

    try:
        mine = DBTaskResult.objects.get(pk=export.task_result_id)
    except (DBTaskResult.DoesNotExist, ValueError):
        return None
    return (
        DBTaskResult.objects.ready()
        .filter(queue_name=mine.queue_name, enqueued_at__lt=mine.enqueued_at)
        .count()
        + 1
    )


@require_GET
def pdf_export_status(request, export_id):
    export = _visible_export(request, export_id)
    task_status = None
    if export.task_result_id:
        try:
            task_status = default_task_backend.get_result(export.task_result_id).status
        except (TaskResultDoesNotExist, ValueError):
            task_status = None
    staff = request.user.is_active and request.user.is_staff
    return render(
        request,
        "pdf/export_status.html",
        {
            "export": export,
            "task_status": task_status,
            "queue_position": _queue_position(export),
            "show_error": staff,
            "refresh": not export.is_finished,
        },
    )


@require_GET
def pdf_export_download(request, export_id):
    export = _visible_export(request, export_id)
    if export.status != PdfExport.Status.DONE or not export.file:
        return redirect(export.get_absolute_url())
    response = FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=export.download_name,
        content_type="application/pdf",
    )
    if export.draft:
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
    return response
