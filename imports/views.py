"""The status page of a background import (progress, preview summary, confirm or cancel), and
the whole-plan workbook: export, upload, preview, import."""

import os

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from access import rules

from . import plan_workbook, services, storage, uploads
from .models import ImportJob
from .plan_import import PlanImportError
from .storage import ImportUploadStorage


def _own_job(request, job_id) -> ImportJob:
    """Only the uploader (or a superuser) sees a job; it may still import only if allowed."""
    job = get_object_or_404(ImportJob.objects.select_related("requested_by"), pk=job_id)
    if job.requested_by_id != request.user.pk and not rules.is_superuser(request.user):
        raise Http404
    return job


def _followed_job(request, job_id) -> ImportJob:
    """Whoever started the job and the coordinators of its plan see it and may cancel it;
    for anybody else it does not exist (access.rules decides)."""
    job = get_object_or_404(ImportJob.objects.select_related("requested_by"), pk=job_id)
    if not rules.can_cancel_job(request.user, job):
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
    job = services.import_job_check_alive(_followed_job(request, job_id))
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
    if job.plan_id is not None:
        allowed = rules.can_import(request.user, job.plan)
    else:
        allowed = services.model_admin_for(job).has_import_permission(request)
    if not allowed:
        raise Http404
    job = services.import_job_confirm(job=job, acting_user=request.user)
    if job.status != ImportJob.Status.QUEUED:
        messages.error(request, gettext("This import cannot be confirmed any more."))
    return redirect(job.get_absolute_url())


@login_required
@require_POST
def job_cancel(request, job_id):
    job = _followed_job(request, job_id)
    job = services.import_job_cancel(job=job, acting_user=request.user)
    if job.status == ImportJob.Status.CANCELLED:
        messages.info(request, gettext("Import cancelled. The uploaded file was deleted."))
    elif job.status == ImportJob.Status.IMPORTING:
        messages.info(
            request,
            gettext("The import is being stopped; everything it wrote so far is undone."),
        )
    return redirect(job.get_absolute_url())


# --- the whole-plan workbook -------------------------------------------------------------------


def allowed_plan(request, plan_slug, rule):
    """The plan if the user may see it and ``rule`` allows. Members of the plan whom ``rule``
    refuses get 403 with whom to ask (they know the plan); everybody else 404, hidden or
    forbidden alike, so that the answer tells an outsider nothing about which plans exist."""
    from actionplan.models import Plan

    plan = get_object_or_404(rules.visible_plans(request.user, Plan.objects.all()), slug=plan_slug)
    if not rule(request.user, plan):
        if rules.plan_roles(request.user, plan.pk):
            raise PermissionDenied
        raise Http404
    return plan


@login_required
@require_GET
def plan_workbook_export(request, plan_slug, file_format):
    """The whole plan as one XLSX workbook or a ZIP of CSV files."""
    if file_format not in ("xlsx", "zip"):
        raise Http404
    plan = allowed_plan(request, plan_slug, rules.can_export_plan)
    if file_format == "xlsx":
        content, content_type = (
            plan_workbook.plan_workbook_xlsx(plan),
            plan_workbook.XLSX_CONTENT_TYPE,
        )
    else:
        content, content_type = (
            plan_workbook.plan_workbook_csv_zip(plan),
            (plan_workbook.ZIP_CONTENT_TYPE),
        )
    response = HttpResponse(content, content_type=content_type)
    name = plan_workbook.export_file_name(plan, file_format)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


class PlanWorkbookForm(forms.Form):
    import_file = forms.FileField(
        label=_("Workbook (XLSX) or ZIP of CSV files"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.zip"}),
    )

    def __init__(self, *args, refused_size=None, **kwargs):
        self.refused_size = refused_size
        super().__init__(*args, **kwargs)
        self.fields["import_file"].help_text = _("At most %(limit)s MB.") % {
            "limit": uploads.max_bytes() // (1024 * 1024)
        }

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if upload.size > uploads.max_bytes():
            raise forms.ValidationError(uploads.too_large_message(upload.size), code="too_large")
        return upload

    def full_clean(self):
        super().full_clean()
        if self.refused_size is not None and self.is_bound:
            self.errors["import_file"] = self.error_class(
                [uploads.too_large_message(self.refused_size)]
            )
            self.cleaned_data.pop("import_file", None)


class CampaignDocumentForm(PlanWorkbookForm):
    import_file = forms.FileField(
        label=_("Campaign document (JSON)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )


def _stored_upload(name: str) -> ImportUploadStorage:
    return ImportUploadStorage(name=os.path.basename(name or ""), read_mode="rb")


def upload_step(request, form_class, preview) -> tuple[forms.Form, dict]:
    """The upload step of an import page: the form (a file over the limit is refused while
    the request streams in), the file kept in the imports' storage, and ``preview(stored,
    file_name)``'s context for the page (empty before an upload or with an invalid form)."""
    if request.method != "POST":
        return form_class(refused_size=uploads.refused_size(request)), {}
    storage.purge_stale_uploads()
    form = form_class(request.POST, request.FILES, refused_size=uploads.refused_size(request))
    if not form.is_valid():
        return form, {}
    upload = form.cleaned_data["import_file"]
    stored = _stored_upload("")
    stored.save_chunks(upload.chunks())
    return form, preview(stored, upload.name)


@login_required
def plan_workbook_import(request, plan_slug):
    """Upload → preview (a dry run: problems or the list of changes) → confirm → import."""
    plan = allowed_plan(request, plan_slug, rules.can_import)
    context = {
        **admin.site.each_context(request),
        "plan": plan,
        "title": gettext("Import workbook: %(plan)s") % {"plan": plan.title},
    }
    if request.method == "POST" and "confirm" in request.POST:
        return _plan_workbook_confirm(request, plan)
    if request.method == "POST" and "cancel" in request.POST:
        _stored_upload(request.POST.get("stored_name")).remove()
        messages.info(request, gettext("Import cancelled. The uploaded file was deleted."))
        return redirect("imports:plan_workbook_import", plan_slug=plan.slug)
    form, preview = upload_step(
        request,
        PlanWorkbookForm,
        lambda stored, file_name: _preview(request, plan, stored, file_name),
    )
    context.update(preview, form=form)
    return render(request, "imports/plan_workbook_import.html", context)


def _preview(request, plan, stored: ImportUploadStorage, file_name: str) -> dict:
    keep = False
    try:
        content = stored.read()
        try:
            total = plan_workbook.workbook_scan(content, file_name).rows  # bounded, no parse
            if total > services.inline_max_rows():
                job = services.plan_import_job_start(
                    plan=plan,
                    storage_name=stored.name,
                    original_file_name=file_name,
                    rows_total=total,
                    acting_user=request.user,
                )
                keep = True
                return {"job": job}
            fingerprint = plan_workbook.plan_workbook_fingerprint(plan)
            result = plan_workbook.plan_workbook_import(
                plan=plan,
                content=content,
                file_name=file_name,
                acting_user=request.user,
                dry_run=True,
            )
        except PlanImportError as error:
            return {
                "problems": error.problems[: services.MAX_MESSAGES],
                "more_problems": max(0, len(error.problems) - services.MAX_MESSAGES),
                "file_name": file_name,
            }
        keep = bool(result.changes)
        return {
            "result": result,
            "file_name": file_name,
            "stored_name": stored.name if keep else "",
            "fingerprint": fingerprint,
        }
    finally:
        if not keep:
            stored.remove()


def _plan_workbook_confirm(request, plan):
    stored = _stored_upload(request.POST.get("stored_name"))
    file_name = request.POST.get("file_name", "")[:255]
    try:
        content = stored.read()
        result = plan_workbook.plan_workbook_import(
            plan=plan,
            content=content,
            file_name=file_name,
            acting_user=request.user,
            dry_run=False,
            expected_fingerprint=request.POST.get("fingerprint", ""),
        )
    except FileNotFoundError:
        messages.error(
            request,
            gettext(
                "The uploaded file is no longer available (cancelled, or older than an hour). "
                "Please upload it again."
            ),
        )
        return redirect("imports:plan_workbook_import", plan_slug=plan.slug)
    except PlanImportError as error:
        for problem in error.problems[:20]:
            messages.error(request, str(problem))
        messages.error(request, gettext("Nothing was imported."))
        return redirect("imports:plan_workbook_import", plan_slug=plan.slug)
    finally:
        stored.remove()
    services.audit_plan_import(plan=plan, result=result, user=request.user, file_name=file_name)
    messages.success(
        request,
        gettext("The workbook “%(name)s” has been imported: %(summary)s.")
        % {"name": file_name, "summary": result.summary()},
    )
    return redirect("admin:actionplan_plan_change", plan.pk)
