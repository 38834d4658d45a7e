"""Background PDF exports on django-tasks (database backend: ``manage.py db_worker``)."""

import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from . import pdf
from .models import FieldOfAction, Measure, Plan
from .models_pdf import PdfExport

logger = logging.getLogger(__name__)

DEFAULT_INLINE_MAX_MEASURES = 150


def inline_max_measures() -> int:
    """Documents with more measures than this are rendered by the worker, not the request."""
    return getattr(settings, "PLANWERK_PDF_INLINE_MAX_MEASURES", DEFAULT_INLINE_MAX_MEASURES)


@transaction.atomic
def export_request(pdf_request: pdf.PdfRequest, *, requested_by=None) -> PdfExport:
    """Reuse the queued, running or finished job for this exact document, else enqueue one.

    Keyed by the cache key, so repeated clicks (or many visitors) start one job per state of
    the data, not one per request.
    """
    existing = (
        PdfExport.objects.reusable()
        .filter(cache_key=pdf_request.cache_key)
        .order_by("-created_at")
        .first()
    )
    if existing is not None:
        return existing
    user = requested_by if requested_by is not None and requested_by.is_authenticated else None
    export = PdfExport.objects.create(
        plan=pdf_request.plan,
        field=pdf_request.field,
        measure=pdf_request.measure,
        cache_key=pdf_request.cache_key,
        draft=pdf_request.draft,
        language=pdf_request.language,
        variant=pdf_request.variant,
        requested_by=user,
    )
    result = build_pdf_export.enqueue(str(export.pk))
    PdfExport.objects.filter(pk=export.pk).update(task_result_id=str(result.id))
    export.task_result_id = str(result.id)
    return export


@task()
def build_pdf_export(export_id: str) -> dict:
    """Render the document of one ``PdfExport`` and store it as its file."""
    export = PdfExport.objects.select_related("plan", "field", "measure").get(pk=export_id)
    if export.status == PdfExport.Status.DONE and export.file:
        return {"export": export_id, "size": export.size, "reused": True}
    PdfExport.objects.filter(pk=export.pk).update(
        status=PdfExport.Status.RUNNING, started_at=timezone.now(), error=""
    )
    try:
        plan = Plan.objects.get(pk=export.plan_id)
        field = FieldOfAction.objects.get(pk=export.field_id) if export.field_id else None
        measure = Measure.objects.get(pk=export.measure_id) if export.measure_id else None
        pdf_request = pdf.PdfRequest(
            plan=plan,
            field=field,
            measure=measure,
            draft=export.draft,
            language=export.language,
            variant=export.variant,
        )
        data = pdf.get_or_render_pdf(pdf_request)
    except Exception as exc:
        logger.exception("PDF export %s failed", export_id)
        PdfExport.objects.filter(pk=export.pk).update(
            status=PdfExport.Status.FAILED,
            finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        raise
    with transaction.atomic():
        export.file.save(pdf_request.filename, ContentFile(data), save=False)
        export.size = len(data)
        export.status = PdfExport.Status.DONE
        export.finished_at = timezone.now()
        export.save(update_fields=["file", "size", "status", "finished_at"])
    return {"export": export_id, "size": len(data), "reused": False}
