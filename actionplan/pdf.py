"""PDF documents of a plan, a field of action or a measure, rendered with WeasyPrint.

One module builds the bytes; views, the admin, the management command and the background
task only wrap them. The renderer fetches nothing but files under the app's own static
directories (``pdf/…``): see ``StaticFilesURLFetcher``.
"""

import hashlib
import logging
import posixpath
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.db.models import Prefetch, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import npgettext
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from access import rules
from contacts.models import Organisation

from .models import (
    BaselineFinding,
    BudgetLine,
    FieldContact,
    FieldOfAction,
    Measure,
    Plan,
    Responsibility,
    ScheduleEntry,
    Step,
)

logger = logging.getLogger(__name__)

#: Origin the documents are rendered against. ``.invalid`` (RFC 2606) never resolves; the
#: fetcher maps it onto the static files finders and refuses everything else.
STATIC_ORIGIN = "https://static.planwerk.invalid/"
ALLOWED_PREFIXES = ("pdf/",)
ALLOWED_TYPES = {
    ".css": "text/css",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}

#: Tagged PDF for accessibility; WeasyPrint 70 writes PDF/UA-1 identification and structure.
DEFAULT_VARIANT = "pdf/ua-1"
VARIANTS = {"pdf/ua-1", "pdf/ua-2", ""}

KIND_PLAN, KIND_FIELD, KIND_MEASURE = "plan", "field", "measure"


class ResourceRefused(ValueError):
    """The renderer asked for something that is not one of the app's PDF static files."""


class StaticFilesURLFetcher(URLFetcher):
    """Serves ``STATIC_ORIGIN/pdf/…`` from the static files finders and nothing else.

    No ``file://``, no network, no ``data:`` — user text is escaped anyway, so anything else
    asked for is a template bug or an attack, and is refused (WeasyPrint then skips it).
    ``requested`` and ``refused`` record every URL for tests and logging.
    """

    def __init__(self):
        super().__init__(allowed_protocols=("https",), allow_redirects=False, fail_on_errors=False)
        self.requested: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        self.requested.append(url)
        try:
            path = resolve_static_url(url)
        except ResourceRefused as exc:
            self.refused.append(url)
            logger.warning("PDF renderer refused resource %.200r: %s", url, exc)
            raise
        mime = ALLOWED_TYPES[posixpath.splitext(path)[1].lower()]
        return URLFetcherResponse(url, body=Path(path).read_bytes(), headers={"Content-Type": mime})


def resolve_static_url(url: str) -> str:
    """Map an URL under ``STATIC_ORIGIN`` to a file found by the static files finders."""
    if not isinstance(url, str) or not url.startswith(STATIC_ORIGIN):
        raise ResourceRefused("only the app's own static files may be used")
    parts = urlsplit(url)
    if parts.query or parts.username or parts.password or parts.port:
        raise ResourceRefused("query strings and credentials are not allowed")
    relative = unquote(parts.path).lstrip("/")
    segments = relative.split("/")
    if "\\" in relative or "\x00" in relative or any(s in ("", ".", "..") for s in segments):
        raise ResourceRefused("path traversal")
    if not relative.startswith(ALLOWED_PREFIXES):
        raise ResourceRefused("outside the PDF static files")
    if posixpath.splitext(relative)[1].lower() not in ALLOWED_TYPES:
        raise ResourceRefused("file type not allowed")
    found = finders.find(relative)
    if not found:
        raise ResourceRefused("no such static file")
    return found


# --- data -----------------------------------------------------------------------------------


def _measure_prefetches(related):
    return [
        Prefetch("steps", queryset=Step.objects.order_by("parent_id", "position", "pk")),
        "target_groups",
        Prefetch("related_measures", queryset=related),
        Prefetch("schedule", queryset=ScheduleEntry.objects.order_by("position")),
        Prefetch(
            "responsibilities",
            queryset=Responsibility.objects.select_related(
                "organisation__parent", "person__organisation__parent"
            ).order_by("position"),
        ),
        Prefetch(
            "budget_lines",
            queryset=BudgetLine.objects.select_related("category", "funding_source").order_by(
                "position"
            ),
        ),
    ]


def _field_prefetches(measures, related):
    return [
        Prefetch("baseline_findings", queryset=BaselineFinding.objects.order_by("position")),
        Prefetch(
            "field_contacts",
            queryset=FieldContact.objects.select_related("person__organisation__parent").order_by(
                "position"
            ),
        ),
        Prefetch(
            "measures",
            queryset=measures.order_by("position").prefetch_related(*_measure_prefetches(related)),
        ),
    ]


def load_plan(
    plan_pk: int,
    *,
    field_pk: int | None = None,
    measure_pk: int | None = None,
    internal: bool = True,
):
    """The plan with everything a document shows, in a fixed number of queries.

    A public document (``internal=False``) holds only what anonymous visitors may see; an
    internal one every measure of the plan. Cross-references (related measures) never name a
    measure of another plan that is not public.
    """
    fields = FieldOfAction.objects.select_related("lead_organisation__parent").order_by("position")
    measures = Measure.objects.all() if internal else Measure.objects.published()
    related = Measure.objects.select_related("field").order_by(
        "field__plan", "field__position", "position"
    )
    public = rules.public_measures_q()
    related = related.filter(public | Q(field__plan_id=plan_pk) if internal else public)
    if field_pk is not None:
        fields = fields.filter(pk=field_pk)
    if measure_pk is not None:
        measures = measures.filter(pk=measure_pk)
    plan = (
        Plan.objects.select_related(
            "project_lead__organisation__parent", "author_organisation__parent"
        )
        .prefetch_related(
            Prefetch(
                "fields", queryset=fields.prefetch_related(*_field_prefetches(measures, related))
            )
        )
        .get(pk=plan_pk)
    )
    # Organisations the document prints, for its list of abbreviations: a field document
    # has no contacts page, a measure document not the field's lead either.
    named: list = []
    whole_plan = field_pk is None
    for fld in plan.fields.all():
        lead = organisation_label(fld.lead_organisation) if fld.lead_organisation_id else ""
        fld.lead_label = ", ".join(part for part in (lead, fld.lead_note) if part)
        people = [fc.person for fc in fld.field_contacts.all()]
        fld.contact_card = contact_card(people, heading=fld.title)
        if measure_pk is None:
            named.append(fld.lead_organisation)
        if whole_plan:
            named.extend(p.organisation for p in people)
        for measure in fld.measures.all():
            _annotate_measure(measure)
            named.extend(
                r.organisation or (r.person.organisation if r.person else None)
                for r in measure.responsibilities.all()
            )
    plan.lead_card = contact_card([plan.project_lead] if plan.project_lead_id else [])
    if whole_plan and plan.project_lead_id:
        named.append(plan.project_lead.organisation)
    plan.abbreviations = abbreviations(named)
    return plan


def abbreviations(organisations) -> list[tuple[str, str]]:
    """(short name, name) of the organisations a document names, and of their parents.

    Labels print full names; the plan's own text uses the short forms (“ASW”, “KA und
    AfWiFö”), so the document explains them.
    """
    found: dict[str, str] = {}
    for org in organisations:
        while org is not None:
            if org.short_name and org.short_name != org.name:
                found.setdefault(org.short_name, org.name)
            org = org.parent if org.parent_id else None
    return sorted(found.items(), key=lambda item: item[0].casefold())


@dataclass
class ContactCard:
    heading: str
    org_lines: list[str]
    names: list[str]
    phones: list[str]
    emails: list[str]


def contact_card(people, *, heading: str = "") -> ContactCard | None:
    """Contact block as the plan prints it; phone and e-mail only with the person's consent
    (``public_phone``/``public_email`` fall back to the organisation's)."""
    if not people:
        return None
    org_lines: list[str] = []
    for person in people:
        org = person.organisation
        if org is None:
            continue
        for line in ([org.parent.name] if org.parent_id else []) + [org.name]:
            if line not in org_lines:
                org_lines.append(line)

    def unique(values):
        return list(dict.fromkeys(v for v in values if v))

    return ContactCard(
        heading=heading,
        org_lines=org_lines,
        names=[p.formal_name for p in people],
        phones=unique(p.public_phone() for p in people),
        emails=unique(p.public_email() for p in people),
    )


def role_heading(role: str, count: int) -> str:
    """Heading of a group of responsibilities, e.g. “Tutorinnen und Tutoren”."""
    if role == Responsibility.Role.LEAD:
        return npgettext("pdf role", "Lead", "Lead", count)
    if role == Responsibility.Role.SUPPORT:
        return npgettext("pdf role", "Support", "Support", count)
    if role == Responsibility.Role.TUTOR:
        return npgettext("pdf role", "Tutor", "Tutors", count)
    return npgettext("pdf role", "Responsible", "Responsible", count)


@dataclass
class ResponsibilityItem:
    parties: list[str]
    note: str


@dataclass
class ResponsibilityGroup:
    role: str
    heading: str
    items: list[ResponsibilityItem]
    show_heading: bool = True


def responsibility_groups(responsibilities) -> list[ResponsibilityGroup]:
    """Responsibilities grouped by role, in the order the roles first appear.

    Consecutive parties sharing one note (“enge Abstimmung zwischen KA und AfWiFö”) are one
    item. A lone “responsible” group needs no heading: the section title says it.
    """
    groups: dict[str, list[ResponsibilityItem]] = {}
    for resp in responsibilities:
        items = groups.setdefault(resp.role, [])
        party = party_name(resp)
        if items and resp.note and items[-1].note == resp.note:
            items[-1].parties.append(party)
        else:
            items.append(ResponsibilityItem([party], resp.note))
    result = [
        ResponsibilityGroup(role, role_heading(role, sum(len(i.parties) for i in items)), items)
        for role, items in groups.items()
    ]
    if len(result) == 1 and result[0].role == Responsibility.Role.RESPONSIBLE:
        result[0].show_heading = False
    return result


def _annotate_measure(measure):
    """Nest sub-steps and group responsibilities and budget lines for the templates."""
    steps = list(measure.steps.all())
    children: dict[int, list] = {}
    for step in steps:
        if step.parent_id:
            children.setdefault(step.parent_id, []).append(step)
    top = [s for s in steps if not s.parent_id]
    for step in top:
        step.children = children.get(step.pk, [])
    measure.top_steps = top

    measure.responsibility_groups = responsibility_groups(measure.responsibilities.all())
    leading = [
        g
        for g in measure.responsibility_groups
        if g.role in (Responsibility.Role.LEAD, Responsibility.Role.RESPONSIBLE)
    ] or measure.responsibility_groups[:1]
    measure.overview_parties = list(
        dict.fromkeys(party for g in leading for item in g.items for party in item.parties)
    )

    groups: dict[str, dict] = {}
    for line in measure.budget_lines.all():
        source = line.funding_source.name if line.funding_source_id else ""
        group = groups.setdefault(source, {"source": source, "lines": [], "detailed": False})
        group["lines"].append(line)
        if line.planned_amount is not None or line.actual_amount is not None or line.note:
            group["detailed"] = True
    measure.budget_groups = list(groups.values())


def organisation_label(org) -> str:
    """The name as the plan prints it: “Amt für Wirtschaftsförderung”, and for a unit of an
    outside body its parent too, “Kontaktstelle Kreativwirtschaft (Aufbauwerk)”.

    Units of a city administration need no parent: the whole plan is the city's. Short names
    are explained once, in the list of abbreviations.
    """
    parent = org.parent if org.parent_id else None
    if parent is not None and parent.kind != Organisation.Kind.CITY_ADMINISTRATION:
        return f"{org.name} ({parent.short_name or parent.name})"
    return org.name


def party_name(resp) -> str:
    """“Frau Milev / Dezernat Kultur”, a person alone or an organisation alone."""
    org = resp.organisation
    if resp.person_id:
        org = org or resp.person.organisation
        if org is not None:
            return f"{resp.person.formal_name} / {organisation_label(org)}"
        return resp.person.formal_name
    return organisation_label(org)


def document_author(plan) -> str:
    org = plan.author_organisation
    if org is None and plan.project_lead_id:
        org = plan.project_lead.organisation
    if org is None:
        return plan.region
    return org.display_name


def data_date(plan) -> date:
    stamp = plan.content_changed_at or plan.updated_at or timezone.now()
    return timezone.localtime(stamp).date()


# --- timeline -------------------------------------------------------------------------------


@dataclass
class TimelineRow:
    measure: Measure
    field: FieldOfAction
    entry: ScheduleEntry
    left: float
    width: float


@dataclass
class Timeline:
    years: list[int] = field(default_factory=list)
    rows: list[TimelineRow] = field(default_factory=list)
    undated: int = 0

    @property
    def ticks(self) -> list[float]:
        return [round(i * 100 / len(self.years), 3) for i in range(1, len(self.years))]


def build_timeline(plan) -> Timeline:
    """Dated schedule entries as bars on a year axis (undated ones are listed per measure)."""
    dated, undated = [], 0
    for fld in plan.fields.all():
        for measure in fld.measures.all():
            for entry in measure.schedule.all():
                if entry.is_dated:
                    dated.append((fld, measure, entry))
                else:
                    undated += 1
    if not dated:
        return Timeline(undated=undated)
    starts = [e.start_date or e.end_date for _, _, e in dated]
    ends = [e.end_date or e.start_date for _, _, e in dated]
    first, last = min(starts).year, max(ends).year
    span_start = date(first, 1, 1)
    total = (date(last + 1, 1, 1) - span_start).days
    rows = []
    for (fld, measure, entry), start, end in zip(dated, starts, ends, strict=True):
        left = (start - span_start).days / total * 100
        # A point in time still needs a visible mark.
        width = max((end - start).days / total * 100, 0.8)
        rows.append(
            TimelineRow(measure, fld, entry, round(left, 3), round(min(width, 100 - left), 3))
        )
    rows.sort(
        key=lambda r: (r.entry.start_date or r.entry.end_date, r.field.position, r.measure.position)
    )
    return Timeline(years=list(range(first, last + 1)), rows=rows, undated=undated)


# --- rendering ------------------------------------------------------------------------------


def _context(plan, *, draft: bool, language: str) -> dict:
    measures = [m for f in plan.fields.all() for m in f.measures.all()]
    return {
        "plan": plan,
        "fields": list(plan.fields.all()),
        "measure_count": len(measures),
        "draft": draft,
        "lang": language,
        "author": document_author(plan),
        "data_date": data_date(plan),
        "created": plan.created_at,
        "modified": plan.content_changed_at or plan.updated_at,
        "toc_with_measures": len(measures) <= TOC_MEASURE_LIMIT,
    }


TOC_MEASURE_LIMIT = 80


LONG_WORD = re.compile(r"[^\s<>&]{40,}")
TEXT_NODE = re.compile(r">([^<]+)<")


def _break_long_words(html: str) -> str:
    """Give words of 40+ characters a break opportunity every 30 characters (U+200B).

    A 5,000-character word from user text would otherwise make the line breaker try every
    hyphenation point of it, which takes minutes.
    """
    head, sep, body = html.partition("<body")

    def split_word(match):
        word = match.group(0)
        return "\u200b".join(word[i : i + 30] for i in range(0, len(word), 30))

    def text_node(match):
        return ">" + LONG_WORD.sub(split_word, match.group(1)) + "<"

    return head + sep + TEXT_NODE.sub(text_node, body)


def _write_pdf(html: str, *, variant: str, url_fetcher=None) -> bytes:
    fetcher = url_fetcher or StaticFilesURLFetcher()
    options = {"pdf_variant": variant} if variant else {}
    html = _break_long_words(html)
    return HTML(string=html, base_url=STATIC_ORIGIN, url_fetcher=fetcher).write_pdf(
        font_config=FontConfiguration(), **options
    )


def has_unpublished(plan, *, field=None, measure=None) -> bool:
    """Whether the document's scope holds anything anonymous visitors may not see."""
    if not plan.is_public:
        return True
    if measure is not None:
        return measure.state != Measure.State.PUBLISHED
    scope = (
        Measure.objects.filter(field=field) if field else Measure.objects.filter(field__plan=plan)
    )
    return scope.exclude(pk__in=Measure.objects.published()).exists()


def _defaults(plan, draft, language, *, field=None, measure=None):
    """``draft`` (internal: drafts included and marked) defaults to “scope holds drafts”."""
    if draft is None:
        draft = has_unpublished(plan, field=field, measure=measure)
    return draft, language or plan.language or settings.LANGUAGE_CODE


def document_html(plan, *, field=None, measure=None, draft=None, language=None) -> str:
    """The HTML WeasyPrint lays out: the whole plan, one field, or one measure.

    A draft document shows every measure of the plan and is marked on every page; otherwise
    only what anonymous visitors may see is printed.
    """
    draft, language = _defaults(plan, draft, language, field=field, measure=measure)
    with translation.override(language):
        full = load_plan(
            plan.pk,
            field_pk=field.pk if field is not None else None,
            measure_pk=measure.pk if measure is not None else None,
            internal=draft,
        )
        context = _context(full, draft=draft, language=language)
        if measure is not None:
            context["field"] = context["fields"][0]
            context["measure"] = context["field"].measures.all()[0]
            context["doc_title"] = f"{context['measure'].title} – {full.title}"
            template = "pdf/measure.html"
        elif field is not None:
            context["field"] = context["fields"][0]
            context["doc_title"] = f"{context['field'].title} – {full.title}"
            template = "pdf/field.html"
        else:
            context["timeline"] = build_timeline(full)
            context["doc_title"] = str(full)
            template = "pdf/plan.html"
        return render_to_string(template, context)


def _check_variant(variant):
    if variant not in VARIANTS:
        raise ValueError(f"Unknown PDF variant {variant!r}")


def render_plan_pdf(
    plan, *, draft=None, language=None, variant=DEFAULT_VARIANT, url_fetcher=None
) -> bytes:
    """The whole plan as an A4 document: cover, contents, overview, fields, timeline."""
    _check_variant(variant)
    html = document_html(plan, draft=draft, language=language)
    return _write_pdf(html, variant=variant, url_fetcher=url_fetcher)


def render_field_pdf(
    field_of_action, *, draft=None, language=None, variant=DEFAULT_VARIANT, url_fetcher=None
) -> bytes:
    """One field of action with all its measures."""
    _check_variant(variant)
    html = document_html(
        field_of_action.plan, field=field_of_action, draft=draft, language=language
    )
    return _write_pdf(html, variant=variant, url_fetcher=url_fetcher)


def render_measure_pdf(
    measure, *, draft=None, language=None, variant=DEFAULT_VARIANT, url_fetcher=None
) -> bytes:
    """One measure on one or two pages, with the field's target state for context."""
    _check_variant(variant)
    field = measure.field
    html = document_html(field.plan, field=field, measure=measure, draft=draft, language=language)
    return _write_pdf(html, variant=variant, url_fetcher=url_fetcher)


# --- cache ----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def layout_fingerprint() -> str:
    """Hash of the PDF templates and styles, so a deploy with a new layout misses the cache."""
    digest = hashlib.sha256()
    roots = [
        Path(settings.BASE_DIR) / "templates" / "pdf",
        Path(settings.BASE_DIR) / "static" / "pdf",
    ]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.suffix in {".html", ".css", ".svg"}:
                digest.update(path.relative_to(settings.BASE_DIR).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class PdfRequest:
    """What to render: a plan, or one of its fields or measures, and how."""

    plan: Plan
    field: FieldOfAction | None = None
    measure: Measure | None = None
    draft: bool = False
    language: str = "de"
    variant: str = DEFAULT_VARIANT

    @classmethod
    def build(
        cls,
        plan,
        *,
        field=None,
        measure=None,
        language=None,
        variant=DEFAULT_VARIANT,
        internal=True,
    ):
        """``internal``: the reader may see the plan's drafts (``access.rules``); only then
        does the document hold them (and is marked as a draft)."""
        draft, language = _defaults(
            plan, None if internal else False, language, field=field, measure=measure
        )
        return cls(plan, field, measure, draft, language, variant)

    @property
    def kind(self) -> str:
        return KIND_MEASURE if self.measure else KIND_FIELD if self.field else KIND_PLAN

    @property
    def target(self):
        return self.measure or self.field or self.plan

    @property
    def cache_key(self) -> str:
        stamp = self.plan.content_changed_at or self.plan.updated_at
        raw = ":".join(
            [
                self.kind,
                str(self.target.pk),
                f"plan{self.plan.pk}",
                stamp.isoformat() if stamp else "-",
                self.language,
                "draft" if self.draft else "final",
                self.variant or "plain",
                layout_fingerprint(),
            ]
        )
        return "planwerk:pdf:" + hashlib.sha256(raw.encode()).hexdigest()

    @property
    def filename(self) -> str:
        parts = [self.plan.slug]
        if self.field:
            parts.append(self.field.slug)
        if self.measure:
            parts.append(self.measure.slug)
        if self.draft:
            parts.append("entwurf")
        return "-".join(parts) + ".pdf"

    def measure_count(self) -> int:
        if self.measure:
            return 1
        measures = Measure.objects.all() if self.draft else Measure.objects.published()
        if self.field:
            return measures.filter(field=self.field).count()
        return measures.filter(field__plan=self.plan).count()

    def render(self) -> bytes:
        options = {"draft": self.draft, "language": self.language, "variant": self.variant}
        if self.measure:
            return render_measure_pdf(self.measure, **options)
        if self.field:
            return render_field_pdf(self.field, **options)
        return render_plan_pdf(self.plan, **options)


def cached_pdf(request: PdfRequest) -> bytes | None:
    return cache.get(request.cache_key)


def get_or_render_pdf(request: PdfRequest) -> bytes:
    """The document from the cache, or rendered once and stored (keyed by the data's state)."""
    data = cache.get(request.cache_key)
    if data is None:
        data = request.render()
        timeout = getattr(settings, "PLANWERK_PDF_CACHE_TIMEOUT", DEFAULT_TIMEOUT)
        cache.set(request.cache_key, data, timeout=timeout)
    return data
