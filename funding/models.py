"""Funding programmes: a list shared by every plan, like the budget categories.

A budget line (``actionplan.BudgetLine``) names the programme that co-finances it and the
co-funding rate; the own share is computed from the amount and the rate
(``funding.selectors.own_share``), never stored.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from actionplan.models import RATE_MESSAGE, Vocabulary, german_slugify
from config.numbers import LocalizedDecimalField

PERCENT = [
    MinValueValidator(Decimal(0), message=RATE_MESSAGE),
    MaxValueValidator(Decimal(100), message=RATE_MESSAGE),
]


class FundingProgramme(Vocabulary):
    class Level(models.TextChoices):
        EU = "eu", _("EU")
        FEDERAL = "federal", _("federal (Bund)")
        STATE = "state", _("state (Land)")
        MUNICIPAL = "municipal", _("municipal (Kommune)")
        PRIVATE = "private", _("private")

    key = models.SlugField(
        _("key"),
        max_length=100,
        unique=True,
        blank=True,
        help_text=_(
            "Stable short name used by the JSON export and import, e.g. "
            "“central-europe-efre-2007-2013”; made from the name when left empty."
        ),
    )
    level = models.CharField(
        _("level"),
        max_length=20,
        choices=Level.choices,
        help_text=_(
            "Who funds the programme: EU, federal government, state, municipality or private."
        ),
    )
    fund = models.CharField(
        _("fund"),
        max_length=50,
        blank=True,
        help_text=_("The fund the programme draws on, e.g. EFRE, ESF+, LEADER or GRW."),
    )
    period = models.CharField(
        _("funding period"),
        max_length=50,
        blank=True,
        help_text=_("As the programme names it, e.g. “2007–2013” or “2021–2027”."),
    )
    default_rate = LocalizedDecimalField(
        _("default co-funding rate (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT,
        help_text=_(
            "Share of the eligible costs the programme usually pays, in percent (0 to 100). "
            "A budget line of the programme without a rate of its own takes this rate; "
            "leave it empty when the programme documents give none."
        ),
    )

    history = HistoricalRecords()

    class Meta(Vocabulary.Meta):
        verbose_name = _("funding programme")
        verbose_name_plural = _("funding programmes")
        constraints = [
            models.CheckConstraint(
                condition=Q(default_rate__isnull=True)
                | Q(default_rate__gte=0, default_rate__lte=100),
                name="funding_programme_rate_percent",
                violation_error_message=RATE_MESSAGE,
            ),
        ]

    def save(self, *args, **kwargs):
        if not self.key:
            self.key = german_slugify(self.name)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if not self.key and self.name:
            self.key = german_slugify(self.name)

    @property
    def label(self) -> str:
        """The name with fund and period where given: “CENTRAL EUROPE (EFRE, 2007–2013)”."""
        extra = ", ".join(part for part in (self.fund, self.period) if part)
        return f"{self.name} ({extra})" if extra else self.name


def line_rate(rate, programme):
    """A budget line's co-funding rate: its own, else its programme's default (or None)."""
    if rate is not None or programme is None:
        return rate
    return programme.default_rate
