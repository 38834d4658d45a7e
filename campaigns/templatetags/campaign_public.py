import re

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from actionplan.schedule import Precision, parse_schedule

from ..countries import language_name

register = template.Library()

_YEAR = re.compile(r"\b\d{4}\b")


@register.filter
def language_names(codes) -> str:
    """["de", "en"] → “German, English” in the UI language."""
    return ", ".join(language_name(code) for code in codes)


def _point(day, precision: str) -> str:
    """“2017”, “Juni 2017”/“June 2017” or a full date, as precisely as the source gave it."""
    if precision == Precision.YEAR:
        return str(day.year)
    if precision == Precision.DAY:
        return date_format(day, "DATE_FORMAT")
    return date_format(day, "YEAR_MONTH_FORMAT")


def readable_span(start, end, precision: str) -> str:
    """“2017–2019”, “Juni 2017”, “ab Oktober 2017”/“from October 2017” or “”."""
    if start and end:
        first, last = _point(start, precision), _point(end, precision)
        if first == last:
            return first
        return f"{first}–{last}" if precision == Precision.YEAR else f"{first} – {last}"
    if start:
        return _("from %(date)s") % {"date": _point(start, precision)}
    if end:
        return _("until %(date)s") % {"date": _point(end, precision)}
    return ""


def when_text(label: str, start, end, precision: str) -> tuple[str, bool]:
    """A campaign's, channel's or event's date shown once: (text, whether it is the label).

    German pages keep the source's own words where they say the same as the dates (“2017 bis
    2019”, “Januar 2024”) and complete a phrase without a year (“Ende Januar” → “Ende Januar
    2017”); raw or contradicting labels (“2017-06”) give way to the dates. English pages show
    the dates in English; a label without dates is shown as written.
    """
    label = (label or "").strip()
    dates = readable_span(start, end, precision) if (start or end) else ""
    if not dates:
        return label, bool(label)
    if not label or not (get_language() or "de").startswith("de"):
        return dates, False
    parsed = parse_schedule(label)
    if parsed.is_dated:
        point = end is None or end == start  # an event's date, an open start
        same = (parsed.start, parsed.end) == (start, end) or (point and parsed.start == start)
        raw = re.fullmatch(r"[\d\-./ ]+", label) and not _YEAR.fullmatch(label)  # “2017-06”
        return (label, True) if same and not raw else (dates, False)
    if not re.search(r"\d", label):
        return f"{label} {(start or end).year}", True  # “Ende Januar 2017”, “ab Oktober 2017”
    return dates, False


@register.simple_tag
def when(label, start, end, precision):
    """The date once, as `when_text` decides; a German label keeps its language tag."""
    text, is_label = when_text(label, start, end, precision)
    if is_label:
        return format_html('<span lang="de">{}</span>', text)
    return text
