from django import template

from ..countries import language_name

register = template.Library()


@register.filter
def language_names(codes) -> str:
    """["de", "en"] → “German, English” in the UI language."""
    return ", ".join(language_name(code) for code in codes)
