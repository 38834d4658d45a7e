"""Parser for German schedule phrases ("II. Quartal 2011", "ab Herbst 2011 bis Ende 2012").

Never guesses: a phrase without a recognisable date stays undated.
"""

import datetime
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Precision(models.TextChoices):
    DAY = "day", _("day")
    MONTH = "month", _("month")
    QUARTER = "quarter", _("quarter")
    HALF_YEAR = "half", _("half-year")
    SEASON = "season", _("season")
    YEAR = "year", _("year")


@dataclass(frozen=True)
class ParsedSchedule:
    start: datetime.date | None = None
    start_precision: str = ""
    end: datetime.date | None = None
    end_precision: str = ""
    approximate: bool = False
    reason: str = ""

    @property
    def is_dated(self) -> bool:
        return self.start is not None or self.end is not None


def parse_schedule(label: str) -> ParsedSchedule:
    return ParsedSchedule(reason="not implemented")
