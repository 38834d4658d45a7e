"""Background imports: one row per file that is too large to preview or import in a request."""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["ImportJob"]


class ImportJob(models.Model):
    class Status(models.TextChoices):
        PREVIEWING = "previewing", _("being checked")
        READY = "ready", _("waiting for confirmation")
        INVALID = "invalid", _("has errors")
        QUEUED = "queued", _("waiting to be imported")
        IMPORTING = "importing", _("being imported")
        DONE = "done", _("imported")
        FAILED = "failed", _("not imported")
        CANCELLED = "cancelled", _("cancelled")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    app_label = models.CharField(_("app"), max_length=100)
    model_name = models.CharField(_("model"), max_length=100)
    resource_index = models.PositiveSmallIntegerField(_("resource"), default=0)
    format_index = models.PositiveSmallIntegerField(_("format"), default=0)
    file_name = models.CharField(_("stored file"), max_length=100, blank=True)
    original_file_name = models.CharField(_("file name"), max_length=255, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    plan = models.ForeignKey(
        "actionplan.Plan",
        verbose_name=_("plan (whole-plan workbook)"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    language = models.CharField(_("language"), max_length=10, default="de")
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.PREVIEWING, db_index=True
    )
    task_result_id = models.CharField(_("task id"), max_length=64, blank=True)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    totals = models.JSONField(_("totals"), default=dict, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    preview_token = models.CharField(_("preview fingerprint"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now, editable=False)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Set by whoever cancels a running import; the worker checks it between row batches.
    cancel_requested_at = models.DateTimeField(_("cancel requested"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.original_file_name} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("imports:job_status", kwargs={"job_id": self.pk})

    @property
    def model_admin_url_name(self) -> str:
        return f"admin:{self.app_label}_{self.model_name}"

    @property
    def is_working(self) -> bool:
        return self.status in {self.Status.PREVIEWING, self.Status.QUEUED, self.Status.IMPORTING}

    @property
    def progress_key(self) -> str:
        return f"imports:progress:{self.pk}"

    def report_progress(self, rows_done: int) -> None:
        """Progress goes through the cache: the import's own transaction hides its writes."""
        cache.set(self.progress_key, rows_done, 60 * 60)

    @property
    def current_rows_done(self) -> int:
        if self.is_working:
            return int(cache.get(self.progress_key, self.rows_done) or 0)
        return self.rows_done
