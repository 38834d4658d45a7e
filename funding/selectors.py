"""Budget totals by funding programme, year, field of action and kind of cost.

One rule for the arithmetic (``totals_from_lines``), fed from two places:
``budget_totals(document)`` reads a plan JSON document (``actionplan.export``; a dated
version's snapshot or "now"), ``plan_budget_totals(lines)`` the rows the progress page
already loads from the database.

The rules (the progress page and the PDF print them):
- *own share* = amount × (100 − co-funding rate) / 100, per line, computed and never stored;
  it is known only for lines that give an amount and a rate (a line without a programme and
  without a rate is not assumed to be paid from own funds: nobody said so). Totals add the
  own shares that are known and count the lines whose share is unknown.
- a line over a period (2011–2013) counts in full in its *first year*: plans name a period
  without saying how the money is spread over it, and an even split would invent figures.
- amounts are summed where given; a line without an amount is still counted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from actionplan.models import CostKind, years_label

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
NO_PROGRAMME = _("no funding programme")
NO_YEAR = _("no year given")
NO_KIND = _("kind not given")


def own_share(amount: Decimal | None, rate: Decimal | None) -> Decimal | None:
    """amount × (100 − rate) / 100, to the cent; None when the amount or the rate is missing."""
    if amount is None or rate is None:
        return None
    return (Decimal(amount) * (HUNDRED - Decimal(rate)) / HUNDRED).quantize(CENT)


@dataclass(frozen=True)
class Line:
    """One budget line as the totals need it (from a document or from the database)."""

    field: str  # the field of action's title
    field_position: int
    programme: str  # the programme's label, "" without one
    programme_position: int
    year_from: int | None
    year_to: int | None
    kind: str  # CostKind value or ""
    planned: Decimal | None
    actual: Decimal | None
    rate: Decimal | None


@dataclass
class TotalRow:
    label: str
    position: tuple = ()
    lines: int = 0
    planned: Decimal | None = None
    actual: Decimal | None = None
    own_share: Decimal | None = None  # of the planned amounts whose rate is known
    own_share_actual: Decimal | None = None  # of the actual amounts whose rate is known
    lines_without_rate: int = 0  # lines with a planned amount but no rate

    @property
    def name(self) -> str:  # as progress.selectors.BudgetRow, for the shared chart code
        return self.label

    def add(self, line: Line) -> None:
        self.lines += 1
        if line.planned is not None:
            self.planned = (self.planned or Decimal(0)) + line.planned
            if line.rate is None:
                self.lines_without_rate += 1
        if line.actual is not None:
            self.actual = (self.actual or Decimal(0)) + line.actual
        share = own_share(line.planned, line.rate)
        if share is not None:
            self.own_share = (self.own_share or Decimal(0)) + share
        share = own_share(line.actual, line.rate)
        if share is not None:
            self.own_share_actual = (self.own_share_actual or Decimal(0)) + share


@dataclass
class BudgetTotals:
    by_programme: list[TotalRow] = field(default_factory=list)
    by_year: list[TotalRow] = field(default_factory=list)
    by_field: list[TotalRow] = field(default_factory=list)
    by_kind: list[TotalRow] = field(default_factory=list)
    total: TotalRow = field(default_factory=lambda: TotalRow(str(_("Total"))))

    @property
    def has_amounts(self) -> bool:
        return self.total.planned is not None or self.total.actual is not None


KIND_ORDER = {value: i for i, value in enumerate(CostKind.values)}


def totals_from_lines(lines: Iterable[Line]) -> BudgetTotals:
    """The one place the totals are added up (see the module's rules)."""
    groups: dict[str, dict] = {"programme": {}, "year": {}, "field": {}, "kind": {}}
    totals = BudgetTotals()

    def bucket(name: str, key, label, position) -> TotalRow:
        rows = groups[name]
        if key not in rows:
            rows[key] = TotalRow(str(label), position)
        return rows[key]

    for line in lines:
        if line.programme:
            bucket("programme", line.programme, line.programme, (0, line.programme_position)).add(
                line
            )
        else:
            bucket("programme", "", NO_PROGRAMME, (1, 0)).add(line)
        if line.year_from is not None:
            bucket("year", line.year_from, line.year_from, (0, line.year_from)).add(line)
        else:
            bucket("year", None, NO_YEAR, (1, 0)).add(line)
        bucket("field", line.field, line.field, (0, line.field_position)).add(line)
        if line.kind:
            label = CostKind(line.kind).label if line.kind in KIND_ORDER else line.kind
            bucket("kind", line.kind, label, (0, KIND_ORDER.get(line.kind, 99))).add(line)
        else:
            bucket("kind", "", NO_KIND, (1, 0)).add(line)
        totals.total.add(line)

    def ordered(rows: dict) -> list[TotalRow]:
        return sorted(rows.values(), key=lambda r: (r.position, r.label))

    totals.by_programme = ordered(groups["programme"])
    totals.by_year = ordered(groups["year"])
    totals.by_field = ordered(groups["field"])
    totals.by_kind = ordered(groups["kind"])
    return totals


def _number(value) -> Decimal | None:
    return Decimal(str(value)) if value not in (None, "") else None


def budget_totals(document: dict) -> BudgetTotals:
    """The totals of a plan JSON document (``actionplan.export.plan_export_document``).

    Reads the keys of the contract (``funding_programmes``, each budget line's ``year_from``,
    ``kind``, ``programme``, ``co_funding_rate``); an old document without them gives every
    line under "no programme", "no year" and "kind not given". What the document holds is what
    is counted: pass a public document (``public_only=True``) for public pages.
    """
    plan = document.get("plan", {})
    programmes = {}
    for position, spec in enumerate(plan.get("funding_programmes") or []):
        programmes[spec["key"]] = (_programme_label(spec), position)
    lines = []
    for field_position, fld in enumerate(plan.get("fields") or []):
        for measure in fld.get("measures") or []:
            for spec in measure.get("budget") or []:
                label, position = programmes.get(
                    spec.get("programme"), (spec.get("programme") or "", 0)
                )
                lines.append(
                    Line(
                        field=fld.get("title", ""),
                        field_position=field_position,
                        programme=label,
                        programme_position=position,
                        year_from=spec.get("year_from"),
                        year_to=spec.get("year_to"),
                        kind=spec.get("kind") or "",
                        planned=_number(spec.get("planned_amount")),
                        actual=_number(spec.get("actual_amount")),
                        rate=_number(spec.get("co_funding_rate")),
                    )
                )
    return totals_from_lines(lines)


def _programme_label(spec: dict) -> str:
    extra = ", ".join(part for part in (spec.get("fund"), spec.get("period")) if part)
    return f"{spec['name']} ({extra})" if extra else spec["name"]


# The columns ``plan_budget_totals`` reads; the progress page adds them to its one query.
LINE_COLUMNS = (
    "measure__field__title",
    "measure__field__position",
    "programme__name",
    "programme__fund",
    "programme__period",
    "programme__position",
    "year_from",
    "year_to",
    "kind",
    "planned_amount",
    "actual_amount",
    "co_funding_rate",
)


def plan_budget_totals(rows: Iterable[tuple]) -> BudgetTotals:
    """The totals of database rows holding ``LINE_COLUMNS`` in that order (the progress page
    and the PDF chapter load them with their other budget figures, in the same query)."""
    lines = []
    for (
        field_title,
        field_position,
        name,
        fund,
        period,
        programme_position,
        year_from,
        year_to,
        kind,
        planned,
        actual,
        rate,
    ) in rows:
        label = _programme_label({"name": name, "fund": fund, "period": period}) if name else ""
        lines.append(
            Line(
                field=field_title,
                field_position=field_position,
                programme=label,
                programme_position=programme_position or 0,
                year_from=year_from,
                year_to=year_to,
                kind=kind,
                planned=planned,
                actual=actual,
                rate=rate,
            )
        )
    return totals_from_lines(lines)


__all__ = [
    "BudgetTotals",
    "TotalRow",
    "budget_totals",
    "own_share",
    "plan_budget_totals",
    "totals_from_lines",
    "years_label",
]
