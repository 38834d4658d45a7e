"""Council papers (Drucksachen) a plan or a measure rests on, with their consultations
(committee, date, result). With an OParl endpoint configured for the plan's region they are
resolved and refreshed from the council's information system (``council.services``)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from access import rules


class CouncilPaperQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The papers this user may see (access.rules decides)."""
        return rules.visible_council_papers(user, self)


class CouncilPaper(models.Model):
    plan = models.ForeignKey(
        "actionplan.Plan",
        verbose_name=_("action plan"),
        on_delete=models.CASCADE,
        related_name="council_papers",
    )
    measure = models.ForeignKey(
        "actionplan.Measure",
        verbose_name=_("measure"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="council_papers",
        help_text=_("blank: a paper of the whole plan"),
    )
    reference = models.CharField(
        _("reference"), max_length=100, help_text=_("the paper's number, e.g. “DS-V/1234”")
    )
    title = models.CharField(_("title"), max_length=500, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    body = models.CharField(
        _("body"), max_length=200, blank=True, help_text=_("e.g. “Stadtrat Leipzig”")
    )
    url = models.URLField(
        _("web address"),
        max_length=500,
        blank=True,
        help_text=_("the paper in the council's information system"),
    )
    oparl_id = models.URLField(
        _("OParl ID"),
        max_length=500,
        blank=True,
        help_text=_(
            "The paper's address in the council's OParl interface. Filled in when the reference "
            "is found there; enter it to skip the search."
        ),
    )
    last_checked_at = models.DateTimeField(_("last checked"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)

    history = HistoricalRecords()
    objects = CouncilPaperQuerySet.as_manager()

    class Meta:
        verbose_name = _("council paper")
        verbose_name_plural = _("council papers")
        ordering = ["date", "reference", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "reference"],
                condition=Q(measure__isnull=False),
                name="council_paper_unique_per_measure",
                violation_error_message=_("This paper is already linked to this measure."),
            ),
            models.UniqueConstraint(
                fields=["plan", "reference"],
                condition=Q(measure__isnull=True),
                name="council_paper_unique_per_plan",
                violation_error_message=_("This paper is already linked to this plan."),
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}".strip()

    def save(self, *args, **kwargs):
        if self.measure_id is not None and self.plan_id is None:
            self.plan_id = self.measure.field.plan_id
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        owner = self.measure if self.measure_id else self.plan
        return f"{owner.get_absolute_url()}#beschluesse"

    def clean(self):
        super().clean()
        if self.measure_id is not None:
            plan_id = self.measure.field.plan_id
            if self.plan_id is not None and self.plan_id != plan_id:
                raise ValidationError(
                    {"measure": _("The measure belongs to another plan.")}, code="plan"
                )
            self.plan_id = plan_id


class Consultation(models.Model):
    paper = models.ForeignKey(
        CouncilPaper,
        verbose_name=_("council paper"),
        on_delete=models.CASCADE,
        related_name="consultations",
    )
    date = models.DateField(_("date"), null=True, blank=True)
    committee = models.CharField(
        _("committee"), max_length=255, help_text=_("e.g. “Ratsversammlung”")
    )
    result = models.CharField(
        _("result"), max_length=255, blank=True, help_text=_("e.g. “beschlossen”")
    )
    oparl_id = models.URLField(_("OParl ID"), max_length=500, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["date", "pk"]

    def __str__(self):
        return f"{self.committee} {self.date or ''}".strip()
