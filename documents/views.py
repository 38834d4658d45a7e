"""Document downloads: small documents inline (cached), large ones through a background job."""

from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST
from django_tasks import default_task_backend
from django_tasks.exceptions import TaskResultDoesNotExist

from access import rules
from actionplan.models import FieldOfAction, Measure
from actionplan.views import plan_or_404
from campaigns.models import Campaign

from . import services
from .models import PdfExport
from .services import DocumentRequest, request_for


def pdf_response(data: bytes, pdf_request: DocumentRequest) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, pdf_request.filename)
    response["Content-Length"] = str(len(data))
    if pdf_request.draft:
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def serve_or_enqueue(request, pdf_request: DocumentRequest) -> HttpResponse:
    """Cached bytes if any; else render inline when small, or hand over to the worker."""
    result = services.get_or_enqueue(pdf_request, requested_by=request.user)
    if isinstance(result, PdfExport):
        return redirect(result.get_absolute_url())
    return pdf_response(result, pdf_request)


@transaction.non_atomic_requests
@require_GET
def plan_pdf(request, plan_slug):
    plan = plan_or_404(request, plan_slug)
    return serve_or_enqueue(
        request, request_for(request.user, plan, language=translation.get_language())
    )


@transaction.non_atomic_requests
@require_GET
def plan_progress_pdf(request, plan_slug):
    """The plan document with the chapter „Stand der Umsetzung“ (the progress dashboard)."""
    plan = plan_or_404(request, plan_slug)
    return serve_or_enqueue(
        request, request_for(request.user, plan, progress=True, language=translation.get_language())
    )


@transaction.non_atomic_requests
@require_GET
def field_pdf(request, plan_slug, field_slug):
    plan = plan_or_404(request, plan_slug)
    field = get_object_or_404(
        FieldOfAction.objects.visible_to(request.user), plan=plan, slug=field_slug
    )
    return serve_or_enqueue(
        request, request_for(request.user, field, language=translation.get_language())
    )


@transaction.non_atomic_requests
@require_GET
def measure_pdf(request, plan_slug, field_slug, measure_slug):
    plan = plan_or_404(request, plan_slug)
    measure = get_object_or_404(
        Measure.objects.visible_to(request.user).select_related("field__plan"),
        field__plan=plan,
        field__slug=field_slug,
        slug=measure_slug,
    )
    return serve_or_enqueue(
        request, request_for(request.user, measure, language=translation.get_language())
    )


@transaction.non_atomic_requests
@require_GET
def campaign_pdf(request, slug):
    """The campaign brief; a draft campaign only for its members (``access.rules``)."""
    campaign = get_object_or_404(
        rules.visible_campaigns(request.user, Campaign.objects.select_related("organiser")),
        slug=slug,
    )
    pdf_request = request_for(request.user, campaign, language=translation.get_language())
    return pdf_response(services.get_or_render(pdf_request), pdf_request)


def _visible_export(request, export_id) -> PdfExport:
    export = get_object_or_404(
        PdfExport.objects.select_related("plan", "field", "measure"), pk=export_id
    )
    user = request.user
    if export.draft and not rules.sees_unpublished(user, export.plan):
        raise Http404
    if not rules.can_view(user, export.measure or export.field or export.plan):
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
    services.export_check_alive(export)  # a job whose worker is gone shows as failed
    task_status = None
    if export.task_result_id:
        try:
            task_status = default_task_backend.get_result(export.task_result_id).status
        except (TaskResultDoesNotExist, ValueError):
            task_status = None
    staff = rules.sees_unpublished(request.user, export.plan)
    return render(
        request,
        "documents/export_status.html",
        {
            "export": export,
            "task_status": task_status,
            "queue_position": _queue_position(export),
            "chapters": services.export_progress(export) if export.is_working else None,
            "show_error": staff,
            "refresh": not export.is_finished,
            "may_cancel": export.is_working and rules.can_cancel_job(request.user, export),
        },
    )


@require_POST
def pdf_export_cancel(request, export_id):
    """Whoever started the export and the plan's coordinators may cancel it; for anybody
    else it answers as a hidden one does (404)."""
    export = _visible_export(request, export_id)
    if not rules.can_cancel_job(request.user, export):
        raise Http404
    export = services.export_cancel(export=export, acting_user=request.user)
    return redirect(export.get_absolute_url())


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
