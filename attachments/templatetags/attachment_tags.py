from django import template

from ..selectors import attachments_of

register = template.Library()


@register.simple_tag(takes_context=True)
def documents_of(context, owner):
    """``{% documents_of measure as documents %}``: the documents of a page's owner that the
    request's user may see (one query)."""
    request = context.get("request")
    return attachments_of(owner, getattr(request, "user", None))
