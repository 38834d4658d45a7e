"""Dated versions of a plan: what the public saw, stored, so it stays readable."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PlanVersionQuerySet(models.QuerySet):
    def listed(self):
        """Versions without their (large) snapshot, newest first: for lists and links."""
        return self.defer("snapshot").order_by("-date", "-created_at")


class PlanVersion(models.Model):
    plan = models.ForeignKey(
        "actionplan.Plan",
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    label = models.CharField(
        _("label"), max_length=150, help_text=_("e.g. “Stand Mai 2011”, “Fortschreibung 2012”")
    )
    slug = models.SlugField(_("slug"), max_length=100, editable=False)
    date = models.DateField(_("date"))
    snapshot = models.JSONField(_("snapshot"), editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("published"), default=timezone.now, editable=False)

    objects = PlanVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["plan", "-date", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "slug"],
                name="versions_planversion_unique_slug",
                violation_error_message=_("This plan already has a version with this label."),
            ),
        ]

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return reverse(
            "versions:version_detail",
            kwargs={"plan_slug": self.plan.slug, "version_slug": self.slug},
        )
