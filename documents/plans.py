"""The plan's documents: the whole plan, one field of action, one measure.

What they print (``load_plan``: public documents hold only public measures) and how the
templates get it; ``documents.kinds`` registers them as the kinds ``plan``, ``field`` and
``measure``.
"""

import math
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Prefetch, Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import npgettext, pgettext

from access import rules
from actionplan.models import (
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
from actionplan.timeline import PlanTimeline, plan_timeline
from contacts.models import Organisation
from indicators.selectors import document_indicators
from translations import selectors as translated

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
    return prepare(plan, whole_plan=field_pk is None, measure_only=measure_pk is not None)


def prepare(plan, *, whole_plan: bool = True, measure_only: bool = False):
    """Labels, contact cards, nested steps and the list of abbreviations the templates print,
    on a loaded plan (``load_plan``) or on a stored version's objects (``version_context``)."""
    # Organisations the document prints, for its list of abbreviations: a field document
    # has no contacts page, a measure document not the field's lead either.
    named: list = []
    for fld in plan.fields.all():
        lead = organisation_label(fld.lead_organisation) if fld.lead_organisation_id else ""
        fld.lead_label = ", ".join(part for part in (lead, fld.lead_note) if part)
        fld.lead_organisation_label = lead  # the templates add the note in the reader's language
        people = [fc.person for fc in fld.field_contacts.all()]
        fld.contact_card = contact_card(people, heading=fld)
        if not measure_only:
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
    heading: object  # the field of action (None for the project lead)
    org_lines: list[str]
    names: list[str]
    phones: list[str]
    emails: list[str]


def contact_card(people, *, heading=None) -> ContactCard | None:
    """Contact block as the plan prints it; phone and e-mail only with the person's consent
    (``public_phone``/``public_email`` fall back to the organisation's). ``heading``: the field
    of action the block belongs to (its title in the reader's language)."""
    if not people:
        return None
    org_lines: list[str] = []
    for person in people:
        org = person.organisation
        if org is None:
            continue
        for unit in ([org.parent] if org.parent_id else []) + [org]:
            line = translated.text(unit, "name")  # the English name where one is given
            if line not in org_lines:
                org_lines.append(line)

    def unique(values):
        return list(dict.fromkeys(v for v in values if v))

    return ContactCard(
        heading=heading,
        org_lines=org_lines,
        names=[p.public_name for p in people],
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
    source: object = None  # the first responsibility: its note in the reader's language


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
            items.append(ResponsibilityItem([party], resp.note, resp))
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
        group = groups.setdefault(
            source,
            {
                "source": source,
                "funding_source": line.funding_source,
                "lines": [],
                "detailed": False,
            },
        )
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
    name = translated.text(org, "name")  # the English name where one is given
    parent = org.parent if org.parent_id else None
    if parent is not None and parent.kind != Organisation.Kind.CITY_ADMINISTRATION:
        return f"{name} ({parent.short_name or translated.text(parent, 'name')})"
    return name


def party_name(resp) -> str:
    """“Frau Milev / Dezernat Kultur”, a person alone or an organisation alone."""
    org = resp.organisation
    if resp.person_id:
        org = org or resp.person.organisation
        if org is not None:
            if not (resp.person.is_public or resp.person.function):
                return organisation_label(org)  # no consent: the organisation stands for them
            return f"{resp.person.public_name} / {organisation_label(org)}"
        return resp.person.public_name
    return organisation_label(org)


def document_author(plan) -> str:
    org = plan.author_organisation
    if org is None and plan.project_lead_id:
        org = plan.project_lead.organisation
    if org is None:
        return plan.region
    names = [translated.text(unit, "name") for unit in (org.parent, org) if unit is not None]
    return ", ".join(names)  # as Organisation.display_name, in the reader's language


def data_date(plan) -> date:
    stamp = plan.content_changed_at or plan.updated_at or timezone.now()
    return timezone.localtime(stamp).date()


# --- languages ------------------------------------------------------------------------------


def reader_language(language: str | None = None) -> str:
    """The language a document speaks around its content: the reader's, which the views
    pass (``translation.get_language()``: ``/en/…`` → ``en``), as one of ``LANGUAGES``;
    without one the site's (``LANGUAGE_CODE``), whatever language is active."""
    code = language or settings.LANGUAGE_CODE
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return settings.LANGUAGE_CODE


def language_context(content_language: str | None, language: str) -> dict:
    """What the templates need to keep the content's language apart from the reader's:
    ``content_lang``, ``content_attr`` (`` lang="de"`` on content elements of an English
    document, for screen readers and German hyphenation; empty when both agree), and
    ``generated``, the day the document is made (“Erstellt am …” on the title page)."""
    content = content_language or settings.LANGUAGE_CODE
    differs = content.split("-")[0] != language.split("-")[0]
    return {
        "content_lang": content,
        "content_attr": format_html(' lang="{}"', content) if differs else "",
        "generated": timezone.localdate(),
    }


def data_state_text(day: date) -> str:
    """“Stand: 6. Dezember 2026” / “As of: 6 December 2026”: the running footer's text."""
    return pgettext("pdf", "As of: %(date)s") % {"date": date_format(day, "DATE_FORMAT")}


def issued_text(plan, *, reads_content_language: bool) -> tuple[str, bool]:
    """The plan's own date (“Mai 2011”) and whether it is content (in the plan's language).

    A reader of the plan's language gets the plan's own wording; another reader the parsed
    date in their language (“May 2011”) where there is one."""
    if plan.issued_on and (not reads_content_language or not plan.issued_label):
        return date_format(plan.issued_on, "YEAR_MONTH_FORMAT"), False
    return plan.issued_label, bool(plan.issued_label)


# --- timeline -------------------------------------------------------------------------------

#: Width of the timeline's track column (static/documents/pdf.css, ``.timeline``) and the
#: room a year's label needs on it.
TIMELINE_TRACK_MM = 62
TIMELINE_LABEL_MM = 7


@dataclass(frozen=True)
class YearMark:
    """A year on the timeline's axis: where it lies (percent) and its label, empty where the
    year is too narrow for one (the spare quarter of an open end, or years of a long axis
    where only every n-th is labelled)."""

    left: float
    width: float
    label: str


@dataclass
class DocumentTimeline(PlanTimeline):
    years: list[YearMark] = field(default_factory=list)


def year_marks(axis) -> list[YearMark]:
    label_share = TIMELINE_LABEL_MM / TIMELINE_TRACK_MM * 100
    whole = 1200 / axis.months  # share of a whole year
    step = max(1, math.ceil(label_share / whole))
    marks = []
    for tick in axis.years:
        if step == 1:
            shown = tick.width >= label_share
        else:
            shown = int(tick.label) % step == 0 and tick.width >= whole - 0.001
        marks.append(
            YearMark(round(tick.left, 3), round(tick.width, 3), tick.label if shown else "")
        )
    return marks


def build_timeline(plan) -> DocumentTimeline:
    """Dated schedule entries as bars on one axis, grouped by field of action and measure in
    plan order (``actionplan.timeline``, the layout of the web timeline: an entry without an
    end or a start runs to the edge of the axis, which has a spare quarter for it)."""
    timeline = plan_timeline(plan.fields.all())
    years = year_marks(timeline.axis) if timeline.axis else []
    return DocumentTimeline(**vars(timeline), years=years)


# --- context   ------------------------------------------------------------------------------


def _context(plan, *, draft: bool, language: str) -> dict:
    measures = [m for f in plan.fields.all() for m in f.measures.all()]
    languages = language_context(plan.language, language)
    issued, issued_is_content = issued_text(
        plan, reads_content_language=not languages["content_attr"]
    )
    return {
        **languages,
        "issued": issued,
        "issued_is_content": issued_is_content,
        "plan": plan,
        "fields": list(plan.fields.all()),
        "measure_count": len(measures),
        "draft": draft,
        "lang": language,
        "author": document_author(plan),
        "data_date": data_date(plan),
        "data_state": data_state_text(data_date(plan)),
        "created": plan.created_at,
        "modified": plan.content_changed_at or plan.updated_at,
        "toc_with_measures": len(measures) <= TOC_MEASURE_LIMIT,
    }


TOC_MEASURE_LIMIT = 80


def has_unpublished(plan, *, field=None, measure=None) -> bool:
    """Whether the document's scope holds anything anonymous visitors may not see."""
    if not rules.can_view(None, plan):
        return True
    if measure is not None:
        return not rules.can_view(None, measure)
    scope = (
        Measure.objects.filter(field=field) if field else Measure.objects.filter(field__plan=plan)
    )
    return scope.exclude(pk__in=Measure.objects.published()).exists()


def defaults(plan, draft, language, *, field=None, measure=None):
    """``draft`` (internal: drafts included and marked) defaults to “scope holds drafts”; the
    language to the reader's (``reader_language``), whatever the language of the content."""
    if draft is None:
        draft = has_unpublished(plan, field=field, measure=measure)
    return draft, reader_language(language)


def _loaded(request):
    return load_plan(
        request.plan.pk,
        field_pk=request.field.pk if request.field is not None else None,
        measure_pk=request.measure.pk if request.measure is not None else None,
        internal=request.draft,
    )


def plan_context(request) -> dict:
    """The whole plan: cover, contents, overview, fields, timeline."""
    full = _loaded(request)
    context = _context(full, draft=request.draft, language=request.language)
    context["timeline"] = build_timeline(full)
    context["doc_title"] = str(full)
    context["indicators"] = document_indicators(
        full, internal=request.draft, on=timezone.localdate()
    )
    if request.progress:
        from progress.dashboard import document_context

        context.update(document_context(full, internal=request.draft))
    return context


def field_context(request) -> dict:
    """One field of action with its measures."""
    full = _loaded(request)
    context = _context(full, draft=request.draft, language=request.language)
    context["field"] = context["fields"][0]
    context["doc_title"] = f"{context['field'].title} – {full.title}"
    return context


def measure_context(request) -> dict:
    """One measure, with the field's target state for context."""
    full = _loaded(request)
    context = _context(full, draft=request.draft, language=request.language)
    context["field"] = context["fields"][0]
    context["measure"] = context["field"].measures.all()[0]
    context["doc_title"] = f"{context['measure'].title} – {full.title}"
    return context


def version_context(request) -> dict:
    """A stored version of the plan, from its snapshot (not from today's rows); with
    ``request.changes`` the changes from the version to today's public state as an appendix."""
    from versions.changes import compare
    from versions.selectors import snapshot_of
    from versions.services import public_document

    version = request.version
    full = prepare(snapshot_of(version).plan)
    context = _context(full, draft=False, language=request.language)
    context["timeline"] = build_timeline(full)
    context["doc_title"] = f"{full} ({version.label})"
    context["version"] = version
    context["data_date"] = version.date
    context["data_state"] = data_state_text(version.date)
    context["created"] = context["modified"] = version.created_at
    if request.changes:
        context["report"] = compare(version.snapshot, public_document(request.plan))
    return context


def version_measure_count(request) -> int:
    from versions.selectors import snapshot_of

    return snapshot_of(request.version).measure_count()


def scope(obj) -> tuple[Plan, FieldOfAction | None, Measure | None]:
    """(plan, field, measure) of a plan, a field of action or a measure."""
    if isinstance(obj, Measure):
        return obj.field.plan, obj.field, obj
    if isinstance(obj, FieldOfAction):
        return obj.plan, obj, None
    return obj, None, None


def measure_count(request) -> int:
    """Measures the document prints: what decides between inline and background rendering."""
    if request.measure:
        return 1
    measures = Measure.objects.all() if request.draft else Measure.objects.published()
    if request.field:
        return measures.filter(field=request.field).count()
    return measures.filter(field__plan=request.plan).count()
