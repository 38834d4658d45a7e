from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """The steps of the review workflow a notification tells of (``measure_workflow_event``)."""

    SUBMITTED = "submitted", _("Submitted for review")
    SENT_BACK = "sent_back", _("Sent back")
    PUBLISHED = "published", _("Published")


class NotificationPreference(models.Model):
    """Whether a user wants the e-mails of one kind; without a row, they do."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    enabled = models.BooleanField(_("enabled"), default=True)
    changed_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("notification setting")
        verbose_name_plural = _("notification settings")
        ordering = ["user", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"], name="notifications_one_preference_per_kind"
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_kind_display()}"


class NotificationDelivery(models.Model):
    """One notification e-mail sent to one user for one workflow event: the row that keeps a
    retried task from mailing anybody twice."""

    event = models.UUIDField(_("workflow event"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_deliveries",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    measure = models.ForeignKey(
        "actionplan.Measure",
        verbose_name=_("measure"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("notification sent")
        verbose_name_plural = _("notifications sent")
        ordering = ["-sent_at", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"], name="notifications_one_delivery_per_event_user"
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_kind_display()}"
