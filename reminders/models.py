import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def new_token_nonce() -> str:
    return secrets.token_urlsafe(16)


class ReminderPreference(models.Model):
    """A user's choices for the weekly reminder: language, and whether to get it at all.

    ``token_nonce`` is part of the signed opt-out link; it changes when the link is used, so a
    link works once.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="reminder_preference",
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="de"
    )
    opted_out_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)
    token_nonce = models.CharField(max_length=32, default=new_token_nonce, editable=False)

    class Meta:
        verbose_name = _("reminder preference")
        verbose_name_plural = _("reminder preferences")

    def __str__(self):
        return str(self.user)

    @property
    def opted_out(self) -> bool:
        return self.opted_out_at is not None


class ReminderDelivery(models.Model):
    """One reminder sent to one user for one week: the row that keeps the week idempotent."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="reminder_deliveries",
    )
    week = models.DateField(_("week (Monday)"))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    due_count = models.PositiveIntegerField(_("milestones due"), default=0)
    overdue_count = models.PositiveIntegerField(_("milestones overdue"), default=0)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        ordering = ["-week", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "week"], name="reminders_one_per_user_week"),
        ]

    def __str__(self):
        return f"{self.user} – {self.week:%Y-%m-%d}"
