"""The report's sections on indicators, funding programmes and council papers, read from the
plan document keys agreed for issue 20 (``/work/notes/contract-20.md``):
``plan.indicators``, ``plan.funding_programmes`` with the budget lines' ``programme`` and
``co_funding_rate``, and ``council_papers`` on the plan and its measures.

INTEGRATION POINTS: each function below is the one place the report reads one of these keys.
When the apps that own them are merged, replace the body by a call of their selector
(``indicators.selectors.indicator_rows``, ``funding.selectors.budget_totals``,
``council.selectors.council_papers``) and map their rows onto the dataclasses here, so the
report keeps one rule per figure. A document without a key gives an empty section, which the
report names plainly („Keine Indikatoren erfasst“).
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
class BudgetRow:
    label: str
    planned: Decimal = Decimal(0)
    actual: Decimal = Decimal(0)
    own_share: Decimal = Decimal(0)
    lines: int = 0  # budget lines counted
    priced: int = 0  # of them with a planned or an actual amount


@dataclass
class BudgetSection:
    #: None: the document holds no funding programmes (an old document)
    by_programme: list[BudgetRow] | None
    total: BudgetRow


def own_share(amount: Decimal | None, rate: Decimal | None) -> Decimal:
    """Amount × (100 − co-funding rate) / 100; without a rate, the whole amount."""
    if amount is None:
        return Decimal(0)
    if rate is None:
        return amount
    return (amount * (Decimal(100) - rate) / Decimal(100)).quantize(Decimal("0.01"))


def budget_section(document: dict, *, without_programme: str) -> BudgetSection:
    """Planned, actual and own share (of the planned amount) by funding programme, and the
    plan's total; ``without_programme`` labels the lines that name none.

    INTEGRATION POINT: ``funding.selectors.budget_totals(document).by_programme`` / ``.total``.
    """
    programmes = document["plan"].get("funding_programmes")
    names = {p.get("key"): p.get("name", p.get("key")) for p in programmes or []}
    rows: dict[str | None, BudgetRow] = {}
    total = BudgetRow("")
    for fld in document["plan"].get("fields", []):
        for measure in fld.get("measures", []):
            for line in measure.get("budget", []):
                planned = _decimal(line.get("planned_amount"))
                actual = _decimal(line.get("actual_amount"))
                share = own_share(planned, _decimal(line.get("co_funding_rate")))
                key = line.get("programme")
                row = rows.setdefault(key, BudgetRow(names.get(key, key or without_programme)))
                for target in (row, total):
                    target.lines += 1
                    target.priced += planned is not None or actual is not None
                    target.planned += planned or 0
                    target.actual += actual or 0
                    target.own_share += share
    if programmes is None:
        return BudgetSection(None, total)
    ordered = [rows[k] for k in names if k in rows] + ([rows[None]] if None in rows else [])
    return BudgetSection(ordered, total)


# --- council papers ---------------------------------------------------------------------------


def council_papers(spec: dict) -> list[dict] | None:
    """The council papers of a plan or measure spec of the document; ``None`` without the key.

    INTEGRATION POINT: ``council.selectors.council_papers(document)`` (flat list by owner)."""
    papers = spec.get("council_papers")
    if papers is None:
        return None
    return [
        {
            "reference": p.get("reference", ""),
            "title": p.get("title", ""),
            "date": _date(p.get("date")),
            "body": p.get("body", ""),
            "results": [
                {
                    "date": _date(c.get("date")),
                    "committee": c.get("committee", ""),
                    "result": c.get("result", ""),
                }
                for c in p.get("consultations", [])
            ],
        }
        for p in papers
    ]
