"""The operator's legal statements: Impressum (DDG § 5), privacy statement (DSGVO) and
accessibility statement (BITV 2.0). Exactly one page per kind, created with template texts by
a data migration and changed by superusers in the admin."""

from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class LegalPage(models.Model):
    class Kind(models.TextChoices):
        IMPRESSUM = "impressum", _("legal notice (Impressum)")
        DATENSCHUTZ = "datenschutz", _("privacy statement")
        BARRIEREFREIHEIT = "barrierefreiheit", _("accessibility statement")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind, unique=True, editable=False)
    title_de = models.CharField(_("title (German)"), max_length=200)
    body_de = models.TextField(
        _("text (German)"),
        help_text=_("Plain text; an empty line starts a new paragraph. HTML is shown as typed."),
    )
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    body_en = models.TextField(
        _("text (English)"),
        blank=True,
        help_text=_("Optional. When empty, English readers see the German text with a note."),
    )
    edited = models.BooleanField(
        _("adapted by the operator"),
        default=False,
        help_text=_("Set by the first save in the admin: ends the template note."),
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("legal page")
        verbose_name_plural = _("legal pages")
        ordering = ["kind"]

    def __str__(self):
        return self.get_kind_display()

    def get_absolute_url(self):
        return reverse(f"legal:{self.kind}")

    def in_english(self) -> bool:
        """Whether English readers get an English text (else the German one, marked)."""
        return bool(self.body_en.strip())

    def shown(self, language: str | None = None) -> tuple[str, str, str]:
        """(title, body, language code of the text) for readers of ``language``."""
        language = (language or get_language() or "de")[:2]
        if language == "en" and self.in_english():
            return self.title_en or self.title_de, self.body_en, "en"
        return self.title_de, self.body_de, "de"
