"""Template helpers for the public plan pages."""

import functools

from django import template
from django.conf import settings
from django.contrib.admin.utils import quote
from django.urls import NoReverseMatch, reverse, translate_url
from django.utils import translation
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from actionplan.models import Measure, Responsibility

register = template.Library()


@register.simple_tag(takes_context=True)
def admin_change_url(context, obj) -> str:
    """The admin change page of ``obj`` for staff; empty for everybody else."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if not (user and user.is_active and user.is_staff):
        return ""
    opts = obj._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(obj.pk)])
    except NoReverseMatch:
        return ""


@register.simple_tag(takes_context=True)
def translated_path(context, language: str) -> str:
    """The current page in another language, for the ``next`` of the language switch.

    ``set_language`` can only translate URLs of the language it runs in, which is the default
    language for ``/i18n/setlang/``; so the target URL is worked out here, on the page itself.
    """
    request = context.get("request")
    if request is None:
        return "/"
    return translate_url(request.get_full_path(), language)


@register.simple_tag
def content_lang(language: str) -> str:
    """A ``lang`` attribute for plan content when it differs from the interface language."""
    if language and language.split("-")[0] != (get_language() or "").split("-")[0]:
        return format_html(' lang="{}"', language)
    return ""


def _month(day) -> str:
    return date_format(day, "m/Y")


@register.simple_tag
def date_span(start, end, open_start=False, open_end=False) -> str:
    """“03/2011 – 12/2012”, “from 07/2011”, “until 12/2012” or “” without dates."""
    if start and end:
        first, last = _month(start), _month(end)
        return first if first == last else f"{first} – {last}"
    if start:
        return _("from %(date)s") % {"date": _month(start)}
    if end:
        return _("until %(date)s") % {"date": _month(end)}
    return ""


@register.filter
def span_text(measure) -> str:
    """The span of a measure annotated by ``selectors._span_annotations``."""
    if not getattr(measure, "dated_count", 0):
        return ""
    start, end = measure.span_start, measure.span_end
    open_start, open_end = bool(measure.span_open_start), bool(measure.span_open_end)
    if open_end and not open_start:
        return _("from %(date)s") % {"date": _month(start)}
    if open_start and not open_end:
        return _("until %(date)s") % {"date": _month(end)}
    return date_span(start, end)


@register.filter
def lead_parties(measure) -> list:
    """Who leads a measure: lead roles, else those responsible, else the first named."""
    responsibilities = list(measure.responsibilities.all())
    for role in (Responsibility.Role.LEAD, Responsibility.Role.RESPONSIBLE):
        chosen = [r for r in responsibilities if r.role == role]
        if chosen:
            return chosen
    return responsibilities[:1]


@register.filter
def party_name(responsibility) -> str:
    """Organisation or person of a responsibility, as a reader would name it."""
    if responsibility.organisation_id:
        org = responsibility.organisation
        name = org.display_name
        if responsibility.person_id:
            return f"{responsibility.person.full_name} ({name})"
        return name
    return responsibility.person.full_name


@functools.cache
def _status_badges(language: str) -> dict[str, str]:
    with translation.override(language):
        return {
            value: format_html('<span class="status status--{}">{}</span>', value, capfirst(label))
            for value, label in Measure.Status.choices
        }


@register.filter
def status_badge(measure) -> str:
    """The status as text in a badge; the colour is only a second cue."""
    badges = _status_badges(get_language() or settings.LANGUAGE_CODE)
    return badges.get(measure.status) or format_html(
        '<span class="status">{}</span>', measure.status
    )


@register.filter
def bar_text(bar) -> str:
    """Text equivalent of a timeline bar: its dates, and whether they are approximate."""
    entry = bar.entry
    text = date_span(entry.start_date, entry.end_date)
    return f"{text}, {_('approximately')}" if entry.approximate else text


@register.filter
def bar_classes(bar) -> str:
    classes = ["tl-bar"]
    if bar.open_start:
        classes.append("tl-bar--open-start")
    if bar.open_end:
        classes.append("tl-bar--open-end")
    if bar.is_point:
        classes.append("tl-bar--point")
    if bar.entry.approximate:
        classes.append("tl-bar--approx")
    return " ".join(classes)


@register.filter
def lead_text(measure) -> str:
    """Names of whoever leads the measure, for the overview table."""
    return "; ".join(party_name(r) for r in lead_parties(measure))


@register.filter
def bar_style(bar) -> str:
    """Inline position of a timeline bar (percentages computed on the server)."""
    return f"left:{bar.left:.3f}%;width:{bar.width:.3f}%"


@register.filter
def tick_style(tick) -> str:
    return f"left:{tick.left:.3f}%;width:{tick.width:.3f}%"
