"""Template helpers for the public plan pages."""

import functools
import html
import re

from django import template
from django.conf import settings
from django.contrib.admin.utils import quote
from django.template.defaultfilters import linebreaksbr
from django.urls import NoReverseMatch, reverse, translate_url
from django.urls.converters import SlugConverter
from django.utils import translation
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from access import rules
from actionplan import timeline
from actionplan.models import Measure, Responsibility
from actionplan.schedule import Precision, schedule_display
from translations import registry
from translations import selectors as translated
from translations.templatetags.translations import _note, tr

register = template.Library()


@register.simple_tag(takes_context=True)
def admin_change_url(context, obj) -> str:
    """The admin change page of ``obj`` for those who may change it; empty for everybody else."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not rules.can_change(user, obj):
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


@register.simple_tag
def language_note(language: str) -> str:
    """A short note that the content is in another language than the page ("in German"),
    shown once below a page title; nothing when both agree."""
    if not language or _is_content_language(language):
        return ""
    code = language.split("-")[0]
    try:
        name = translation.get_language_info(code)["name_translated"]
    except KeyError:
        name = code
    return format_html(
        '<p class="lang-note">{}</p>', _("Content in %(language)s") % {"language": name}
    )


def _reads_english() -> bool:
    return translated.reader_language() == registry.TARGET_LANGUAGE


@register.simple_tag
def tr_attr(obj, field: str, language: str = "de") -> str:
    """The ``lang`` attribute (with its leading space) of an element holding ``obj.field``:
    ``lang="de"`` where an English reader gets the German text (``tr_note`` follows the
    element), nothing where the text is in the page's language, else ``content_lang``."""
    text = translated.text(obj, field)
    if text.fallback:
        return format_html(' lang="{}"', registry.SOURCE_LANGUAGE)
    if text.language == registry.TARGET_LANGUAGE:
        return ""
    return content_lang(language)


@register.simple_tag
def de_unless_en(obj, field: str) -> str:
    """`` lang="de"`` on a text of content always marked German (campaigns), unless the
    reader gets its English version."""
    if translated.text(obj, field).language == registry.TARGET_LANGUAGE:
        return ""
    return format_html(' lang="{}"', registry.SOURCE_LANGUAGE)


@register.simple_tag
def tr_note_in(obj, field: str) -> str:
    """“(in German)” inside an element marked ``lang="de"`` (a heading): the note itself is
    marked as the page's language."""
    if translated.text(obj, field).fallback:
        return format_html(
            ' <span class="in-german" lang="{}">({})</span>',
            registry.TARGET_LANGUAGE,
            _("in German"),
        )
    return ""


@register.filter
def tr_items(obj, field: str) -> list[str]:
    """The non-empty lines of ``obj.field`` in the reader's language (topics, methods)."""
    return [line.strip() for line in translated.text(obj, field).splitlines() if line.strip()]


@register.filter
def tr_market(market) -> str:
    """``Market.display_name``: a country's name in the page's language, else the market's
    name in the reader's language (a German fallback marked)."""
    from campaigns.countries import country_name

    return (market.iso_code and country_name(market.iso_code)) or tr(market, "name")


@register.simple_tag
def source_lang(language: str = "de") -> str:
    """``content_lang`` for elements whose translated texts mark themselves (``tr``): nothing
    for an English reader, who gets English or a marked German fallback per text."""
    return "" if _reads_english() else content_lang(language)


@register.simple_tag
def tr_block_note(obj, field: str) -> str:
    """“(in German)” after a block (a paragraph, a list) an English reader gets in German."""
    if translated.text(obj, field).fallback:
        return format_html('<p class="in-german">({})</p>', _("in German"))
    return ""


@register.simple_tag
def translation_note(owner, language: str = "de") -> str:
    """Below the title of a plan's or campaign's page: for an English reader the owner's
    ``english_note`` (who translated, German authoritative), and “Content in German” while the
    owner has no English title; for everybody else ``language_note`` as before."""
    if not _reads_english():
        return language_note(language)
    parts = []
    note = (getattr(owner, "english_note", "") or "").strip()
    if note:
        parts.append(
            format_html(
                '<div class="english-note" role="note"><p>{}</p></div>',
                mark_safe("<br>".join(conditional_escape(line) for line in note.splitlines())),  # noqa: S308 - escaped
            )
        )
    if not (getattr(owner, "title_en", "") or "").strip():
        parts.append(language_note(language))
    return mark_safe("".join(parts))  # noqa: S308 - built with format_html


@register.filter
def tr_lines(obj, field: str) -> str:
    """``obj.field|linebreaksbr`` in the reader's language; a German fallback is wrapped in
    ``<span lang="de">`` and followed by “(in German)” (a step, a substep)."""
    text = translated.text(obj, field)
    lines = linebreaksbr(text, autoescape=True)
    if text.fallback:
        return format_html('<span lang="de">{}</span>{}', lines, _note())
    return lines


@register.filter
def tr_label(measure) -> str:
    """“2 A · Title” (``Measure.full_label``) with the title in the reader's language."""
    return format_html("{} · {}", measure.display_code, tr(measure, "title"))


@register.filter
def tr_name(obj) -> str:
    """A name (organisation, vocabulary entry) in English where it has an English form, else
    as written: names are shown as they are, without an “in German” note on every one."""
    if obj is None:
        return ""
    text = translated.text(obj, "name")
    return str(text) if not text.fallback else obj.name


@register.filter
def tr_display_name(organisation) -> str:
    """``Organisation.display_name`` (“Stadt Leipzig, Kulturamt”) with English forms where
    the organisations have them."""
    if organisation.parent_id:
        return f"{tr_name(organisation.parent)}, {tr_name(organisation)}"
    return tr_name(organisation)


@register.filter
def tr_programme(programme) -> str:
    """``FundingProgramme.label`` with the programme's English name where it has one."""
    extra = ", ".join(part for part in (programme.fund, programme.period) if part)
    name = tr_name(programme)
    return f"{name} ({extra})" if extra else name


def _month(day) -> str:
    """“03/2011”, as ``date_format(day, "m/Y")`` writes it in every language, without its
    format lookups: the overview and the timeline of a large plan format thousands."""
    return f"{day.month:02d}/{day.year:04d}"


def _point(day, precision: str) -> str:
    """A date as precisely as the label gave it: “21.02.2011”, “2011” or “03/2011”."""
    if precision == Precision.DAY:
        return date_format(day, "SHORT_DATE_FORMAT")
    if precision == Precision.YEAR:
        return str(day.year)
    return _month(day)


@register.simple_tag
def date_span(start, end, start_precision="", end_precision="") -> str:
    """“03/2011 – 12/2012”, “from 07/2011”, “until 12/2012” or “” without dates.

    Day and year precision are kept (“21.02.2011”, “2011 – 2012”); everything else is shown
    by month, which is what the bars on the timeline resolve.
    """
    if start and end:
        if start == end:
            return _point(start, start_precision or Precision.DAY)
        first, last = _point(start, start_precision), _point(end, end_precision)
        return first if first == last else f"{first} – {last}"
    if start:
        return _("from %(date)s") % {"date": _point(start, start_precision)}
    if end:
        return _("until %(date)s") % {"date": _point(end, end_precision)}
    return ""


@register.simple_tag
def entry_dates(entry) -> str:
    """The dates the schedule parser (or an editor) gave a schedule entry."""
    return date_span(entry.start_date, entry.end_date, entry.start_precision, entry.end_precision)


def _is_content_language(language: str) -> bool:
    return (language or "de").split("-")[0] == (get_language() or "").split("-")[0]


@register.simple_tag
def schedule_label(entry, language="de") -> str:
    """A schedule entry as one label in the page's language, its date shown once.

    On a page in the content's language the phrase is shown as written when it says more
    than its date ("Januar 2011: Arbeitsaufnahme"), else the date alone ("2011–2012"). On a
    page in another language: the date in that language, then the phrase's other words, marked
    as content in ``language`` ("January 2011: Arbeitsaufnahme"), followed by “(in German)”.
    An English reader gets the entry's English label, where it has one, as written.
    """
    english = _reads_english()
    if english:
        label_en = (getattr(entry, "label_en", "") or "").strip()
        if label_en:
            return label_en
    shown = schedule_display(
        entry.label,
        start=entry.start_date,
        end=entry.end_date,
        start_precision=entry.start_precision,
        end_precision=entry.end_precision,
        approximate=entry.approximate,
    )
    label = _label_html(shown, language, keep_words=True)
    if english and 'lang="' in label:
        return format_html("{}{}", label, _note())
    return label


@register.simple_tag
def fuzzy_date(label, start=None, end=None, precision="", language="de") -> str:
    """A date field with its label as written ("2017 bis 2019", "Ende Januar"): the date once,
    in the page's language ("2017–2019", "end of January 2017"); the label as written only
    when it names no date. A single date (an event's) is passed as both ``start`` and ``end``.
    """
    shown = schedule_display(
        label or "",
        start=start,
        end=end,
        start_precision=precision,
        end_precision=precision,
        exact=False,
    )
    return _label_html(shown, language, keep_words=False)


def _label_html(shown, language: str, *, keep_words: bool) -> str:
    lang = "" if _is_content_language(language) else format_html(' lang="{}"', language or "de")
    if not shown.dates:
        return format_html("<span{}>{}</span>", lang, shown.phrase) if shown.phrase else ""
    if not shown.words or (shown.from_phrase and not keep_words):
        return shown.dates
    if not shown.from_phrase:  # dates entered by hand: the phrase does not say them
        return format_html("{}: <span{}>{}</span>", shown.dates, lang, shown.phrase)
    if not lang:
        return shown.phrase
    return format_html("{}: <span{}>{}</span>", shown.dates, lang, shown.words)


@register.filter
def span_text(measure) -> str:
    """The span of a measure annotated by ``selectors._span_annotations``.

    Open only where nothing closes it: an entry without an end leaves the span open (“from
    03/2011”); a deadline without a start leaves it open at the start only when no entry of
    the measure has a start date (“until 12/2012”).
    """
    if not getattr(measure, "dated_count", 0):
        return ""
    return _span(
        measure.span_start, measure.span_end, measure.span_open_end, measure.span_start_count
    )


def _span(start, end, open_end, start_count) -> str:
    if open_end:
        return _("from %(date)s") % {"date": _month(start)}
    if not start_count:
        return _("until %(date)s") % {"date": _month(end)}
    first, last = _month(start), _month(end)
    return first if first == last else f"{first} – {last}"


def lead_parties(responsibilities: list) -> list:
    """Who leads a measure: lead roles, else those responsible, else the first named."""
    for role in (Responsibility.Role.LEAD, Responsibility.Role.RESPONSIBLE):
        chosen = [r for r in responsibilities if r.role == role]
        if chosen:
            return chosen
    return responsibilities[:1]


def _person_name(person) -> str:
    """“Frau Rabenberg”, as the plans name people; the salutation is kept where recorded.
    Without the person's consent only their function (or organisation) is shown."""
    if not person.is_public:
        return person.public_name
    salutation = person.get_salutation_display() if person.salutation else ""
    return f"{salutation} {person.full_name}".strip()


@register.filter
def party_name(responsibility) -> str:
    """Organisation or person of a responsibility, as a reader would name it."""
    if responsibility.organisation_id:
        org = responsibility.organisation
        name = tr_display_name(org)
        person = responsibility.person if responsibility.person_id else None
        if person is not None and (person.is_public or person.function):
            return f"{_person_name(person)} ({name})"
        return name
    return _person_name(responsibility.person)


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
def as_of_text(day) -> str:
    """“as of 6 December 2026” (“Stand vom 6. Dezember 2026”): when a status was reported."""
    return _("as of %(date)s") % {"date": date_format(day, "DATE_FORMAT")}


@register.filter
def bar_classes(bar) -> str:
    classes = ["tl-bar", timeline.position_classes(bar)]
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
def position_classes(item) -> str:
    """Classes placing a timeline bar or tick; see ``actionplan.timeline.position_classes``."""
    return timeline.position_classes(item)


@register.filter
def email_display(address: str) -> str:
    """An e-mail address that wraps only before the “@”, never at a hyphen or inside a word:
    a line break in “aufbauwerk-leipzig.com” would look like part of the address."""
    local, at, domain = str(address).partition("@")
    if not at:
        return format_html('<span class="nowrap">{}</span>', address)
    return format_html(
        '<span class="nowrap">{}</span><wbr><span class="nowrap">@{}</span>', local, domain
    )


SLUG = re.compile(SlugConverter.regex)


def _measure_urls(field):
    """``slug -> URL``, HTML-escaped, of the measures of a field, from one ``reverse()`` for
    all of them: a slug, the URL's last part, is never quoted nor escaped. Anything else takes
    ``reverse()`` itself."""
    kwargs = {"plan_slug": field.plan.slug, "field_slug": field.slug}
    placeholder = "measure-slug"
    url = reverse("actionplan:measure_detail", kwargs={**kwargs, "measure_slug": placeholder})
    head, _placeholder, tail = (html.escape(part) for part in url.rpartition(placeholder))

    def measure_url(slug: str) -> str:
        if SLUG.fullmatch(slug):
            return f"{head}{slug}{tail}"
        return html.escape(
            reverse("actionplan:measure_detail", kwargs={**kwargs, "measure_slug": slug})
        )

    return measure_url


def _overview_row(measure) -> dict:
    """A measure instance as a row of ``selectors.overview_measures``, with its own URL (a
    version's measures link to the version's pages)."""
    row = {
        name: getattr(measure, name)
        for name in ("code", "title", "title_en", "slug", "status", "status_reported_at")
    }
    row["url"] = html.escape(measure.get_absolute_url())
    row["dated_count"] = getattr(measure, "dated_count", 0)
    if row["dated_count"]:
        for name in ("span_start", "span_end", "span_open_end", "span_start_count"):
            row[name] = getattr(measure, name)
    row["responsibilities"] = list(measure.responsibilities.all())
    return row


@register.simple_tag
def overview_rows(
    field, overview, lang_attr, code_label, lead_label, schedule_label, status_label
) -> str:
    """The overview table's rows of one field.

    On the plan page ``overview`` is what ``selectors.overview_measures`` returns: plain rows by
    field. A version's page (versions/views.py) passes none; its snapshot's fields carry their
    measures as if prefetched.

    Built here rather than in a template loop, from plain rows rather than model instances,
    and with each party's name and each schedule span worked out once: the cold page of a plan
    of 1,000 measures is several times faster (docs/benchmarks.md). The markup is that of a
    plain ``{% for %}`` row; every value is escaped as ``format_html`` escapes it
    (``html.escape`` is what ``django.utils.html.escape`` calls).
    """
    if isinstance(overview, dict):
        measures = overview.get(field.pk, [])
    else:
        measures = [_overview_row(measure) for measure in field.measures.all()]
    if not measures:
        return ""
    escape = html.escape
    code_label, lead_label, schedule_label, status_label, lang = (
        conditional_escape(value)
        for value in (code_label, lead_label, schedule_label, status_label, lang_attr)
    )
    badges = _status_badges(get_language() or settings.LANGUAGE_CODE)
    measure_url = _measure_urls(field)
    english = _reads_english()
    in_german = _note() if english else ""
    names = {}  # escaped, by organisation and person
    spans = {}  # escaped, by span
    reports = {}  # escaped “as of …”, by date
    rows = []
    for measure in measures:
        leads = []
        for responsibility in lead_parties(measure["responsibilities"]):
            party = (responsibility.organisation_id, responsibility.person_id)
            if party not in names:
                names[party] = escape(party_name(responsibility))
            leads.append(names[party])
        lead = "; ".join(leads) or "–"
        span = "–"
        if measure["dated_count"]:
            dates = (
                measure["span_start"],
                measure["span_end"],
                measure["span_open_end"],
                measure["span_start_count"],
            )
            if dates not in spans:
                spans[dates] = escape(_span(*dates)) or "–"
            span = spans[dates]
        code = escape(measure["code"])
        inline_code = f'<span class="overview__inline-code">{code}) </span>' if code else ""
        url = measure.get("url") or measure_url(measure["slug"])
        title, title_lang = escape(measure["title"]), lang
        if english:
            if (measure.get("title_en") or "").strip():
                title, title_lang = escape(measure["title_en"]), ""
            else:
                title, title_lang = f'<span lang="de">{title}</span>{in_german}', ""
        status = badges.get(measure["status"]) or format_html(
            '<span class="status">{}</span>', measure["status"]
        )
        reported = measure.get("status_reported_at")
        if reported is not None:
            if reported not in reports:
                reports[reported] = escape(as_of_text(reported))
            status = f'{status} <span class="as-of">{reports[reported]}</span>'
        rows.append(
            f'<tr><td class="overview__code" data-label="{code_label}">{code or "–"}</td>'
            f'<td class="overview__title"><a href="{url}"{title_lang}>{inline_code}{title}</a></td>'
            f'<td data-label="{lead_label}">{lead}</td>'
            f'<td class="nowrap" data-label="{schedule_label}">{span}</td>'
            f'<td data-label="{status_label}">{status}</td></tr>'
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - every value escaped above
