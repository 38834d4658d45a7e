"""Translated texts in templates (pages and documents).

``{{ measure|tr:"title" }}``      the text in the reader's language; an English reader who
                                  gets German sees it marked up ``lang="de"`` with “(in German)”
``{{ measure|trtext:"title" }}``  the plain text (attributes, <title>, further filters)
``{% tr_lang measure "description" %}``  ``lang="de"`` where a block falls back to German
``{% tr_note measure "description" %}``  the “(in German)” note after such a block
"""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext

from translations import selectors

register = template.Library()


def _note() -> str:
    return format_html(' <span class="in-german">({})</span>', gettext("in German"))


@register.filter
def tr(obj, field: str):
    text = selectors.text(obj, field)
    if text.fallback:
        return format_html('<span lang="de">{}</span>{}', text, _note())
    return text


@register.filter
def trtext(obj, field: str) -> selectors.Text:
    return selectors.text(obj, field)


@register.simple_tag
def tr_lang(obj, field: str) -> str:
    return format_html('lang="{}"', "de") if selectors.text(obj, field).fallback else ""


@register.simple_tag
def tr_note(obj, field: str) -> str:
    return _note() if selectors.text(obj, field).fallback else ""
