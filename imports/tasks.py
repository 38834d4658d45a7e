"""Large imports on the django-tasks worker: the preview (dry run), then the confirmed import."""

import logging

from django.db import transaction
from django.utils import timezone, translation
from django_tasks import task

from workers.services import task_restarted_since

from . import services
from .models import ImportJob

logger = logging.getLogger(__name__)


def _finish(job: ImportJob, status: str, *, messages=(), remove_file: bool) -> None:
    job.status = status
    job.finished_at = timezone.now()
    services.store_messages(job, list(messages))
    if remove_file:
        services.remove_job_file(job)
    job.save()


def _cancelled(job: ImportJob, cancel: services.ImportCancelled) -> dict:
    """The worker saw the cancel request: the import's transaction was rolled back."""
    job.refresh_from_db(fields=["cancelled_by", "cancel_requested_at", "status"])
    job.cancelled_by_id = job.cancelled_by_id or cancel.cancelled_by_id
    _finish(
        job,
        ImportJob.Status.CANCELLED,
        messages=[services.cancelled_message(job)],
        remove_file=True,
    )
    return {"job": str(job.pk), "status": job.status}


def _execute(job: ImportJob, *, dry_run: bool) -> dict:
    """Preview (``dry_run``) or import the job's file; every outcome is recorded on the job.

    The preview keeps the file for the confirmation; the import deletes it whatever happens.
    """
    failed = ImportJob.Status.INVALID if dry_run else ImportJob.Status.FAILED
    if job.plan_id is not None:
        return _execute_plan_workbook(job, dry_run=dry_run, failed=failed)
    with translation.override(job.language):
        try:
            input_format = services.job_format(job)
            dataset = services.read_dataset(
                services.tmp_storage(job.file_name, input_format),
                input_format,
                file_name=job.original_file_name,
            )
            resource = services.job_resource(job)
            token = resource.fingerprint(dataset)
            if dry_run:
                job.preview_token = token
            elif token != job.preview_token:
                raise services.ImportRefused(services.stale_message())
            watch = services.CancelWatch(job)
            with transaction.atomic():
                result = services.run_import(
                    resource,
                    dataset,
                    user=job.requested_by,
                    dry_run=dry_run,
                    file_name=job.original_file_name,
                    progress=watch,
                )
                watch.check()  # a request after the last batch still rolls everything back
        except services.ImportCancelled as cancel:
            return _cancelled(job, cancel)
        except services.ImportRefused as refused:
            _finish(
                job, failed, messages=[services.RowMessage(None, str(refused))], remove_file=True
            )
            return {"job": str(job.pk), "status": job.status}
        except Exception:
            logger.exception("Import job %s failed", job.pk)
            message = services.RowMessage(None, services.unexpected_message())
            _finish(job, ImportJob.Status.FAILED, messages=[message], remove_file=True)
            raise
        job.rows_total = job.rows_done = result.total_rows
        job.totals = services.totals_of(result)
        if result.has_errors() or result.has_validation_errors():
            messages = services.result_messages(result, resource)
            _finish(job, failed, messages=messages, remove_file=True)
        elif dry_run:
            _finish(job, ImportJob.Status.READY, remove_file=False)
        else:
            _finish(job, ImportJob.Status.DONE, remove_file=True)
    return {"job": str(job.pk), "status": job.status}


PREVIEW_CHANGES = 500


def _execute_plan_workbook(job: ImportJob, *, dry_run: bool, failed: str) -> dict:
    """The whole-plan workbook on the worker: the same importer as inline, with progress."""
    from .plan_import import PlanImportError
    from .plan_workbook import plan_workbook_fingerprint, plan_workbook_import

    with translation.override(job.language):
        storage = services.tmp_storage(job.file_name, _BINARY)
        try:
            content = storage.read()
            if dry_run:
                job.preview_token = plan_workbook_fingerprint(job.plan)
            watch = services.CancelWatch(job)
            with transaction.atomic():
                result = plan_workbook_import(
                    plan=job.plan,
                    content=content,
                    file_name=job.original_file_name,
                    acting_user=job.requested_by,
                    dry_run=dry_run,
                    expected_fingerprint=None if dry_run else job.preview_token,
                    progress=watch,
                )
                watch.check()  # a request after the last batch still rolls everything back
        except services.ImportCancelled as cancel:
            return _cancelled(job, cancel)
        except FileNotFoundError:
            message = services.RowMessage(None, services.unexpected_message())
            _finish(job, failed, messages=[message], remove_file=True)
            return {"job": str(job.pk), "status": job.status}
        except PlanImportError as error:
            messages = [services.RowMessage(None, str(p)) for p in error.problems]
            _finish(job, failed, messages=messages, remove_file=True)
            return {"job": str(job.pk), "status": job.status}
        except Exception:
            logger.exception("Import job %s failed", job.pk)
            message = services.RowMessage(None, services.unexpected_message())
            _finish(job, ImportJob.Status.FAILED, messages=[message], remove_file=True)
            raise
        job.rows_done = job.rows_total
        job.totals = {
            **result.counts,
            "changes": [
                {
                    "action": c.action,
                    "kind_label": c.kind_label,
                    "label": c.label,
                    "diffs": [list(d) for d in c.diffs],
                }
                for c in result.changes[:PREVIEW_CHANGES]
            ],
            "more": max(0, len(result.changes) - PREVIEW_CHANGES),
            "notices": result.notices,
        }
        if dry_run:
            _finish(job, ImportJob.Status.READY, remove_file=False)
        else:
            services.audit_plan_import(
                plan=job.plan,
                result=result,
                user=job.requested_by,
                file_name=job.original_file_name,
            )
            _finish(job, ImportJob.Status.DONE, remove_file=True)
    return {"job": str(job.pk), "status": job.status}


class _BinaryFormat:
    @staticmethod
    def is_binary() -> bool:
        return True

    @staticmethod
    def get_read_mode() -> str:
        return "rb"


_BINARY = _BinaryFormat()


def _claim(job_id: str, expected: str, *, new_status: str) -> ImportJob | None:
    """The job, marked ``new_status``, if it is ``expected``; or if it is ``new_status``
    already and its task was started again since (the worker running it died and the reaper
    gave the task back: the import ran in one transaction, so nothing of it was written)."""
    job = ImportJob.objects.select_related("requested_by", "plan").get(pk=job_id)
    retry = job.status == new_status and task_restarted_since(job.task_result_id, job.started_at)
    if job.status != expected and not retry:
        return None
    job.status = new_status
    job.started_at = timezone.now()
    job.save(update_fields=["status", "started_at"])
    return job


@task()
def preview_import_job(job_id: str) -> dict:
    """Dry-run the file and record what it would do; the user confirms on the status page."""
    job = _claim(job_id, ImportJob.Status.PREVIEWING, new_status=ImportJob.Status.PREVIEWING)
    if job is None:
        return {"job": job_id, "skipped": True}
    return _execute(job, dry_run=True)


@task()
def run_import_job(job_id: str) -> dict:
    """Import a confirmed file in one transaction, unless its records changed since the preview."""
    job = _claim(job_id, ImportJob.Status.QUEUED, new_status=ImportJob.Status.IMPORTING)
    if job is None:
        return {"job": job_id, "skipped": True}
    return _execute(job, dry_run=False)
