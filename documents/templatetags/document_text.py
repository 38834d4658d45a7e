"""Template helpers of the documents: content in its own language inside the reader's frame."""

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import pgettext

from actionplan.schedule import Precision

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
    if attr and tagged:
        return format_html("{}<span{}>{}</span>{}", opening, attr, text, closing)
    return format_html("{}{}{}", opening, text, closing)


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
