"""Spreadsheet imports: reading an upload, preview, confirmation, and background jobs."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.encoding import force_str
from django.utils.translation import gettext
from import_export.results import Result, RowResult

from history.services import change_reason

from .models import ImportJob
from .storage import ImportUploadStorage

logger = logging.getLogger(__name__)

MAX_MESSAGES = 200


class ImportRefused(Exception):
    """The file cannot be imported; the message is meant for the person who uploaded it."""


def inline_max_rows() -> int:
    """Files with more rows than this are previewed and imported by the background worker."""
    return int(getattr(settings, "PLANWERK_IMPORT_INLINE_MAX_ROWS", 300))


def tmp_storage(name: str | None, input_format) -> ImportUploadStorage:
    encoding = None if input_format.is_binary() else "utf-8-sig"
    return ImportUploadStorage(name=name, encoding=encoding, read_mode=input_format.get_read_mode())


def read_dataset(storage: ImportUploadStorage, input_format, *, file_name: str = ""):
    """The upload as a ``tablib.Dataset``; ``ImportRefused`` with a clear reason otherwise."""
    try:
        data = storage.read()
    except FileNotFoundError:
        raise ImportRefused(
            gettext(
                "The uploaded file is no longer available (cancelled, or older than an hour). "
                "Please upload it again."
            )
        ) from None
    except UnicodeDecodeError:
        data = None
    _check_bounds(data, file_name or storage.name or "", input_format)
    try:
        if data is None:
            raise ValueError("not UTF-8")
        dataset = input_format.create_dataset(data)
    except Exception:
        logger.info("Unreadable import file %s", storage.name, exc_info=True)
        raise ImportRefused(
            gettext(
                "The file could not be read. Please check that it is a %(format)s file "
                "(UTF-8 for CSV) with the column names in the first row."
            )
            % {"format": input_format.get_title().upper()}
        ) from None
    if not dataset or not dataset.headers:
        raise ImportRefused(gettext("The file contains no rows to import."))
    return dataset


def _check_bounds(data, name: str, input_format) -> None:
    """Caps of ``imports.limits`` before tablib holds the file as a dataset: an XLSX file gets
    the bounded scan (zip bombs, entities, rows, columns), a JSON file the document scan (depth,
    values, texts, numbers), any other text file a count of its lines."""
    from . import json_input, limits

    try:
        if isinstance(data, bytes) and data.startswith(b"PK\x03\x04"):
            limits.scan_workbook(data, name)
        elif isinstance(data, str) and input_format.get_title().lower() == "json":
            json_input.check(data)
        elif isinstance(data, str) and data.count("\n") > limits.max_rows():
            limits.refuse(limits.too_many_rows_message(gettext("“%(value)s”") % {"value": name}))
    except limits.InputRefused as refused:
        raise ImportRefused(" ".join(str(p) for p in refused.problems)) from None
    except json_input.DocumentRefused as refused:
        raise ImportRefused(refused.message) from None


def run_import(resource, dataset, *, user, dry_run: bool, file_name: str = "", progress=None):
    """One transaction for the whole file: any error or invalid row rolls everything back."""
    with change_reason(gettext("Import from “%(file)s”") % {"file": file_name or "—"}):
        result = resource.import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=False,
            use_transactions=True,
            rollback_on_validation_errors=True,
            file_name=file_name,
            user=user,
            retain_instance_in_row_result=True,
            progress=progress,
        )
    if not dry_run and not (result.has_errors() or result.has_validation_errors()):
        audit_import(result, resource, user=user, file_name=file_name)
    return result


def audit_import(result: Result, resource, *, user, file_name: str) -> None:
    """One audit event per plan or campaign the import touched (one in all for contacts)."""
    from access.models import AuditEvent
    from access.services import audit

    totals = totals_of(result)
    detail = gettext("%(model)s from “%(file)s”: %(new)d new, %(changed)d changed") % {
        "model": resource._meta.model._meta.verbose_name_plural,
        "file": file_name,
        "new": totals[RowResult.IMPORT_TYPE_NEW],
        "changed": totals[RowResult.IMPORT_TYPE_UPDATE],
    }
    containers = {}
    for row in result.rows:
        instance = getattr(row, "instance", None)
        if instance is None or row.import_type not in (
            RowResult.IMPORT_TYPE_NEW,
            RowResult.IMPORT_TYPE_UPDATE,
        ):
            continue
        plan = getattr(getattr(instance, "field", None), "plan", None)
        campaign = instance if instance._meta.model_name == "campaign" else None
        campaign = campaign or getattr(instance, "campaign", None)
        containers[(plan.pk if plan else None, campaign.pk if campaign else None)] = (
            plan,
            campaign,
        )
    for plan, campaign in containers.values() or [(None, None)]:
        audit(AuditEvent.Action.IMPORTED, actor=user, plan=plan, campaign=campaign, detail=detail)


def _message(error) -> str:
    """An exception as a sentence; never a class name, traceback or server path."""
    if isinstance(error, ValidationError):
        return " ".join(force_str(m) for m in error.messages)
    if isinstance(error, ValueError) and error.args and isinstance(error.args[0], str):
        return str(error)
    logger.warning("Import error", exc_info=error)
    return gettext("This row could not be imported (unexpected error).")


@dataclass
class RowMessage:
    row: int | None
    text: str


def result_messages(result: Result, resource=None) -> list[RowMessage]:
    """Every problem of an import result as one clear sentence each."""
    found: list[RowMessage] = []
    for error in result.base_errors:
        found.append(RowMessage(None, _message(error.error)))
    for number, errors in result.row_errors():
        for error in errors:
            found.append(RowMessage(number, _message(error.error)))
    labels = {}
    if resource is not None:
        labels = {f.attribute: force_str(f.column_name) for f in resource.get_import_fields()}
    for invalid in result.invalid_rows:
        for name, messages in invalid.field_specific_errors.items():
            label = labels.get(name, name)
            for message in messages:
                found.append(RowMessage(invalid.number, f"{label}: {force_str(message)}"))
        for message in invalid.non_field_specific_errors:
            found.append(RowMessage(invalid.number, force_str(message)))
    return found


def stale_message() -> str:
    return gettext(
        "Since the preview, someone else has changed records that this file would change. "
        "Nothing was imported. Please upload the file again to see a new preview."
    )


# --- background jobs -----------------------------------------------------------------------


def model_admin_for(job: ImportJob):
    return admin.site._registry[apps.get_model(job.app_label, job.model_name)]


def job_resource(job: ImportJob):
    model_admin = model_admin_for(job)
    resource_class = model_admin.get_import_resource_classes(None)[job.resource_index]
    return resource_class(**model_admin.get_import_resource_kwargs(None))


def job_format(job: ImportJob):
    return model_admin_for(job).get_import_formats()[job.format_index]()


@transaction.atomic
def import_job_start(
    *,
    model,
    storage_name: str,
    original_file_name: str,
    format_index: int,
    resource_index: int,
    rows_total: int,
    acting_user,
) -> ImportJob:
    """Hand a large upload to the worker for its preview; the job now owns the stored file."""
    from . import tasks

    job = ImportJob.objects.create(
        app_label=model._meta.app_label,
        model_name=model._meta.model_name,
        resource_index=resource_index,
        format_index=format_index,
        file_name=storage_name,
        original_file_name=original_file_name[:255],
        requested_by=acting_user,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        rows_total=rows_total,
    )
    result = tasks.preview_import_job.enqueue(str(job.pk))
    ImportJob.objects.filter(pk=job.pk).update(task_result_id=str(result.id))
    job.task_result_id = str(result.id)
    return job


@transaction.atomic
def import_job_confirm(*, job: ImportJob, acting_user) -> ImportJob:
    """Queue the real import of a previewed job."""
    from . import tasks

    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportJob.Status.READY:
        return job
    job.status = ImportJob.Status.QUEUED
    job.rows_done = 0
    result = tasks.run_import_job.enqueue(str(job.pk))
    job.task_result_id = str(result.id)
    job.save(update_fields=["status", "rows_done", "task_result_id"])
    return job


@transaction.atomic
def import_job_cancel(*, job: ImportJob, acting_user) -> ImportJob:
    """Drop a job that is not importing yet, and its file; ask a running import to stop (the
    worker sees the request at its next batch and rolls the whole import back)."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status == ImportJob.Status.DONE:
        return job
    if job.status == ImportJob.Status.IMPORTING:
        if job.cancel_requested_at is None:
            job.cancel_requested_at = timezone.now()
            job.cancelled_by = acting_user
            job.save(update_fields=["cancel_requested_at", "cancelled_by"])
        return job
    remove_job_file(job)
    job.status = ImportJob.Status.CANCELLED
    job.finished_at = timezone.now()
    job.cancelled_by = acting_user
    job.save(update_fields=["status", "finished_at", "file_name", "cancelled_by"])
    return job


class ImportCancelled(Exception):
    """The job was cancelled while the worker ran it: its transaction is rolled back."""

    def __init__(self, cancelled_by_id=None):
        super().__init__()
        self.cancelled_by_id = cancelled_by_id


def import_job_cancel_request(job: ImportJob) -> tuple[bool, int | None]:
    """Whether someone cancelled the job since the worker took it, and who (one query)."""
    row = (
        ImportJob.objects.filter(pk=job.pk)
        .values_list("status", "cancel_requested_at", "cancelled_by_id")
        .first()
    )
    if row is None:
        return True, None
    status, requested_at, by = row
    return requested_at is not None or status == ImportJob.Status.CANCELLED, by


class CancelWatch:
    """The progress callback of a job on the worker: reports the rows done and stops the
    import (``ImportCancelled``) once a cancel was requested. Called between row batches."""

    def __init__(self, job: ImportJob):
        self.job = job

    def __call__(self, rows_done: int) -> None:
        self.job.report_progress(rows_done)
        self.check()

    def check(self) -> None:
        cancelled, by = import_job_cancel_request(self.job)
        if cancelled:
            raise ImportCancelled(by)


def cancelled_message(job: ImportJob) -> RowMessage:
    name = job.cancelled_by.get_username() if job.cancelled_by_id else "–"
    return RowMessage(
        None,
        gettext("Cancelled by %(user)s while importing. Nothing was imported.") % {"user": name},
    )


def import_job_check_alive(job: ImportJob) -> ImportJob:
    """A job whose task can no longer run it (its worker was lost and the attempts are used
    up) is marked failed with a message, and its file deleted: its page stops saying "being
    checked" or "being imported" and the user can upload again."""
    from workers.services import task_gone

    if not job.is_working or job.status == ImportJob.Status.QUEUED and not job.task_result_id:
        return job
    if not task_gone(job.task_result_id):
        return job
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.is_working:
            remove_job_file(job)
            job.status = ImportJob.Status.FAILED
            job.finished_at = timezone.now()
            store_messages(
                job,
                [
                    RowMessage(
                        None,
                        gettext(
                            "The background process stopped before the import was finished. "
                            "Nothing was imported. Please upload the file again."
                        ),
                    )
                ],
            )
            job.save()
    return job


def remove_job_file(job: ImportJob) -> None:
    if job.file_name:
        ImportUploadStorage(name=job.file_name).remove()
        job.file_name = ""


def store_messages(job: ImportJob, messages: list[RowMessage]) -> None:
    job.errors = [{"row": m.row, "text": m.text} for m in messages[:MAX_MESSAGES]]
    if len(messages) > MAX_MESSAGES:
        job.errors.append(
            {
                "row": None,
                "text": gettext("… and %(count)s more.") % {"count": len(messages) - MAX_MESSAGES},
            }
        )


def totals_of(result: Result) -> dict:
    return {
        key: result.totals.get(key, 0)
        for key in (
            RowResult.IMPORT_TYPE_NEW,
            RowResult.IMPORT_TYPE_UPDATE,
            RowResult.IMPORT_TYPE_SKIP,
            RowResult.IMPORT_TYPE_DELETE,
        )
    }


def unexpected_message() -> str:
    return gettext("The import failed unexpectedly. Nothing was imported.")


# --- whole-plan workbooks ------------------------------------------------------------------


def audit_plan_import(*, plan, result, user, file_name: str) -> None:
    """One audit event per imported workbook (nothing for a file without changes)."""
    from access.models import AuditEvent
    from access.services import audit

    if not result.changes:
        return
    detail = gettext("Workbook “%(file)s”: %(summary)s") % {
        "file": file_name,
        "summary": result.summary(),
    }
    audit(AuditEvent.Action.IMPORTED, actor=user, plan=plan, detail=detail)


@transaction.atomic
def plan_import_job_start(
    *, plan, storage_name: str, original_file_name: str, rows_total: int, acting_user
) -> ImportJob:
    """Hand a large workbook to the worker for its preview; the job now owns the stored file."""
    from . import tasks

    job = ImportJob.objects.create(
        app_label="actionplan",
        model_name="plan",
        plan=plan,
        file_name=storage_name,
        original_file_name=original_file_name[:255],
        requested_by=acting_user,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        rows_total=rows_total,
    )
    result = tasks.preview_import_job.enqueue(str(job.pk))
    ImportJob.objects.filter(pk=job.pk).update(task_result_id=str(result.id))
    job.task_result_id = str(result.id)
    return job


def import_jobs_purge(*, older_than_days: int | None = None, now=None) -> int:
    """Delete import jobs that ended (or were abandoned) before the cut-off; their count.

    Jobs still being checked, queued or imported are kept whatever their age: a worker may
    hold them. The audit log (``AuditEvent``) keeps the record of every import.
    """
    days = settings.PLANWERK_IMPORT_JOB_KEEP_DAYS if older_than_days is None else older_than_days
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    in_flight = [ImportJob.Status.PREVIEWING, ImportJob.Status.QUEUED, ImportJob.Status.IMPORTING]
    deleted, _ = (
        ImportJob.objects.filter(created_at__lt=cutoff).exclude(status__in=in_flight).delete()
    )
    return deleted
