"""The status page of a background import: progress, preview summary, confirm or cancel."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from access import rules

from . import services
from .models import ImportJob


def _own_job(request, job_id) -> ImportJob:
    """Only the uploader (or a superuser) sees a job; it may still import only if allowed."""
    job = get_object_or_404(ImportJob.objects.select_related("requested_by"), pk=job_id)
    if job.requested_by_id != request.user.pk and not rules.is_superuser(request.user):
        raise Http404
    return job


def _changelist_url(job: ImportJob) -> str | None:
    try:
        return reverse(f"{job.model_admin_url_name}_changelist")
    except NoReverseMatch:
        return None


@login_required
@require_GET
def job_status(request, job_id):
    job = _own_job(request, job_id)
    done = job.current_rows_done
    return render(
        request,
        "imports/importjob_status.html",
        {
            "job": job,
            "rows_done": done,
            "percent": int(100 * done / job.rows_total) if job.rows_total else 0,
            "refresh": job.is_working,
            "changelist_url": _changelist_url(job),
        },
    )


@login_required
@require_POST
def job_confirm(request, job_id):
    job = _own_job(request, job_id)
    if not services.model_admin_for(job).has_import_permission(request):
        raise Http404
    job = services.import_job_confirm(job=job, acting_user=request.user)
    if job.status != ImportJob.Status.QUEUED:
        messages.error(request, gettext("This import cannot be confirmed any more."))
    return redirect(job.get_absolute_url())


@login_required
@require_POST
def job_cancel(request, job_id):
    job = _own_job(request, job_id)
    job = services.import_job_cancel(job=job, acting_user=request.user)
    if job.status == ImportJob.Status.CANCELLED:
        messages.info(request, gettext("Import cancelled. The uploaded file was deleted."))
    return redirect(job.get_absolute_url())
