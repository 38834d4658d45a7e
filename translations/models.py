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
        _("translation state"), default=dict, blank=True, editable=False
    )

    class Meta:
        abstract = True
