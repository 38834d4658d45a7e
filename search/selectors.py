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
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

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
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from access import rules

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
    meta: Callable  # (obj) -> context line ("Plan › Field"), plain text
    language: Callable = lambda obj: ""  # content language of the hit, for lang=""


@dataclass
class Hit:
    object: object
    url: str
    title: SafeString  # escaped, the term marked
    excerpt: SafeString  # escaped, the term marked; may be empty
    meta: str
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


def _any(term: str, *fields: str) -> Q:
    condition = Q()
    for field in fields:
        condition |= _holds(field, term)
    return condition


def _title_first(qs: QuerySet, term: str, field: str = "title") -> QuerySet:
    """Hits whose title holds the term come first."""
    return qs.annotate(
        title_rank=Case(
            When(_holds(field, term), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    )


def _first_text(model, term: str, column: str, link: str = "campaign"):
    """The first text of a related row (a step, a channel) that holds the term: the excerpt."""
    return Subquery(
        model.objects.filter(_holds(column, term), **{link: OuterRef("pk")})
        .order_by("position", "pk")
        .values(column)[:1]
    )


def plans(user, term: str) -> QuerySet:
    from actionplan.models import Plan

    qs = rules.visible_plans(user, Plan.objects.all()).filter(
        _any(term, "title", "subtitle", "region", "introduction")
    )
    return _title_first(qs, term).order_by("title_rank", "title", "pk")


def fields(user, term: str) -> QuerySet:
    from actionplan.models import FieldOfAction

    qs = rules.visible_fields(user, FieldOfAction.objects.all()).filter(
        _any(term, "title", "target_state")
    )
    return (
        _title_first(qs, term)
        .select_related("plan")
        .order_by("title_rank", "plan__title", "position", "pk")
    )


def measures(user, term: str) -> QuerySet:
    from actionplan.models import Measure, Step

    steps = Step.objects.filter(_holds("text", term), measure=OuterRef("pk"))
    qs = rules.visible_measures(user, Measure.objects.all()).filter(
        _any(term, "title", "code", "description") | Exists(steps)
    )
    return (
        _title_first(qs, term)
        .annotate(step_text=_first_text(Step, term, "text", link="measure"))
        .select_related("field__plan")
        .order_by("title_rank", "field__plan__title", "field__position", "position", "pk")
    )


def campaigns(user, term: str) -> QuerySet:
    from campaigns.models import Campaign, CampaignEvent, Channel

    channels = Channel.objects.filter(_holds("name", term), campaign=OuterRef("pk"))
    events = CampaignEvent.objects.filter(_holds("title", term), campaign=OuterRef("pk"))
    text = _any(term, "title", "motto", "slogan", "summary", "description", "region")
    qs = rules.visible_campaigns(user, Campaign.objects.all()).filter(
        text | Exists(channels) | Exists(events)
    )
    return (
        _title_first(qs, term)
        .annotate(
            channel_name=_first_text(Channel, term, "name"),
            event_title=_first_text(CampaignEvent, term, "title"),
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

    qs = Organisation.objects.visible_to(user).filter(_any(term, "name", "short_name"))
    return _title_first(qs, term, "name").select_related("parent").order_by("title_rank", "name")


def _plan_language(obj) -> str:
    return obj.language


def _campaign_meta(campaign) -> str:
    return " · ".join(part for part in (campaign.motto or campaign.slogan, campaign.region) if part)


def _person_meta(person) -> str:
    return person.organisation.display_name if person.organisation_id else ""


def _organisation_meta(org) -> str:
    return org.parent.name if org.parent_id else ""


KINDS = [
    Kind(
        "plans",
        _("Action plans"),
        plans,
        ("subtitle", "introduction", "region"),
        lambda plan: plan.region,
        _plan_language,
    ),
    Kind(
        "fields",
        _("Fields of action"),
        fields,
        ("target_state",),
        lambda field: field.plan.title,
        lambda field: field.plan.language,
    ),
    Kind(
        "measures",
        _("Measures"),
        measures,
        ("code", "description", "step_text"),
        lambda measure: f"{measure.field.plan.title} › {measure.field.title}",
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


def _title(kind: Kind, obj) -> str:
    if kind.key == "measures":
        return obj.full_label
    if kind.key == "persons":
        return obj.public_name
    if kind.key == "organisations":
        return obj.name
    return obj.title


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
    """The excerpt from the first text field that holds the term; none when only the title or
    the context line does (they show it already)."""
    pattern = _pattern(term)
    for name in kind.text_fields:
        value = getattr(obj, name, "") or ""
        if pattern.search(value) and value not in meta:
            return excerpt(value, term)
    return mark_safe("")


def hit(kind: Kind, obj, term: str) -> Hit:
    meta = kind.meta(obj)
    return Hit(
        object=obj,
        url=obj.get_absolute_url(),
        title=highlight(_title(kind, obj), term),
        excerpt=_excerpt_of(kind, obj, term, meta),
        meta=meta,
        language=kind.language(obj),
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
