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
    name: str
    unit: str
    direction: str
    baseline: Decimal | None
    baseline_date: datetime.date | None
    latest: Decimal | None
    latest_date: datetime.date | None
    target: Decimal | None
    target_date: datetime.date | None
    links: list[str] = field(default_factory=list)

    @property
    def distance(self) -> Decimal | None:
        """How far the latest value is from the next target (positive: still to go)."""
        if self.latest is None or self.target is None:
            return None
        gap = self.target - self.latest
        return gap if self.direction != "decrease" else -gap

    @property
    def reached(self) -> bool | None:
        return None if self.distance is None else self.distance <= 0


def indicator_rows(document: dict, *, on: datetime.date) -> list[IndicatorRow] | None:
    """Per indicator the baseline, the latest value on or before ``on`` and the next target
    from ``on`` (else the last one); ``None`` when the document has no indicators key.

    INTEGRATION POINT: ``indicators.selectors.indicator_rows(document, on=on)``."""
    specs = document["plan"].get("indicators")
    if specs is None:
        return None
    rows = []
    for spec in specs:
        values = sorted(
            (d, _decimal(v.get("value")))
            for v in spec.get("values", [])
            if (d := _date(v.get("date"))) is not None and d <= on
        )
        targets = sorted(
            (d, _decimal(t.get("value")))
            for t in spec.get("targets", [])
            if (d := _date(t.get("date"))) is not None
        )
        upcoming = [t for t in targets if t[0] >= on] or targets[-1:]
        baseline = spec.get("baseline") or {}
        rows.append(
            IndicatorRow(
                name=spec.get("name", spec.get("key", "")),
                unit=spec.get("unit", ""),
                direction=spec.get("direction", "increase"),
                baseline=_decimal(baseline.get("value")),
                baseline_date=_date(baseline.get("date")),
                latest=values[-1][1] if values else None,
                latest_date=values[-1][0] if values else None,
                target=upcoming[0][1] if upcoming else None,
                target_date=upcoming[0][0] if upcoming else None,
                links=[
                    link.get("measure") or link.get("field", "") for link in spec.get("links", [])
                ],
            )
        )
    return rows


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
