"""Files attached to a plan, a field of action, a measure or a campaign (concepts, studies,
flyers). The file lives in the ``attachments`` storage (settings ``STORAGES``); its type is
the one its content showed on upload (``attachments.validation``), never the name's."""

import posixpath
import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from access import rules
from translations.models import Translatable, english_char

#: The owners an attachment can hang on, most specific first (as ``access.rules.owner``).
OWNER_FIELDS = ("measure", "field", "campaign", "plan")


def attachment_storage():
    return storages["attachments"]


def upload_to(instance, filename: str) -> str:
    """``attachments/<owner kind>/<owner id>/<random>/<name>``: grouped by owner, never two
    files under one name, and the name never chosen by the uploader alone."""
    kind = instance.owner_field() or "unknown"
    owner_id = getattr(instance, f"{kind}_id", None) or 0
    name = posixpath.basename(filename.replace("\\", "/"))[-100:] or "datei"
    return f"attachments/{kind}/{owner_id}/{uuid.uuid4().hex}/{name}"


class AttachmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The attachments this user may see (access.rules decides)."""
        return rules.visible_attachments(user, self)


class Attachment(Translatable):
    plan = models.ForeignKey(
        "actionplan.Plan",
        verbose_name=_("action plan"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    field = models.ForeignKey(
        "actionplan.FieldOfAction",
        verbose_name=_("field of action"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    measure = models.ForeignKey(
        "actionplan.Measure",
        verbose_name=_("measure"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    title = models.CharField(
        _("title"), max_length=255, help_text=_("as shown on the public page, e.g. “Konzept”")
    )
    title_en = english_char(_("title (English)"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    file = models.FileField(
        _("file"),
        upload_to=upload_to,
        storage=attachment_storage,
        max_length=255,
        help_text=_(
            "PDF, image (PNG, JPEG, GIF, WebP) or office document (Word, Excel, PowerPoint, "
            "OpenDocument); the type is read from the content, not from the name."
        ),
    )
    file_name = models.CharField(_("file name"), max_length=255, editable=False)
    content_type = models.CharField(_("file type"), max_length=100, editable=False)
    size = models.PositiveBigIntegerField(_("size"), editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    history = HistoricalRecords()
    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(plan__isnull=False, field__isnull=True, measure__isnull=True)
                    & Q(campaign__isnull=True)
                )
                | Q(
                    plan__isnull=True,
                    field__isnull=False,
                    measure__isnull=True,
                    campaign__isnull=True,
                )
                | Q(
                    plan__isnull=True,
                    field__isnull=True,
                    measure__isnull=False,
                    campaign__isnull=True,
                )
                | Q(
                    plan__isnull=True,
                    field__isnull=True,
                    measure__isnull=True,
                    campaign__isnull=False,
                ),
                name="attachments_attachment_one_owner",
                violation_error_message=_("A document belongs to exactly one owner."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("attachments:download", kwargs={"pk": self.pk, "name": self.file_name})

    def owner_field(self) -> str | None:
        for name in OWNER_FIELDS:
            if getattr(self, f"{name}_id", None) is not None:
                return name
        return None

    @property
    def owner(self):
        name = self.owner_field()
        return getattr(self, name) if name else None

    @property
    def inline(self) -> bool:
        """Shown in the browser (PDF and raster images); everything else is downloaded."""
        from .validation import INLINE_TYPES

        return self.content_type in INLINE_TYPES

    @property
    def type_label(self) -> str:
        from .validation import type_label

        return type_label(self.content_type)
