"""Template helpers of the documents: content in its own language inside the reader's frame."""

from django import template
from django.utils.html import format_html
from django.utils.translation import pgettext

register = template.Library()


@register.simple_tag(takes_context=True)
def quoted(context, text) -> str:
    """A title in the reader's quotation marks (‚Titel‘, ‘Title’); the title keeps the
    content's language (``content_attr``, set by ``documents.plans.language_context``)."""
    opening = pgettext("pdf opening quotation mark", "‘")
    closing = pgettext("pdf closing quotation mark", "’")
    attr = context.get("content_attr", "")
    if attr:
        return format_html("{}<span{}>{}</span>{}", opening, attr, text, closing)
    return format_html("{}{}{}", opening, text, closing)
