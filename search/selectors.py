"""Reads of the site search: which plans, fields, measures, campaigns, persons and organisations
contain a term, among those the user may see.

Every kind starts from ``access.rules`` (``visible_plans``, ``visible_fields``,
``visible_measures``, ``visible_campaigns``; persons through ``Person.objects.in_directory``,
which asks ``visible_persons`` and the person's consent). Matching is a plain case-insensitive
substring test over the fields the queries name (umlauts folded on SQLite too, see
search/lookups.py); rows of other tables (a measure's steps, a campaign's channels and
events) are matched with ``Exists`` subqueries, so no join multiplies a row and the number of
queries stays fixed: one per kind on the overview (the total comes with the rows, as a window
count), two for one kind's page (count and page).

Translated texts (``translations.registry``) are searched in both languages, for every reader:
an English word finds a measure through its ``title_en``. A hit shows its texts in the
reader's language (``translations.selectors.text``); an English reader who gets a German text
sees it marked ``lang="de"`` with “(in German)”, as on the pages.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Concat
from django.utils.html import escape, format_html, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from access import rules
from translations import registry
from translations import selectors as translated
from translations.templatetags.translations import _note as in_german_note

MIN_LENGTH = 2
MAX_LENGTH = 100
# Results per kind on the overview; the rest is one "show all" link away.
OVERVIEW_LIMIT = 5
PAGE_SIZE = 20
# Characters of context on each side of the term in an excerpt.
EXCERPT_CONTEXT = 80


@dataclass
class Kind:
    """One group of results: how to find them and what a hit shows."""

    key: str
    label: str  # plural, the group's heading
    queryset: Callable  # (user, term) -> QuerySet of matches, ordered, related rows selected
    text_fields: tuple[str, ...]  # where an excerpt is looked for, in this order
    meta: Callable  # (obj) -> context line ("Plan › Field"), escaped (German marked)
    language: Callable = lambda obj: ""  # content language of the hit, for lang=""


@dataclass
class Hit:
    object: object
    url: str
    title: SafeString  # escaped, the term marked
    excerpt: SafeString  # escaped, the term marked; may be empty
    meta: SafeString  # escaped, German texts marked for an English reader
    language: str


@dataclass
class Group:
    kind: Kind
    total: int
    hits: list[Hit]

    @property
    def more(self) -> bool:
        return self.total > len(self.hits)


def _holds(field: str, term: str) -> Q:
    """``field`` contains ``term``, ignoring case (umlauts too, see search/lookups.py)."""
    return Q(**{f"{field}__folded__contains": term.lower()})


def _both(model, fields) -> list[str]:
    """The fields, each translated one followed by its English version (``title_en``)."""
    names = []
    for field in fields:
        names.append(field)
        if model is not None and registry.is_translated(model, field):
            names.append(registry.english(field))
    return names


def _any(term: str, *fields: str, model=None) -> Q:
    """One of the fields holds the term; with ``model``, in German or English."""
    condition = Q()
    for field in _both(model, fields):
        condition |= _holds(field, term)
    return condition


def _title_first(qs: QuerySet, term: str, field: str = "title") -> QuerySet:
    """Hits whose title (in either language) holds the term come first."""
    return qs.annotate(
        title_rank=Case(
            When(_any(term, field, model=qs.model), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    )


def _first_text(model, term: str, column: str, link: str = "campaign", *, shown=None):
    """The first text of a related row (a step, a channel) that holds the term (in German or
    English): the excerpt. ``shown``: the column to print (default: the searched one)."""
    return Subquery(
        model.objects.filter(_any(term, column, model=model), **{link: OuterRef("pk")})
        .order_by("position", "pk")
        .values(shown or column)[:1]
    )


def _first_texts(model, term: str, column: str, name: str, link: str = "campaign") -> dict:
    """``name`` and ``name_en``: the German and the English text of the first related row that
    holds the term (``RELATED`` tells the hit which model's text they are)."""
    return {
        name: _first_text(model, term, column, link),
        registry.english(name): _first_text(
            model, term, column, link, shown=registry.english(column)
        ),
    }


def plans(user, term: str) -> QuerySet:
    from actionplan.models import Plan

    qs = rules.visible_plans(user, Plan.objects.all()).filter(
        _any(term, "title", "subtitle", "region", "introduction", model=Plan)
    )
    return _title_first(qs, term).order_by("title_rank", "title", "pk")


def fields(user, term: str) -> QuerySet:
    from actionplan.models import FieldOfAction

    qs = rules.visible_fields(user, FieldOfAction.objects.all()).filter(
        _any(term, "title", "target_state", model=FieldOfAction)
    )
    return (
        _title_first(qs, term)
        .select_related("plan")
        .order_by("title_rank", "plan__title", "position", "pk")
    )


def measures(user, term: str) -> QuerySet:
    from actionplan.models import Measure, Step

    steps = Step.objects.filter(_any(term, "text", model=Step), measure=OuterRef("pk"))
    qs = rules.visible_measures(user, Measure.objects.all()).filter(
        _any(term, "title", "code", "description", model=Measure) | Exists(steps)
    )
    return (
        _title_first(qs, term)
        .annotate(**_first_texts(Step, term, "text", "step_text", link="measure"))
        .select_related("field__plan")
        .order_by("title_rank", "field__plan__title", "field__position", "position", "pk")
    )


def campaigns(user, term: str) -> QuerySet:
    from campaigns.models import Campaign, CampaignEvent, Channel

    channels = Channel.objects.filter(_any(term, "name", model=Channel), campaign=OuterRef("pk"))
    events = CampaignEvent.objects.filter(
        _any(term, "title", model=CampaignEvent), campaign=OuterRef("pk")
    )
    text = _any(
        term, "title", "motto", "slogan", "summary", "description", "region", model=Campaign
    )
    qs = rules.visible_campaigns(user, Campaign.objects.all()).filter(
        text | Exists(channels) | Exists(events)
    )
    return (
        _title_first(qs, term)
        .annotate(
            **_first_texts(Channel, term, "name", "channel_name"),
            **_first_texts(CampaignEvent, term, "title", "event_title"),
        )
        .order_by("title_rank", "title", "pk")
    )


def persons(user, term: str) -> QuerySet:
    """Consenting persons of the directory, by name (first, last, both, academic title)."""
    from contacts.models import Person

    qs = (
        Person.objects.in_directory(user)
        .annotate(search_name=Concat("first_name", Value(" "), "last_name"))
        .filter(_any(term, "search_name", "title", "last_name"))
    )
    return qs.order_by("last_name", "first_name", "pk")


def organisations(user, term: str) -> QuerySet:
    """Organisations of the directory (public facts, as its tree shows them)."""
    from contacts.models import Organisation

    qs = Organisation.objects.visible_to(user).filter(
        _any(term, "name", "short_name", model=Organisation)
    )
    return _title_first(qs, term, "name").select_related("parent").order_by("title_rank", "name")


def _plan_language(obj) -> str:
    return obj.language


# Annotations holding a related row's text (and, ``<name>_en``, its English version): which
# model's field they are.
RELATED = {
    "step_text": ("actionplan.Step", "text"),
    "channel_name": ("campaigns.Channel", "name"),
    "event_title": ("campaigns.CampaignEvent", "title"),
}


def read(obj, name: str) -> translated.Text:
    """``obj.name`` in the reader's language (``translations.selectors.text``): a translated
    field, an annotation of ``RELATED`` or a field that is the same in every language."""
    if name in RELATED:
        label, field = RELATED[name]
        row = apps.get_model(label)(
            **{
                field: getattr(obj, name, "") or "",
                registry.english(field): getattr(obj, registry.english(name), "") or "",
            }
        )
        return translated.text(row, field)
    return translated.text(obj, name)


def shown(text: translated.Text, marked: str) -> SafeString:
    """``marked`` (``text`` escaped, the term marked) as a reader sees it: a German text given
    to an English reader in ``lang="de"`` with “(in German)”, as the pages show it."""
    if text.fallback:
        return format_html('<span lang="de">{}</span>{}', marked, in_german_note())
    return mark_safe(marked)  # noqa: S308 -- escaped by the caller


def _line(separator: str, *texts: translated.Text) -> SafeString:
    """A context line of texts, each escaped and marked where it is German for an English
    reader."""
    return mark_safe(  # noqa: S308 -- each part is escaped
        escape(separator).join(shown(text, escape(text)) for text in texts if text)
    )


def _campaign_meta(campaign) -> SafeString:
    motto = read(campaign, "motto") or read(campaign, "slogan")
    return _line(" · ", motto, read(campaign, "region"))


def _person_meta(person) -> SafeString:
    organisation = person.organisation
    if organisation is None:
        return mark_safe("")
    parent = read(organisation.parent, "name") if organisation.parent_id else ""
    return _line(", ", parent, read(organisation, "name"))


def _organisation_meta(org) -> SafeString:
    return _line("", read(org.parent, "name")) if org.parent_id else mark_safe("")


KINDS = [
    Kind(
        "plans",
        _("Action plans"),
        plans,
        ("subtitle", "introduction", "region"),
        lambda plan: _line("", read(plan, "region")),
        _plan_language,
    ),
    Kind(
        "fields",
        _("Fields of action"),
        fields,
        ("target_state",),
        lambda field: _line("", read(field.plan, "title")),
        lambda field: field.plan.language,
    ),
    Kind(
        "measures",
        _("Measures"),
        measures,
        ("code", "description", "step_text"),
        lambda measure: _line(
            " › ", read(measure.field.plan, "title"), read(measure.field, "title")
        ),
        lambda measure: measure.field.plan.language,
    ),
    Kind(
        "campaigns",
        _("Campaigns"),
        campaigns,
        ("motto", "slogan", "summary", "description", "region", "channel_name", "event_title"),
        _campaign_meta,
    ),
    Kind("persons", _("People"), persons, (), _person_meta),
    Kind("organisations", _("Organisations"), organisations, ("short_name",), _organisation_meta),
]
KINDS_BY_KEY = {kind.key: kind for kind in KINDS}


def _title(kind: Kind, obj, term: str) -> SafeString:
    """The hit's title, escaped, the term marked, in the reader's language."""
    if kind.key == "persons":
        return highlight(obj.public_name, term)
    title = read(obj, "name" if kind.key == "organisations" else "title")
    marked = shown(title, highlight(title, term))
    if kind.key == "measures":  # “2 A · Title” (Measure.full_label)
        return mark_safe(highlight(f"{obj.display_code} · ", term) + marked)  # noqa: S308
    return marked


def _pattern(term: str) -> re.Pattern:
    return re.compile(re.escape(term), re.IGNORECASE)


def highlight(text: str, term: str) -> SafeString:
    """``text`` escaped, every occurrence of ``term`` (any case) in ``<mark>``."""
    pieces, last = [], 0
    for match in _pattern(term).finditer(text):
        pieces += [escape(text[last : match.start()]), "<mark>", escape(match.group()), "</mark>"]
        last = match.end()
    pieces.append(escape(text[last:]))
    return mark_safe("".join(pieces))  # noqa: S308 -- every piece is escaped above


def excerpt(text: str, term: str, context: int = EXCERPT_CONTEXT) -> SafeString:
    """A short passage of ``text`` around the first occurrence of ``term``, escaped and marked;
    the beginning of the text when the term is not in it."""
    text = " ".join(text.split())
    match = _pattern(term).search(text)
    if match is None:
        return mark_safe(escape(Truncator(text).chars(2 * context)))  # noqa: S308
    start, end = max(match.start() - context, 0), min(match.end() + context, len(text))
    # cut at word boundaries
    if start > 0:
        space = text.find(" ", start, match.start())
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", match.end(), end)
        end = space if space != -1 else end
    passage = highlight(text[start:end], term)
    before = "… " if start > 0 else ""
    after = " …" if end < len(text) else ""
    return mark_safe(f"{before}{passage}{after}")  # noqa: S308 -- passage is escaped


def _excerpt_of(kind: Kind, obj, term: str, meta: str) -> SafeString:
    """The excerpt from the first text field that holds the term (in the reader's language);
    none when only the title or the context line does (they show it already)."""
    pattern = _pattern(term)
    meta = html.unescape(strip_tags(meta))
    for name in kind.text_fields:
        value = read(obj, name)
        if pattern.search(value) and value not in meta:
            return shown(value, excerpt(value, term))
    return mark_safe("")


def hit(kind: Kind, obj, term: str) -> Hit:
    """A hit as the reader sees it. An English reader's hit has no content language of its
    own: its texts are English, the German ones marked each (``shown``)."""
    meta = kind.meta(obj)
    english = translated.reader_language() == registry.TARGET_LANGUAGE
    return Hit(
        object=obj,
        url=obj.get_absolute_url(),
        title=_title(kind, obj, term),
        excerpt=_excerpt_of(kind, obj, term, meta),
        meta=meta,
        language="" if english else kind.language(obj),
    )


def overview(user, term: str) -> list[Group]:
    """Every kind with its total and its first hits: one query per kind."""
    groups = []
    for kind in KINDS:
        rows = list(
            kind.queryset(user, term).annotate(search_total=Window(Count(F("pk"))))[:OVERVIEW_LIMIT]
        )
        total = rows[0].search_total if rows else 0
        groups.append(Group(kind, total, [hit(kind, obj, term) for obj in rows]))
    return groups


def hits(kind: Kind, objects, term: str) -> list[Hit]:
    return [hit(kind, obj, term) for obj in objects]
