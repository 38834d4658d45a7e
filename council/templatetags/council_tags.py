from django import template

from ..selectors import papers_of

register = template.Library()


@register.simple_tag(takes_context=True)
def council_papers_of(context, owner):
    """``{% council_papers_of measure as papers %}``: the papers the request's user may see."""
    request = context.get("request")
    return papers_of(owner, getattr(request, "user", None))
