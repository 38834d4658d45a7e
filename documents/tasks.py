"""Background document exports on django-tasks (database backend: ``manage.py db_worker``)."""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from workers.services import task_restarted_since

from . import chapters, parts, rendering, services
from .models import PdfExport, PdfPart, PdfPartJob

logger = logging.getLogger(__name__)

#: A job ``running`` for longer than this belongs to a worker that died; another may take it.
DEFAULT_STALE_AFTER = timedelta(minutes=30)


def claim(export_id) -> bool:
    """Take the job for this process: one conditional UPDATE, so exactly one process wins even
    across machines. A job left ``running`` is taken again by the retry of its own task (its
    worker died; the reaper put the task back in the queue, and a worker started it again
    after the export was claimed), and after ``PLANWERK_PDF_JOB_STALE_AFTER`` by anyone."""
    stale_after = getattr(settings, "PLANWERK_PDF_JOB_STALE_AFTER", DEFAULT_STALE_AFTER)
    now = timezone.now()
    takeable = Q(status=PdfExport.Status.PENDING) | Q(
        status=PdfExport.Status.RUNNING, started_at__lt=now - stale_after
    )
    current = PdfExport.objects.filter(pk=export_id).values("status", "started_at").first()
    if current and current["status"] == PdfExport.Status.RUNNING and _task_restarted(export_id):
        takeable |= Q(status=PdfExport.Status.RUNNING, started_at=current["started_at"])
    return bool(
        PdfExport.objects.filter(takeable, pk=export_id).update(
            status=PdfExport.Status.RUNNING, started_at=now, error=""
        )
    )


def _task_restarted(export_id) -> bool:
    """Whether the export's task was (re)started after the export was last claimed."""
    export = PdfExport.objects.filter(pk=export_id).values("task_result_id", "started_at").first()
    return bool(export) and task_restarted_since(export["task_result_id"], export["started_at"])


# How often a render by chapter looks whether its export was cancelled (a query each time).
CANCEL_CHECK_SECONDS = 1.0


def _cancelled(export_pk):
    """A check for ``chapters.stop_when``: has the export been cancelled? At most one query a
    ``CANCEL_CHECK_SECONDS``."""
    asked_at = None

    def check() -> bool:
        nonlocal asked_at
        now = time.monotonic()
        if asked_at is not None and now - asked_at < CANCEL_CHECK_SECONDS:
            return False
        asked_at = now
        return PdfExport.objects.filter(pk=export_pk, status=PdfExport.Status.CANCELLED).exists()

    return check


@task()
def build_pdf_export(export_id: str) -> dict:
    """Render the document of one ``PdfExport`` and store it through the documents storage.

    A document rendered by chapter hands its chapters to the queue instead
    (``services.export_chapters_start``): ``render_pdf_part`` lays each out in whichever
    worker takes it, and the last one starts ``join_pdf_export``."""
    if not claim(export_id):
        export = PdfExport.objects.get(pk=export_id)
        return {"export": export_id, "size": export.size, "rendered": False}
    export = PdfExport.objects.select_related("plan", "field", "measure").get(pk=export_id)
    if export.status != PdfExport.Status.RUNNING:  # cancelled right after the claim
        return {"export": export_id, "size": None, "rendered": False, "cancelled": True}
    request = services.DocumentRequest.for_export(export)
    try:
        chapters_handed_out = services.export_chapters_start(export, request)
    except Exception as exc:
        _failed(export, exc)
        raise
    if chapters_handed_out:
        return {"export": export_id, "chapters": chapters_handed_out, "rendered": False}
    return _render_and_store(export, request)


@task()
def render_pdf_part(job_id: int) -> dict:
    """Lay out one chapter of an export (``PdfPartJob``) and keep it in the chapter cache; the
    last chapter of the export to finish starts the join. Taken again after a crash, it
    finds its part stored or renders it again (the part's key names its content)."""
    job = PdfPartJob.objects.select_related("export").filter(pk=job_id).first()
    if job is None:  # its export was started over or deleted
        return {"job": job_id, "rendered": False}
    if job.export.status != PdfExport.Status.RUNNING:  # cancelled or failed meanwhile
        return {"job": job_id, "rendered": False, "export": job.export.status}
    rendered = False
    if job.status == PdfPartJob.Status.PENDING:
        if not PdfPart.objects.filter(key=job.key).exists():
            data = rendering.write_pdf(job.html, variant=job.variant)
            parts.store(job.key, job.label, data, set(job.owned))
            rendered = True
        PdfPartJob.objects.filter(pk=job.pk, status=PdfPartJob.Status.PENDING).update(
            status=PdfPartJob.Status.DONE, finished_at=timezone.now(), html=""
        )
    services.export_join_when_complete(job.export_id)
    return {"job": job_id, "label": job.label, "rendered": rendered}


@task()
def join_pdf_export(export_id: str) -> dict:
    """Put an export's chapters together (``documents.chapters``: each from the chapter
    cache; the cover, front matter and footers laid out here) and store the document."""
    export = PdfExport.objects.select_related("plan", "field", "measure").get(pk=export_id)
    if export.status != PdfExport.Status.RUNNING:
        return {"export": export_id, "size": export.size, "rendered": False}
    return _render_and_store(export, services.DocumentRequest.for_export(export))


def _failed(export, exc) -> None:
    logger.exception("PDF export %s failed", export.pk)
    PdfExport.objects.filter(pk=export.pk, status=PdfExport.Status.RUNNING).update(
        status=PdfExport.Status.FAILED,
        finished_at=timezone.now(),
        error=f"{type(exc).__name__}: {exc}"[:2000],
    )


def _render_and_store(export, request) -> dict:
    export_id = str(export.pk)
    try:
        with chapters.stop_when(_cancelled(export.pk)):
            data = services.get_or_render(request)
    except chapters.RenderStopped:
        logger.info("PDF export %s was cancelled; its render stopped between chapters", export_id)
        return {"export": export_id, "size": None, "rendered": False, "cancelled": True}
    except Exception as exc:
        _failed(export, exc)
        raise
    with transaction.atomic():
        # Locked while the file is stored: a cancel either came before (the PDF is discarded)
        # or waits and finds the export done.
        running = PdfExport.objects.select_for_update().filter(
            pk=export.pk, status=PdfExport.Status.RUNNING
        )
        if not running.exists():
            logger.info("PDF export %s was cancelled; its document is discarded", export_id)
            return {"export": export_id, "size": None, "rendered": False, "cancelled": True}
        export.file.save(request.filename, ContentFile(data), save=False)
        export.size = len(data)
        export.status = PdfExport.Status.DONE
        export.finished_at = timezone.now()
        export.save(update_fields=["file", "size", "status", "finished_at"])
    return {"export": export_id, "size": len(data), "rendered": True}
