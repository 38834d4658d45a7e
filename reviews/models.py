"""Pending changes: an editor's edit of a published measure, kept until a coordinator decides.

The public side never reads these rows; it keeps showing the measure as stored. A pending
change holds the measure's proposed state with its inline rows as JSON (``reviews.state``),
the state it was made against (``base``, with the measure's lock version) and the review's
course (open → submitted → approved, or sent back with a comment, or withdrawn).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from access import rules


class PendingChangeQuerySet(models.QuerySet):
    def active(self):
        """Not yet decided: open, submitted or sent back."""
        return self.filter(state__in=PendingChange.ACTIVE)

    def visible_to(self, user):
        """The pending changes this user may see (access.rules decides)."""
        return rules.visible_pending(user, self)

    def reviewable_by(self, user):
        """The pending changes this user may approve or send back (access.rules decides)."""
        return rules.reviewable_pending(user, self)


class PendingChange(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("being edited")
        SUBMITTED = "submitted", _("submitted for review")
        SENT_BACK = "sent_back", _("sent back")
        APPROVED = "approved", _("approved")
        WITHDRAWN = "withdrawn", _("withdrawn")

    ACTIVE = (State.OPEN, State.SUBMITTED, State.SENT_BACK)

    measure = models.ForeignKey(
        "actionplan.Measure",
        verbose_name=_("measure"),
        on_delete=models.CASCADE,
        related_name="pending_changes",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="pending_changes",
    )
    state = models.CharField(_("state"), max_length=20, choices=State, default=State.OPEN)
    comment = models.TextField(
        _("coordinator's comment"), blank=True, help_text=_("why the change was sent back")
    )
    base_version = models.PositiveIntegerField(
        _("based on version"), help_text=_("the measure's version the change was made against")
    )
    base = models.JSONField(_("published state when edited"), default=dict)
    proposed = models.JSONField(_("proposed state"), default=dict)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decided_pending_changes",
    )

    objects = PendingChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("pending change")
        verbose_name_plural = _("pending changes")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure"],
                condition=Q(state__in=["open", "submitted", "sent_back"]),
                name="reviews_one_active_change_per_measure",
                violation_error_message=_("This measure already has a pending change."),
            ),
        ]

    def __str__(self):
        return _("Change to “%(measure)s”") % {"measure": self.measure}

    def get_review_url(self) -> str:
        """The comparison with the published state, where coordinators decide."""
        return reverse("reviews:compare", kwargs={"pk": self.pk})

    def get_edit_url(self) -> str:
        """The measure's form, which shows (and edits) this pending change for its editors."""
        return reverse("admin:actionplan_measure_change", args=[self.measure_id])

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE
