from django import template

from config.numbers import format_number

register = template.Library()


@register.filter
def indicator_number(value):
    """A measured value as the active language writes it: "1.234,5" (no padding zeros)."""
    if value is None or value == "":
        return "–"
    return format_number(value.normalize() if hasattr(value, "normalize") else value, None)


@register.filter
def signed_number(value):
    """A distance with its sign: "+50", "−12,5"."""
    if value is None:
        return "–"
    text = format_number(abs(value).normalize(), None)
    if value > 0:
        return f"+{text}"
    if value < 0:
        return f"−{text}"
    return text
