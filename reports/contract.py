"""The report's sections on indicators, funding programmes and council papers, read from the
plan document keys agreed for issue 20 (``/work/notes/contract-20.md``):
``plan.indicators``, ``plan.funding_programmes`` with the budget lines' ``programme`` and
``co_funding_rate``, and ``council_papers`` on the plan and its measures.

Each function below reads one of these keys through the selector of the app that owns it
(``indicators.selectors.indicator_rows``, ``funding.selectors.budget_totals``,
``council.selectors.council_papers``) and maps its rows onto what the report prints, so the
report keeps one rule per figure. A document without a key (older than the app) gives an empty
section, which the report names plainly („Keine Indikatoren erfasst“).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _date(value) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


# --- indicators -------------------------------------------------------------------------------


@dataclass
class IndicatorRow:
    """One indicator as the report shows it; the figures come from
    ``indicators.selectors.indicator_rows`` (its one rule for latest value, next target,
    distance and whether the indicator is on track)."""

    name: str
    unit: str
    direction: str
    baseline: Decimal | None
    baseline_date: datetime.date | None
    latest: Decimal | None
    latest_date: datetime.date | None
    target: Decimal | None
    target_date: datetime.date | None
    distance: Decimal | None  # next target minus latest value
    on_track: bool | None
    is_example: bool = False
    links: list[str] = field(default_factory=list)


def indicator_rows(document: dict, *, on: datetime.date) -> list[IndicatorRow] | None:
    """Per indicator the baseline, the latest value on or before ``on``, the next target from
    ``on`` (else the last one), the distance and whether it is on track; ``None`` when the
    document has no indicators key (a document from before indicators existed)."""
    from indicators.selectors import indicator_rows as rows_of

    if document["plan"].get("indicators") is None:
        return None
    return [
        IndicatorRow(
            name=row.name,
            unit=row.unit,
            direction=row.direction,
            baseline=row.baseline.value if row.baseline else None,
            baseline_date=row.baseline.date if row.baseline else None,
            latest=row.latest.value if row.latest else None,
            latest_date=row.latest.date if row.latest else None,
            target=row.next_target.value if row.next_target else None,
            target_date=row.next_target.date if row.next_target else None,
            distance=row.distance,
            on_track=row.on_track,
            is_example=row.is_example,
            links=row.measure_keys or row.field_keys,
        )
        for row in rows_of(document, on=on)
    ]


# --- budget by programme --------------------------------------------------------------------


@dataclass
class BudgetSection:
    #: ``funding.selectors.TotalRow`` per programme; None: the document holds no funding
    #: programmes (a document from before they existed)
    by_programme: list | None
    total: object  # funding.selectors.TotalRow


def budget_section(document: dict) -> BudgetSection:
    """Planned, actual and own share by funding programme and the plan's total, added up by
    ``funding.selectors.budget_totals`` (the one place the budget is added up)."""
    from funding.selectors import budget_totals

    totals = budget_totals(document)
    has_programmes = document["plan"].get("funding_programmes") is not None
    return BudgetSection(totals.by_programme if has_programmes else None, totals.total)


# --- council papers ---------------------------------------------------------------------------


def council_papers(document: dict) -> dict[str | None, list[dict]] | None:
    """The document's council papers by owner (``None``: the plan's own, else the measure's
    key), read by ``council.selectors.council_papers``, with dates parsed for printing;
    ``None`` when the document has no council papers key (from before they existed)."""
    from council.selectors import council_papers as papers_of_document

    if document["plan"].get("council_papers") is None:
        return None
    by_owner: dict[str | None, list[dict]] = {}
    for owner, paper in papers_of_document(document):
        by_owner.setdefault(owner, []).append(
            {
                "reference": paper.get("reference", ""),
                "title": paper.get("title", ""),
                "date": _date(paper.get("date")),
                "body": paper.get("body", ""),
                "results": [
                    {
                        "date": _date(c.get("date")),
                        "committee": c.get("committee", ""),
                        "result": c.get("result", ""),
                    }
                    for c in paper.get("consultations", [])
                ],
            }
        )
    return by_owner
