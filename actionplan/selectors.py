"""Read-side queries for the public pages.

Every function returns a queryset (or objects) with its joins and prefetches built in, so that the
number of queries a page makes does not grow with the size of the plan.
"""

import datetime
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from access import rules
from contacts.models import Organisation, Person

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
    TargetGroup,
)
from .schedule import parse_schedule


def plans_for_index(user) -> QuerySet[Plan]:
    """Plans the user may see, with their number of fields and of measures the user may see."""
    visible = Measure.objects.visible_to(user).filter(field__plan=OuterRef("pk"))
    return (
        Plan.objects.visible_to(user)
        .select_related("author_organisation")
        .annotate(
            field_count=Count("fields", distinct=True),
            measure_count=Coalesce(
                Subquery(
                    visible.order_by().values("field__plan").annotate(n=Count("pk")).values("n")
                ),
                0,
            ),
        )
    )


# The home page names this many campaigns and links to the rest.
HOME_CAMPAIGNS = 6


@dataclass(frozen=True)
class StatusShare:
    """How many of a plan's measures have one status, for the home page's progress bar."""

    status: str
    label: str
    count: int
    start: float  # percent of the bar before this part
    share: float  # percent of the measures


def plans_for_home(user) -> list[Plan]:
    """The plans the user may see, each with ``period`` (start, end) and ``period_label`` as
    the progress page reads it, ``statuses`` (``StatusShare`` of the visible measures, in status
    order, empty ones left out) and ``as_of`` (the latest status report, else the plan's issue
    date, else the day its content last changed). Two queries, whatever the number of plans."""
    visible = Measure.objects.visible_to(user)
    # The correlation belongs to the schedule entries' query: an OuterRef inside ``visible``
    # would refer to the entries' own id (one level out), not to the plan.
    dates = ScheduleEntry.objects.filter(measure__in=visible, measure__field__plan=OuterRef("pk"))
    plans = list(
        plans_for_index(user).annotate(
            span_start=Subquery(
                dates.order_by()
                .values("measure__field__plan")
                .annotate(d=Min(Coalesce("start_date", "end_date")))
                .values("d")
            ),
            span_end=Subquery(
                dates.order_by()
                .values("measure__field__plan")
                .annotate(d=Max(Coalesce("end_date", "start_date")))
                .values("d")
            ),
        )
    )
    rows = (
        visible.filter(field__plan__in=[plan.pk for plan in plans])
        .order_by()
        .values_list("field__plan_id", "status")
        .annotate(n=Count("pk"), reported=Max("status_reported_at"))
    )
    counts: dict[int, dict[str, int]] = {}
    reports: dict[int, list] = {}
    for plan_id, status, n, reported in rows:
        counts.setdefault(plan_id, {})[status] = n
        if reported is not None:
            reports.setdefault(plan_id, []).append(reported)
    for plan in plans:
        plan.period = _period(plan)
        of_plan = counts.get(plan.pk, {})
        total, start, plan.statuses = sum(of_plan.values()), 0.0, []
        for value, label in Measure.Status.choices:
            if of_plan.get(value):
                share = of_plan[value] * 100 / total
                plan.statuses.append(StatusShare(value, label, of_plan[value], start, share))
                start += share
        content_day = (
            timezone.localdate(plan.content_changed_at) if plan.content_changed_at else None
        )
        plan.as_of = max(reports.get(plan.pk, []), default=None) or plan.issued_on or content_day
    return plans


def _period(plan: Plan) -> tuple[datetime.date | None, datetime.date | None]:
    """The plan's term as ``progress.selectors.plan_period`` reads it, from the annotated span
    rather than a query of its own."""
    if plan.period_label:
        parsed = parse_schedule(plan.period_label)
        if parsed.is_dated:
            return parsed.start, parsed.end
    return plan.span_start, plan.span_end


def campaigns_for_home(user) -> list:
    """The newest campaigns the user may see, at most ``HOME_CAMPAIGNS``: one query."""
    from campaigns.models import Campaign

    return list(
        rules.visible_campaigns(user, Campaign.objects.all()).order_by(
            F("start_date").desc(nulls_last=True), "title", "pk"
        )[:HOME_CAMPAIGNS]
    )


def plans_for_detail(user) -> QuerySet[Plan]:
    """Plans the user may see, with the project lead and publisher joined."""
    return Plan.objects.visible_to(user).select_related(
        "author_organisation",
        "project_lead__organisation__parent",
    )


def _contacts_prefetch() -> Prefetch:
    return Prefetch(
        "field_contacts",
        queryset=FieldContact.objects.select_related("person__organisation__parent").order_by(
            "position", "pk"
        ),
    )


def _responsibilities_prefetch() -> Prefetch:
    return Prefetch(
        "responsibilities",
        queryset=Responsibility.objects.select_related("organisation__parent", "person").order_by(
            "position", "pk"
        ),
    )


def audience(user, plan: Plan) -> str:
    """Whose view of the plan a page shows: ``"all"`` (drafts included) or ``"public"``.

    Shared fragments (the overview table, the timeline) are cached per audience.
    """
    return "all" if rules.sees_unpublished(user, plan) else "public"


def visible_measure_count(plan: Plan, user) -> int:
    return Measure.objects.visible_to(user).filter(field__plan=plan).count()


def fields_for_plan_page(plan: Plan) -> QuerySet[FieldOfAction]:
    """Fields of a plan with their lead and contacts: the plan page shows each field as a
    section with its target state."""
    return (
        plan.fields.select_related("lead_organisation__parent")
        .prefetch_related(_contacts_prefetch())
        .order_by("position", "pk")
    )


# What the overview table shows of a measure.
OVERVIEW_COLUMNS = (
    "id",
    "field_id",
    "code",
    "title",
    "title_en",
    "slug",
    "status",
    "status_reported_at",
)


def overview_measures(plan: Plan, user) -> dict[int, list[dict]]:
    """The measures of the plan's overview table by field id, in plan order: dicts of
    ``OVERVIEW_COLUMNS``, the schedule span (``_span_annotations``) and ``responsibilities``.

    Two queries whatever the size of the plan, and no model instance per measure: on a plan
    of 1,000 measures, instances and prefetching cost more than the rest of the page
    (docs/benchmarks.md).
    """
    measures = Measure.objects.visible_to(user).filter(field__plan=plan)
    rows = (
        measures.annotate(**_span_annotations())
        .order_by("position", "pk")
        .values(*OVERVIEW_COLUMNS, *SPAN_COLUMNS)
    )
    responsibilities = _overview_responsibilities(measures)
    by_field: dict[int, list[dict]] = {}
    for row in rows:
        row["responsibilities"] = responsibilities.get(row["id"], [])
        by_field.setdefault(row["field_id"], []).append(row)
    return by_field


class OverviewResponsibility(NamedTuple):
    """What the overview table needs of a responsibility: its role and whom it names."""

    role: str
    organisation_id: int | None
    organisation: Organisation | None
    person_id: int | None
    person: Person | None


def _overview_responsibilities(measures: QuerySet[Measure]) -> dict[int, list]:
    """The responsibilities of ``measures`` by measure id, in order, with their organisation
    (and its parent) and person loaded as ``select_related`` would load them — in the same one
    query, but with one instance per organisation and person rather than three per row: a plan
    of 1,000 measures names a few dozen parties (docs/benchmarks.md)."""
    queryset = Responsibility.objects.filter(measure__in=measures).order_by("position", "pk")
    org_columns = [f.attname for f in Organisation._meta.concrete_fields]
    person_columns = [f.attname for f in Person._meta.concrete_fields]
    org_pk = org_columns.index(Organisation._meta.pk.attname)
    person_pk = person_columns.index(Person._meta.pk.attname)
    n = len(org_columns)
    rows = queryset.values_list(
        "measure_id",
        "role",
        *(f"organisation__{column}" for column in org_columns),
        *(f"organisation__parent__{column}" for column in org_columns),
        *(f"person__{column}" for column in person_columns),
    )
    organisations, parents, persons = {}, {}, {}
    by_measure: dict[int, list] = {}
    for measure_id, role, *values in rows:
        organisation_id, person_id = values[org_pk], values[2 * n + person_pk]
        organisation = organisations.get(organisation_id)
        if organisation is None and organisation_id is not None:
            organisation = Organisation.from_db(queryset.db, org_columns, values[:n])
            parent_id = values[n + org_pk]
            if parent_id is not None and parent_id not in parents:
                parents[parent_id] = Organisation.from_db(
                    queryset.db, org_columns, values[n : 2 * n]
                )
            Organisation.parent.field.set_cached_value(organisation, parents.get(parent_id))
            organisations[organisation_id] = organisation
        person = persons.get(person_id)
        if person is None and person_id is not None:
            person = persons[person_id] = Person.from_db(
                queryset.db, person_columns, values[2 * n :]
            )
        by_measure.setdefault(measure_id, []).append(
            OverviewResponsibility(role, organisation_id, organisation, person_id, person)
        )
    return by_measure


def field_for_page(plan: Plan, field_slug: str, user) -> QuerySet[FieldOfAction]:
    """The field of a plan with baseline, contacts and the measures the user may see."""
    measures = (
        Measure.objects.visible_to(user)
        .annotate(**_span_annotations())
        .order_by("position", "pk")
        .prefetch_related(_responsibilities_prefetch())
    )
    return (
        plan.fields.filter(slug=field_slug)
        .select_related("lead_organisation__parent")
        .prefetch_related(
            Prefetch("baseline_findings", queryset=BaselineFinding.objects.order_by("position")),
            _contacts_prefetch(),
            Prefetch("measures", queryset=measures),
        )
    )


def measure_for_page(plan: Plan, field_slug: str, measure_slug: str, user) -> QuerySet[Measure]:
    """One measure with everything its page shows; related measures and the campaigns that
    serve it limited to visible ones."""
    from campaigns.selectors import campaigns_for_measure

    visible_related = (
        Measure.objects.visible_to(user)
        .select_related("field__plan")
        .order_by("field__plan__title", "field__position", "position")
    )
    return (
        Measure.objects.visible_to(user)
        .filter(field__plan=plan, field__slug=field_slug, slug=measure_slug)
        .select_related("field__plan", "field__lead_organisation")
        .prefetch_related(
            Prefetch(
                "steps",
                queryset=Step.objects.filter(parent__isnull=True)
                .order_by("position", "pk")
                .prefetch_related(
                    Prefetch("substeps", queryset=Step.objects.order_by("position", "pk"))
                ),
                to_attr="top_steps",
            ),
            Prefetch("target_groups", queryset=TargetGroup.objects.order_by("position", "name")),
            Prefetch("schedule", queryset=ScheduleEntry.objects.order_by("position", "pk")),
            _responsibilities_prefetch(),
            Prefetch(
                "budget_lines",
                queryset=BudgetLine.objects.select_related(
                    "category", "funding_source", "programme"
                ).order_by("position", "pk"),
            ),
            Prefetch("related_measures", queryset=visible_related, to_attr="visible_related_to"),
            Prefetch("related_from", queryset=visible_related, to_attr="visible_related_from"),
            campaigns_for_measure(user),
        )
    )


def measure_neighbours(measure: Measure, user) -> tuple[Measure | None, Measure | None]:
    """The measures before and after ``measure`` in its plan (by field, then measure order)
    among those the user may see: two queries, whatever the size of the plan."""
    visible = (
        Measure.objects.visible_to(user)
        .filter(field__plan_id=measure.field.plan_id)
        .select_related("field__plan")
    )
    field_position, position = measure.field.position, measure.position
    before = (
        Q(field__position__lt=field_position)
        | Q(field__position=field_position, position__lt=position)
        | Q(field__position=field_position, position=position, pk__lt=measure.pk)
    )
    after = (
        Q(field__position__gt=field_position)
        | Q(field__position=field_position, position__gt=position)
        | Q(field__position=field_position, position=position, pk__gt=measure.pk)
    )
    previous = visible.filter(before).order_by("-field__position", "-position", "-pk").first()
    following = visible.filter(after).order_by("field__position", "position", "pk").first()
    return previous, following


def fields_for_timeline(plan: Plan, user) -> QuerySet[FieldOfAction]:
    """Fields with the measures the user may see and their schedule entries, in plan order."""
    measures = (
        Measure.objects.visible_to(user)
        .order_by("position", "pk")
        .prefetch_related(
            Prefetch("schedule", queryset=ScheduleEntry.objects.order_by("position", "pk"))
        )
    )
    return plan.fields.prefetch_related(Prefetch("measures", queryset=measures)).order_by(
        "position", "pk"
    )


SPAN_COLUMNS = ("span_start", "span_end", "span_open_end", "span_start_count", "dated_count")


def _span_annotations() -> dict:
    """Earliest and latest date over a measure's dated schedule entries."""
    dated = Q(schedule__start_date__isnull=False) | Q(schedule__end_date__isnull=False)
    return {
        "span_start": Min(Coalesce("schedule__start_date", "schedule__end_date")),
        "span_end": Max(Coalesce("schedule__end_date", "schedule__start_date")),
        "span_open_end": Count(
            "schedule",
            filter=Q(schedule__start_date__isnull=False, schedule__end_date__isnull=True),
        ),
        "span_start_count": Count("schedule", filter=Q(schedule__start_date__isnull=False)),
        "dated_count": Count("schedule", filter=dated),
    }


# --- measure list: filters and search ---------------------------------------------------------


@dataclass(frozen=True)
class MeasureFilter:
    """Validated filter values for the measure list; None means “not filtered”."""

    field: FieldOfAction | None = None
    target_group: TargetGroup | None = None
    organisation: Organisation | None = None
    role: str | None = None
    status: str | None = None
    year: int | None = None
    query: str = ""

    @property
    def is_active(self) -> bool:
        return any(
            value not in (None, "")
            for value in (
                self.field,
                self.target_group,
                self.organisation,
                self.role,
                self.status,
                self.year,
                self.query,
            )
        )


def measures_for_list(plan: Plan, flt: MeasureFilter, user) -> QuerySet[Measure]:
    """Measures of a plan the user may see, matching every given filter, in plan order."""
    qs = (
        Measure.objects.visible_to(user)
        .filter(field__plan=plan)
        .select_related("field__plan")
        .prefetch_related(
            Prefetch("target_groups", queryset=TargetGroup.objects.order_by("position", "name"))
        )
        .order_by("field__position", "position", "pk")
    )
    return filter_measures(qs, flt)


def filter_measures(qs: QuerySet[Measure], flt: MeasureFilter) -> QuerySet[Measure]:
    """Measures of ``qs`` matching every given filter (the measure list's and the API's)."""
    if flt.field is not None:
        qs = qs.filter(field=flt.field)
    if flt.target_group is not None:
        qs = qs.filter(
            Exists(
                Measure.target_groups.through.objects.filter(
                    measure_id=OuterRef("pk"), targetgroup_id=flt.target_group.pk
                )
            )
        )
    if flt.organisation is not None or flt.role:
        resp = Responsibility.objects.filter(measure_id=OuterRef("pk"))
        if flt.organisation is not None:
            resp = resp.filter(
                Q(organisation=flt.organisation) | Q(person__organisation=flt.organisation)
            )
        if flt.role:
            resp = resp.filter(role=flt.role)
        qs = qs.filter(Exists(resp))
    if flt.status:
        qs = qs.filter(status=flt.status)
    if flt.year is not None:
        first, last = datetime.date(flt.year, 1, 1), datetime.date(flt.year, 12, 31)
        entries = ScheduleEntry.objects.filter(measure_id=OuterRef("pk")).filter(
            Q(start_date__isnull=False) | Q(end_date__isnull=False),
            Q(start_date__isnull=True) | Q(start_date__lte=last),
            Q(end_date__isnull=True) | Q(end_date__gte=first),
        )
        qs = qs.filter(Exists(entries))
    for word in flt.query.split():
        qs = qs.filter(_search_condition(word))
    return qs


def _search_condition(word: str) -> Q:
    """A measure matches a word in its title, description, steps or its field's baseline.

    Plain ``icontains`` with EXISTS subqueries works the same on SQLite and PostgreSQL and
    needs no duplicate removal; on SQLite the case folding covers ASCII letters only.
    """
    return (
        Q(title__icontains=word)
        | Q(code__iexact=word)
        | Q(description__icontains=word)
        | Exists(Step.objects.filter(measure_id=OuterRef("pk"), text__icontains=word))
        | Exists(
            BaselineFinding.objects.filter(field_id=OuterRef("field_id"), text__icontains=word)
        )
    )


def filter_choices(plan: Plan, user) -> dict:
    """Querysets for the filter form, limited to what occurs in the measures the user sees."""
    measures = Measure.objects.visible_to(user).filter(field__plan=plan)
    return {
        "fields": plan.fields.order_by("position", "pk"),
        "target_groups": TargetGroup.objects.filter(measures__in=measures)
        .distinct()
        .order_by("position", "name"),
        "organisations": Organisation.objects.filter(
            Q(responsibilities__measure__in=measures)
            | Q(people__responsibilities__measure__in=measures)
        )
        .distinct()
        .order_by("name"),
    }


def schedule_years(plan: Plan, user) -> list[int]:
    """Every year touched by a dated schedule entry of a measure the user sees."""
    measures = Measure.objects.visible_to(user).filter(field__plan=plan)
    bounds = ScheduleEntry.objects.filter(measure__in=measures).aggregate(
        first=Min(Coalesce("start_date", "end_date")),
        last=Max(Coalesce("end_date", "start_date")),
    )
    if bounds["first"] is None:
        return []
    return list(range(bounds["first"].year, bounds["last"].year + 1))


# --- quality check before publishing (coordinators) ------------------------------------------

#: Progress statuses in which a schedule date already past is a finding.
UNDONE_STATUSES = (Measure.Status.PLANNED, Measure.Status.IN_PROGRESS)


@dataclass
class QualityKind:
    key: str
    title: str
    measures: list

    @property
    def count(self) -> int:
        return len(self.measures)


@dataclass
class QualityReport:
    """What a coordinator should look at before publishing a plan; it never blocks."""

    plan: Plan
    kinds: list[QualityKind]

    @property
    def counts(self) -> dict[str, int]:
        return {kind.key: kind.count for kind in self.kinds}

    @property
    def measure_count(self) -> int:
        """Measures with at least one finding."""
        return len({m.pk for kind in self.kinds for m in kind.measures})


def _quality_kinds() -> list[tuple[str, str]]:
    return [
        ("without_lead", _("without lead")),
        ("without_dates", _("without dated schedule")),
        ("without_budget", _("without budget line")),
        ("past_due", _("schedule date past, still planned or in progress")),
    ]


def is_overdue(due: datetime.date | None, status: str, today: datetime.date) -> bool:
    """A schedule date (its end, or its start where it has no end) before ``today`` while the
    measure is still planned or in progress: the quality check's “past due”, for rows and
    plan documents alike."""
    return due is not None and due < today and status in UNDONE_STATUSES


def measure_quality_kinds(
    *, has_lead: bool, first_due: datetime.date | None, has_budget: bool, status: str, today
) -> list[str]:
    """The findings of one measure, from its facts: the one rule behind ``quality_reports``
    (database rows) and ``document_quality_counts`` (a plan document)."""
    found = []
    if not has_lead:
        found.append("without_lead")
    if first_due is None:
        found.append("without_dates")
    if not has_budget:
        found.append("without_budget")
    if is_overdue(first_due, status, today):
        found.append("past_due")
    return found


def schedule_due(start: datetime.date | None, end: datetime.date | None) -> datetime.date | None:
    """The day a schedule entry is due: its end, or its start where it has no end."""
    return end if end is not None else start


def quality_reports(plans, *, today: datetime.date | None = None) -> list[QualityReport]:
    """Per plan (in the order given): measures without lead responsibility, without a dated
    schedule entry, without a budget line, or with a schedule date (its end, or its start
    where it has no end) before ``today`` while still planned or in progress
    (``measure_quality_kinds``). Archived measures are left out. One query, whatever the
    number of plans and measures; the caller decides which plans the user may check
    (``rules.coordinates``)."""
    today = today or timezone.localdate()
    plans = list(plans)
    reports = {plan.pk: QualityReport(plan, []) for plan in plans}
    keys = [key for key, _title in _quality_kinds()]
    found: dict[int, dict[str, list]] = {pk: {key: [] for key in keys} for pk in reports}
    if reports:
        # the earliest due day: past due is about the earliest, undated means none at all
        first_due = (
            ScheduleEntry.objects.filter(measure=OuterRef("pk"))
            .annotate(due=Coalesce("end_date", "start_date"))
            .filter(due__isnull=False)
            .order_by("due")
            .values("due")[:1]
        )
        qs = (
            Measure.objects.filter(field__plan__in=list(reports))
            .exclude(state=Measure.State.ARCHIVED)
            .annotate(
                has_lead=Exists(
                    Responsibility.objects.filter(
                        measure=OuterRef("pk"), role=Responsibility.Role.LEAD
                    )
                ),
                first_due=Subquery(first_due),
                has_budget=Exists(BudgetLine.objects.filter(measure=OuterRef("pk"))),
            )
            .select_related("field")
            .order_by("field__position", "position", "pk")
        )
        for measure in qs:
            entry = found[measure.field.plan_id]
            for key in measure_quality_kinds(
                has_lead=measure.has_lead,
                first_due=measure.first_due,
                has_budget=measure.has_budget,
                status=measure.status,
                today=today,
            ):
                entry[key].append(measure)
    for pk, report in reports.items():
        report.kinds = [QualityKind(k, t, found[pk][k]) for k, t in _quality_kinds()]
    return list(reports.values())


def document_measure_facts(measure: dict) -> dict:
    """``measure_quality_kinds``' facts of a measure of a plan document (``actionplan.export``):
    the document holds schedule labels, read as the importer reads them (``parse_schedule``)."""
    dues = [
        due
        for label in measure.get("schedule", [])
        if (parsed := parse_schedule(label if isinstance(label, str) else label.get("label")))
        and (due := schedule_due(parsed.start, parsed.end)) is not None
    ]
    return {
        "has_lead": any(
            r.get("role") == Responsibility.Role.LEAD for r in measure.get("responsibilities", [])
        ),
        "first_due": min(dues, default=None),
        "has_budget": bool(measure.get("budget")),
        "status": measure.get("status", ""),
    }


def document_quality_counts(document: dict, *, today: datetime.date) -> dict[str, int]:
    """``quality_counts`` of a plan document (a version's snapshot, or the plan now)."""
    counts = {key: 0 for key, _title in _quality_kinds()}
    for fld in document["plan"].get("fields", []):
        for measure in fld.get("measures", []):
            if measure.get("state") == Measure.State.ARCHIVED:
                continue
            for key in measure_quality_kinds(**document_measure_facts(measure), today=today):
                counts[key] += 1
    return counts


def quality_titles() -> dict[str, str]:
    """The finding kinds' titles, in the order of the check."""
    return dict(_quality_kinds())


def quality_findings(plan: Plan, *, today: datetime.date | None = None) -> QualityReport:
    """The quality check of one plan (``quality_reports``); one query."""
    return quality_reports([plan], today=today)[0]


def quality_counts(plan: Plan, *, today: datetime.date | None = None) -> dict[str, int]:
    """Number of measures per finding, for the status report."""
    return quality_findings(plan, today=today).counts
