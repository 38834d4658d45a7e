"""Translated texts where no markup can mark them (feeds, iCalendar, chart descriptions).

An English reader gets the English text where it exists, else the German text followed by
“(in German)” — never German silently (issue 21). German readers get the texts as before.
"""

from django.utils.translation import gettext

from . import selectors


def plain(obj, field: str) -> str:
    text = selectors.text(obj, field)
    if text.fallback:
        return f"{text} ({gettext('in German')})"
    return str(text)
