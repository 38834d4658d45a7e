"""Background document export jobs (see documents/tasks.py)."""

import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["PdfExport", "PdfPart", "PdfPartJob"]


class PdfExportQuerySet(models.QuerySet):
    def reusable(self):
        """Jobs that are queued, running or finished with a file: worth reusing."""
        return self.filter(
            Q(status__in=[PdfExport.Status.PENDING, PdfExport.Status.RUNNING])
            | Q(status=PdfExport.Status.DONE) & ~Q(file="")
        )


def documents_storage():
    """Generated files go through the ``documents`` storage (``STORAGES``): local files by
    default, an S3-compatible store by configuration."""
    return storages["documents"]


class PdfExport(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        RUNNING = "running", _("being created")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(
        "actionplan.Plan",
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        related_name="pdf_exports",
    )
    field = models.ForeignKey(
        "actionplan.FieldOfAction",
        verbose_name=_("field of action"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="pdf_exports",
    )
    measure = models.ForeignKey(
        "actionplan.Measure",
        verbose_name=_("measure"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="pdf_exports",
    )
    cache_key = models.CharField(_("cache key"), max_length=250, db_index=True, editable=False)
    draft = models.BooleanField(_("marked as draft"), default=False)
    language = models.CharField(_("language"), max_length=10, default="de")
    variant = models.CharField(_("PDF variant"), max_length=20, blank=True)
    progress = models.BooleanField(_("with the progress chapter"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.PENDING, db_index=True
    )
    task_result_id = models.CharField(_("task id"), max_length=64, blank=True)
    #: the job that joins the chapters (``PdfPartJob``) of an export rendered by chapter jobs
    join_task_id = models.CharField(_("join task id"), max_length=64, blank=True)
    file = models.FileField(
        _("file"), upload_to="pdf_exports/%Y/%m/", blank=True, storage=documents_storage
    )
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested"), default=timezone.now, editable=False)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = PdfExportQuerySet.as_manager()

    class Meta:
        db_table = "actionplan_pdfexport"  # the table from before the move to this app
        verbose_name = _("PDF export")
        verbose_name_plural = _("PDF exports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(measure__isnull=True) | Q(field__isnull=False),
                name="actionplan_pdfexport_measure_needs_field",
            ),
            # One live job per document state: two app servers asking at once get one job.
            models.UniqueConstraint(
                fields=["cache_key"],
                condition=Q(status__in=["pending", "running", "done"]),
                name="documents_pdfexport_one_live_job_per_document",
            ),
        ]

    def __str__(self):
        target = self.measure or self.field or self.plan
        return f"{target} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("actionplan:pdf_export_status", kwargs={"export_id": self.pk})

    def source_url(self) -> str:
        """The address that asks for this document (in its language): where a failed job is
        started again."""
        from django.utils import translation

        with translation.override(self.language):
            if self.measure_id:
                return reverse(
                    "actionplan:measure_pdf",
                    kwargs={
                        "plan_slug": self.plan.slug,
                        "field_slug": self.field.slug,
                        "measure_slug": self.measure.slug,
                    },
                )
            if self.field_id:
                return reverse(
                    "actionplan:field_pdf",
                    kwargs={"plan_slug": self.plan.slug, "field_slug": self.field.slug},
                )
            name = "actionplan:plan_progress_pdf" if self.progress else "actionplan:plan_pdf"
            return reverse(name, kwargs={"plan_slug": self.plan.slug})

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED, self.Status.CANCELLED}

    @property
    def is_working(self) -> bool:
        return self.status in {self.Status.PENDING, self.Status.RUNNING}

    @property
    def download_name(self) -> str:
        parts = [self.plan.slug]
        if self.field_id:
            parts.append(self.field.slug)
        if self.measure_id:
            parts.append(self.measure.slug)
        if self.progress:
            parts.append("stand")
        return "-".join(parts) + ".pdf"


class PdfPart(models.Model):
    """A rendered part of a document rendered by chapter (``documents.parts``): a field of
    action with its measures, the back matter, the front matter or the footers, stored as a
    PDF under a key made of everything it depends on. Shared by every document that holds the
    same part, on every machine (the ``documents`` storage)."""

    key = models.CharField(_("key"), max_length=64, unique=True, editable=False)
    label = models.CharField(_("part"), max_length=100, editable=False)
    file = models.FileField(_("file"), storage=documents_storage, max_length=200, editable=False)
    pages = models.PositiveIntegerField(_("pages"), editable=False)
    #: 0-based page of each anchor the part owns (headings of its fields and measures)
    anchors = models.JSONField(_("anchors"), default=dict, editable=False)
    size = models.PositiveBigIntegerField(_("size (bytes)"), editable=False)
    created_at = models.DateTimeField(_("rendered"), default=timezone.now, editable=False)
    used_at = models.DateTimeField(_("last used"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("PDF part")
        verbose_name_plural = _("PDF parts")

    def __str__(self):
        return f"{self.label} ({self.key[:12]})"


class PdfPartJob(models.Model):
    """A chapter of a background export, rendered as a job of its own (``documents.tasks``):
    every worker process can take one; the last to finish starts the join."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        DONE = "done", _("ready")

    export = models.ForeignKey(
        PdfExport, verbose_name=_("PDF export"), on_delete=models.CASCADE, related_name="part_jobs"
    )
    position = models.PositiveIntegerField(_("position"))
    key = models.CharField(_("key"), max_length=64)
    label = models.CharField(_("part"), max_length=100)
    #: what to lay out; emptied once the part is stored
    html = models.TextField(_("HTML"), blank=True)
    variant = models.CharField(_("PDF variant"), max_length=20, blank=True)
    owned = models.JSONField(_("anchors"), default=list)
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.PENDING, db_index=True
    )
    task_result_id = models.CharField(_("task id"), max_length=64, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("chapter job")
        verbose_name_plural = _("chapter jobs")
        ordering = ["export", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["export", "position"], name="documents_pdfpartjob_one_per_position"
            )
        ]

    def __str__(self):
        return f"{self.label} ({self.get_status_display()})"
