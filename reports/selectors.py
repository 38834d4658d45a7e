"""What a status report says, read from the plan documents stored with it.

One path for every source: a dated version's snapshot and the plan "now" are both plan
documents (``actionplan.export``), and ``report_content`` reads nothing else of the plan
(campaigns and report dates were stored with the report when it was generated). The PDF
(``reports.document``) and the Word document (``reports.word``) print the same content.
"""

import datetime
from dataclasses import dataclass, field

from django.utils.translation import get_language, gettext

from access import rules
from actionplan.models import Measure
from actionplan.schedule import parse_schedule
from actionplan.selectors import document_quality_counts, quality_titles
from progress.selectors import milestone_overdue
from versions.changes import ChangeReport, compare

from . import contract
from .models import StatusReport


@dataclass
class Milestone:
    label: str
    due: datetime.date


@dataclass
class MeasureRow:
    key: str
    code: str
    title: str
    status: str
    status_label: str
    state: str
    state_label: str
    reported_on: datetime.date
    reached: list[Milestone] = field(default_factory=list)
    missed: list[Milestone] = field(default_factory=list)
    campaigns: list[str] = field(default_factory=list)
    council_papers: list[dict] | None = None

    @property
    def heading(self) -> str:
        return f"{self.code} {self.title}".strip() if self.code else self.title


def _reader_text(spec: dict, key: str) -> str:
    """A title of the report's stored plan document in the reader's language (issue 21): its
    English sibling ``<key>_en`` where the document has one, else the German text, followed by
    “(in German)” for an English reader."""
    if (get_language() or "de")[:2] != "en":
        return spec[key]
    if (spec.get(f"{key}_en") or "").strip():
        return spec[f"{key}_en"]
    return f"{spec[key]} ({gettext('in German')})"


@dataclass
class FieldSection:
    slug: str
    title: str
    text: str
    measures: list[MeasureRow]


@dataclass
class Count:
    label: str
    count: int


@dataclass
class ReportContent:
    report: StatusReport
    internal: bool
    plan_title: str
    fields: list[FieldSection]
    by_status: list[Count]
    by_state: list[Count]
    measure_count: int
    reached_count: int
    missed_count: int
    quality: list[Count]
    previous: StatusReport | None
    changes: ChangeReport | None
    indicators: list[contract.IndicatorRow] | None
    budget: contract.BudgetSection
    council_papers: list[dict] | None

    @property
    def has_council_papers(self) -> bool:
        return bool(self.council_papers) or any(
            m.council_papers for f in self.fields for m in f.measures
        )


def report_document(report: StatusReport, *, internal: bool) -> dict:
    """The stored plan document the reader gets: all measures for members of the plan
    (``internal``, ``access.rules.sees_report_drafts``), the public one for everybody else."""
    return report.document if internal else report.public_document


def previous_report(report: StatusReport) -> StatusReport | None:
    """The plan's report before this one (by period end, then creation)."""
    return (
        StatusReport.objects.filter(plan_id=report.plan_id)
        .exclude(pk=report.pk)
        .filter(period_end__lte=report.period_end, created_at__lt=report.created_at)
        .order_by("-period_end", "-created_at")
        .first()
    )


def _milestones(spec: dict, *, on: datetime.date) -> tuple[list[Milestone], list[Milestone]]:
    """Milestones (schedule entries with an end, as the progress dashboard defines them) that
    ended by ``on``: reached when the measure is completed, missed when it is still open
    (``progress.selectors.milestone_overdue``); a cancelled measure's are neither."""
    reached, missed = [], []
    status = spec.get("status", "")
    for label in spec.get("schedule", []):
        label = label if isinstance(label, str) else label.get("label", "")
        end = parse_schedule(label).end
        if end is None or end > on:
            continue
        if status == Measure.Status.COMPLETED:
            reached.append(Milestone(label, end))
        elif milestone_overdue(end, status, on + datetime.timedelta(days=1)):
            missed.append(Milestone(label, end))
    return reached, missed


def _counts(values: list[str], choices) -> list[Count]:
    return [
        Count(str(label), values.count(value))
        for value, label in choices.choices
        if value in values
    ]


def report_content(report: StatusReport, *, internal: bool) -> ReportContent:
    """Everything the report prints, for a reader who sees the plan's drafts (``internal``)
    or not; reads the stored documents (this report's and the previous report's)."""
    document = report_document(report, internal=internal)
    plan = document["plan"]
    on = report.period_end
    extras = report.extras or {}
    reported = extras.get("reported_on", {})
    campaigns = extras.get("campaigns", {})
    texts = {t.field_slug: t.text for t in report.field_texts.all()}
    papers = contract.council_papers(document)
    fields, statuses, states = [], [], []
    reached_count = missed_count = 0
    for spec in plan.get("fields", []):
        rows = []
        for m in spec.get("measures", []):
            reached, missed = _milestones(m, on=on)
            reached_count += len(reached)
            missed_count += len(missed)
            statuses.append(m.get("status", ""))
            states.append(m.get("state", ""))
            day = reported.get(m["key"])
            rows.append(
                MeasureRow(
                    key=m["key"],
                    code=m.get("code", ""),
                    title=_reader_text(m, "title"),
                    status=m.get("status", ""),
                    status_label=str(Measure.Status(m["status"]).label) if m.get("status") else "",
                    state=m.get("state", ""),
                    state_label=str(Measure.State(m["state"]).label) if m.get("state") else "",
                    reported_on=datetime.date.fromisoformat(day) if day else report.source_date,
                    reached=reached,
                    missed=missed,
                    campaigns=campaigns.get(m["key"], []),
                    council_papers=None if papers is None else papers.get(m["key"], []),
                )
            )
        fields.append(
            FieldSection(
                spec["slug"], _reader_text(spec, "title"), texts.get(spec["slug"], ""), rows
            )
        )
    previous = previous_report(report)
    changes = None
    if previous is not None:
        changes = compare(report_document(previous, internal=internal), document)
    titles = quality_titles()
    quality = document_quality_counts(document, today=on + datetime.timedelta(days=1))
    return ReportContent(
        report=report,
        internal=internal,
        plan_title=_reader_text(plan, "title"),
        fields=fields,
        by_status=_counts(statuses, Measure.Status),
        by_state=_counts(states, Measure.State),
        measure_count=len(statuses),
        reached_count=reached_count,
        missed_count=missed_count,
        quality=[Count(titles[key], count) for key, count in quality.items()],
        previous=previous,
        changes=changes,
        indicators=contract.indicator_rows(document, on=on),
        budget=contract.budget_section(document),
        council_papers=None if papers is None else papers.get(None, []),
    )


def reports_for(user, plan):
    """The plan's reports this user may open (``access.rules.visible_status_reports``)."""
    return rules.visible_status_reports(user, StatusReport.objects.filter(plan=plan)).order_by(
        "-period_end", "-created_at"
    )
