"""The status report (Sachstandsbericht) a plan's coordinators owe their council.

A report is generated from a dated plan version or from the plan as it is now; the plan
documents it was generated from are stored with it, so it reads the same years later. The
texts a coordinator writes per field of action are kept with it, history-tracked.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class StatusReport(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        FINAL = "final", _("final")

    plan = models.ForeignKey(
        "actionplan.Plan",
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        related_name="status_reports",
    )
    title = models.CharField(_("title"), max_length=200)
    period_label = models.CharField(
        _("reporting period"),
        max_length=100,
        help_text=_("e.g. “2012” or “Juni 2011 bis Dezember 2012”"),
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(
        _("period end"),
        help_text=_("milestones due up to this day count as reached or missed"),
    )
    version = models.ForeignKey(
        "versions.PlanVersion",
        verbose_name=_("source version"),
        # a version withdrawn later leaves the report as it was: it keeps its documents and
        # the version's label (``source_name``)
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="status_reports",
        help_text=_("the dated version the report is generated from; empty: the plan as it is now"),
    )
    summary = models.TextField(
        _("report summary"),
        blank=True,
        help_text=_("the coordinator's summary at the top of the report"),
    )
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.DRAFT)
    # The plan documents the report was generated from (``actionplan.export``), with all
    # measures (members) and public only (everybody else): the report reads them, never today's
    # rows, so it can be generated again with the same content.
    document = models.JSONField(_("plan document"), editable=False)
    public_document = models.JSONField(_("public plan document"), editable=False)
    source_date = models.DateField(_("data as of"), editable=False)
    source_name = models.CharField(
        _("source version label"), max_length=150, blank=True, editable=False
    )
    # Read from today's rows when the report was generated and kept with it: per measure key
    # the day its status was reported (``reported_on``, where it was reported by the source's
    # date) and the titles of the public campaigns serving it (``campaigns``).
    extras = models.JSONField(_("further data"), default=dict, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["document", "public_document", "extras"])

    class Meta:
        verbose_name = _("status report")
        verbose_name_plural = _("status reports")
        ordering = ["plan", "-period_end", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_start__lte=models.F("period_end")),
                name="reports_statusreport_period_order",
                violation_error_message=_("The period must not end before it starts."),
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.period_start and self.period_end and self.period_start > self.period_end:
            raise ValidationError({"period_end": _("The period must not end before it starts.")})
        if self.version_id and self.plan_id and self.version.plan_id != self.plan_id:
            raise ValidationError({"version": _("This version belongs to another plan.")})

    @property
    def source_label(self) -> str:
        return self.source_name or str(_("the plan as it is now"))

    @property
    def source_text(self) -> str:
        """Where the report comes from, for its title page."""
        from django.utils.formats import date_format
        from django.utils.translation import pgettext

        day = date_format(self.source_date, "DATE_FORMAT")
        if self.source_name:
            return pgettext(
                "pdf", "Generated from the version “%(label)s” (data as of %(date)s)"
            ) % {"label": self.source_name, "date": day}
        return pgettext("pdf", "Generated from the plan as of %(date)s") % {"date": day}


class FieldReportText(models.Model):
    """What the coordinator writes about one field of action for this report."""

    report = models.ForeignKey(
        StatusReport,
        verbose_name=_("status report"),
        on_delete=models.CASCADE,
        related_name="field_texts",
    )
    field_slug = models.SlugField(_("field of action"), max_length=100)
    field_title = models.CharField(_("field title"), max_length=300, blank=True)
    text = models.TextField(_("report text"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("report text of a field")
        verbose_name_plural = _("report texts of the fields")
        ordering = ["report", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "field_slug"],
                name="reports_fieldreporttext_unique_field",
                violation_error_message=_("This report has a text for this field already."),
            ),
        ]

    def __str__(self):
        return self.field_title or self.field_slug
