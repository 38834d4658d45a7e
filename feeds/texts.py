"""Translated texts in plain-text feeds (Atom titles, iCalendar SUMMARY and DESCRIPTION).

An English reader gets the English text where it exists, else the German text followed by
“(in German)” — never German silently (issue 21). German readers get the texts as before.
"""

from translations import selectors
from translations.plain import plain


def fell_back(obj, field: str) -> bool:
    return selectors.text(obj, field).fallback


def lines(obj, field: str) -> list[str]:
    """The non-empty lines of ``obj.field`` in the reader's language (topics, methods)."""
    return [line.strip() for line in selectors.text(obj, field).splitlines() if line.strip()]


def measure_label(measure) -> str:
    """``Measure.full_label`` (“2 A · Title”) with the title in the reader's language."""
    return f"{measure.display_code} · {plain(measure, 'title')}"
