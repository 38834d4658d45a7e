"""Template helpers of the documents: content in its own language inside the reader's frame."""

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext

from actionplan.schedule import Precision
from translations import registry
from translations import selectors as translated

register = template.Library()


@register.simple_tag(takes_context=True)
def quoted(context, text, tagged=True) -> str:
    """A title in the reader's quotation marks (‚Titel‘, ‘Title’); the title keeps the
    content's language (``content_attr``, set by ``documents.plans.language_context``).

    ``tagged=False`` inside a link: an element within an ``<a>`` would take over the link's
    annotation in the tagged PDF (a ``Span`` instead of the ``Link`` PDF/UA asks for)."""
    opening = pgettext("pdf opening quotation mark", "‘")
    closing = pgettext("pdf closing quotation mark", "’")
    attr = context.get("content_attr", "")
    language = getattr(text, "language", None)
    # no note inside a link (``tagged=False``): the chapter it leads to carries it
    note = _note() if getattr(text, "fallback", False) and tagged else ""
    if language == registry.TARGET_LANGUAGE:
        attr = ""
    elif note:
        attr = format_html(' lang="{}"', registry.SOURCE_LANGUAGE)
    if attr and tagged:
        return format_html("{}<span{}>{}</span>{}{}", opening, attr, text, closing, note)
    return format_html("{}{}{}{}", opening, text, closing, note)


def _note(inside: bool = False) -> str:
    """“(in German)”: after a text an English reader gets in German; ``inside`` an element
    marked ``lang="de"`` the note is marked English itself."""
    if inside:
        return format_html(
            ' <span class="in-german" lang="{}">({})</span>',
            registry.TARGET_LANGUAGE,
            gettext("in German"),
        )
    return format_html(' <span class="in-german">({})</span>', gettext("in German"))


@register.simple_tag(takes_context=True)
def doc_attr(context, obj, field: str) -> str:
    """The ``lang`` attribute of an element holding ``obj.field`` in a document: none where
    the reader gets English, ``lang="de"`` where an English reader gets German, else the
    document's ``content_attr``."""
    text = translated.text(obj, field)
    if text.language == registry.TARGET_LANGUAGE:
        return ""
    if text.fallback:
        return format_html(' lang="{}"', registry.SOURCE_LANGUAGE)
    return context.get("content_attr", "")


@register.simple_tag
def doc_note(obj, field: str, inside: bool = True) -> str:
    """“(in German)” for ``obj.field`` where an English reader gets German (inside the element
    ``doc_attr`` marked, or after it with ``inside=False``)."""
    return _note(inside) if translated.text(obj, field).fallback else ""


@register.simple_tag
def doc_block_note(obj, field: str) -> str:
    """“(in German)” as a paragraph after a block an English reader gets in German."""
    if translated.text(obj, field).fallback:
        return format_html('<p class="in-german">({})</p>', gettext("in German"))
    return ""


@register.filter
def doc_lines(obj, field: str) -> str:
    """``obj.field|linebreaksbr`` in the reader's language, a German fallback wrapped and
    noted (steps, findings)."""
    from django.template.defaultfilters import linebreaksbr

    text = translated.text(obj, field)
    lines = linebreaksbr(text, autoescape=True)
    if text.fallback:
        return format_html('<span lang="de">{}</span>{}', lines, _note())
    return lines


@register.simple_tag(takes_context=True)
def reader_date(context, label, day, precision="", day_format="DATE_FORMAT") -> str:
    """A date as the reader reads it: the content's own label (“Januar 2024”) for a reader of
    the content's language, else the parsed date in the reader's (“January 2024”, “2023”);
    a label whose precision a plain date cannot carry (“II. Quartal 2011”) stays as written."""
    attr = context.get("content_attr", "")
    if day and (attr or not label):
        if precision == Precision.YEAR:
            return str(day.year)
        if precision == Precision.MONTH:
            return date_format(day, "YEAR_MONTH_FORMAT")
        if precision == Precision.DAY or not label:
            return date_format(day, day_format)
    if not label:
        return ""
    return format_html("<span{}>{}</span>", attr, label) if attr else format_html("{}", label)
