from django.db import models
from django.utils.translation import gettext_lazy as _


class Translatable(models.Model):
    """A model with texts in ``translations.registry.FIELDS``.

    ``translation_state`` remembers, per translated field, short hashes of the German and the
    English text as they were when the English text was last written (and whether a machine
    wrote it). A German text whose hash no longer matches marks its English version as possibly
    outdated (``translations.selectors.outdated``). Kept on the row, it needs no query, moves
    with the row through history, revert and the round trip, and a revert restores it too.
    """

    translation_state = models.JSONField(
        _("translation state"), default=dict, db_default={}, blank=True, editable=False
    )

    class Meta:
        abstract = True


def english_note_field() -> models.TextField:
    """The note above a plan's or a campaign's English pages (who translated, which text is
    authoritative); written in English, so not itself translated."""
    return models.TextField(
        _("note on the English version"),
        blank=True,
        help_text=_(
            "Shown above the English pages, e.g. who translated the texts and that the German "
            "original is authoritative. Written in English."
        ),
    )


# The English columns. Empty by default in Python and in the database (db_default): rows
# written outside the ORM or by the historical models of earlier migrations get "" too.


def english_char(verbose_name, *, max_length: int) -> models.CharField:
    return models.CharField(
        verbose_name, max_length=max_length, blank=True, default="", db_default=""
    )


def english_text(verbose_name) -> models.TextField:
    return models.TextField(verbose_name, blank=True, default="", db_default="")
