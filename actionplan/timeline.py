"""Layout of schedule entries on a time axis, computed on the server.

Works on anything with ``start_date``, ``end_date`` and ``label`` (schedule entries), so the
arithmetic is testable without a database. Positions are percentages of the axis width.
"""

import calendar
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# Bars shorter than this share of a month are drawn as a point marker.
POINT_MONTHS = 0.5

# Positions are drawn with classes from static/css/timeline-positions.css, never with style
# attributes, which the Content-Security-Policy forbids. Steps of 0.1 % of the axis are less
# than a pixel on any screen. Axes longer than MAX_QUARTERS (100 years) get that grid.
POSITION_STEPS = 1000
MAX_QUARTERS = 400


def _month_index(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


def _month_start(index: int) -> datetime.date:
    return datetime.date(index // 12, index % 12 + 1, 1)


def _quarter_first_month(index: int) -> int:
    return index - index % 3


@dataclass(frozen=True)
class Tick:
    label: str
    left: float
    width: float


@dataclass(frozen=True)
class Axis:
    """A run of whole quarters from ``first_month`` to ``last_month`` (month indices)."""

    first_month: int
    last_month: int

    @property
    def months(self) -> int:
        return self.last_month - self.first_month + 1

    @property
    def start(self) -> datetime.date:
        return _month_start(self.first_month)

    @property
    def end(self) -> datetime.date:
        last = _month_start(self.last_month)
        return last.replace(day=calendar.monthrange(last.year, last.month)[1])

    def position(self, day: datetime.date) -> float:
        """Percentage of the axis at the start of ``day``, clamped to the axis."""
        days = calendar.monthrange(day.year, day.month)[1]
        months = _month_index(day) - self.first_month + (day.day - 1) / days
        return max(0.0, min(100.0, months / self.months * 100))

    def end_position(self, day: datetime.date) -> float:
        """Percentage at the end of ``day`` (bars include their last day)."""
        return self.position(day + datetime.timedelta(days=1)) if day < self.end else 100.0

    @property
    def grid_classes(self) -> str:
        """Classes for the quarter and year grid lines drawn behind the bars: the number of
        quarters on the axis, and how many quarters after its start the first January lies."""
        quarters = min(max(self.months // 3, 1), MAX_QUARTERS)
        first_january = (-self.first_month) % 12
        return f"tl-q-{quarters} tl-j-{first_january // 3}"

    def _ticks(self, step: int, label) -> list[Tick]:
        ticks = []
        index = self.first_month
        while index <= self.last_month:
            span = min(step - (index % step), self.last_month - index + 1)
            ticks.append(
                Tick(
                    label=label(index),
                    left=(index - self.first_month) / self.months * 100,
                    width=span / self.months * 100,
                )
            )
            index += span
        return ticks

    @property
    def years(self) -> list[Tick]:
        return self._ticks(12, lambda i: str(i // 12))

    @property
    def quarters(self) -> list[Tick]:
        return self._ticks(3, lambda i: f"Q{i % 12 // 3 + 1}")


@dataclass(frozen=True)
class Bar:
    entry: object
    left: float
    width: float
    open_start: bool
    open_end: bool
    is_point: bool = False

    @property
    def right(self) -> float:
        return self.left + self.width


def is_dated(entry) -> bool:
    return entry.start_date is not None or entry.end_date is not None


def date_range(entries: Iterable) -> tuple[datetime.date, datetime.date] | None:
    """The earliest and the latest date named by the dated entries."""
    dated = [e for e in entries if is_dated(e)]
    if not dated:
        return None
    return (
        min(e.start_date or e.end_date for e in dated),
        max(e.end_date or e.start_date for e in dated),
    )


def build_axis(entries: Iterable) -> Axis | None:
    """The quarters covering every dated entry; one spare quarter for open ends."""
    dated = [e for e in entries if is_dated(e)]
    if not dated:
        return None
    first = min(_month_index(e.start_date or e.end_date) for e in dated)
    last = max(_month_index(e.end_date or e.start_date) for e in dated)
    first = _quarter_first_month(first)
    last = _quarter_first_month(last) + 2
    if any(e.start_date is None for e in dated):
        first -= 3
    if any(e.end_date is None for e in dated):
        last += 3
    return Axis(first, last)


def layout_bar(axis: Axis, entry) -> Bar:
    """Where an entry's bar lies; an open end runs to the edge of the axis."""
    left = axis.position(entry.start_date) if entry.start_date else 0.0
    right = axis.end_position(entry.end_date) if entry.end_date else 100.0
    width = max(right - left, 0.0)
    open_start, open_end = entry.start_date is None, entry.end_date is None
    return Bar(
        entry=entry,
        left=round(left, 3),
        width=round(width, 3),
        open_start=open_start,
        open_end=open_end,
        is_point=not (open_start or open_end) and width < POINT_MONTHS / axis.months * 100,
    )


@dataclass
class MeasureRow:
    measure: object
    bars: list[Bar] = field(default_factory=list)
    undated: list = field(default_factory=list)


@dataclass
class FieldGroup:
    field: object
    rows: list[MeasureRow] = field(default_factory=list)

    @property
    def dated_rows(self) -> list[MeasureRow]:
        return [row for row in self.rows if row.bars]


@dataclass
class PlanTimeline:
    axis: Axis | None
    groups: list[FieldGroup]
    # The earliest and latest date any entry names; the axis adds spare quarters for open ends.
    first_date: datetime.date | None = None
    last_date: datetime.date | None = None

    @property
    def has_dated(self) -> bool:
        return self.axis is not None

    @property
    def undated(self) -> list[tuple[object, object, object]]:
        """(field, measure, entry) for every entry without a date, in plan order."""
        return [
            (group.field, row.measure, entry)
            for group in self.groups
            for row in group.rows
            for entry in row.undated
        ]

    @property
    def measures_without_schedule(self) -> list[tuple[object, object]]:
        return [
            (group.field, row.measure)
            for group in self.groups
            for row in group.rows
            if not row.bars and not row.undated
        ]


def measure_timeline(entries: Sequence) -> tuple[Axis | None, list[Bar]]:
    """Axis and bars for one measure's own schedule."""
    axis = build_axis(entries)
    if axis is None:
        return None, []
    return axis, [layout_bar(axis, e) for e in entries if is_dated(e)]


def plan_timeline(fields: Iterable) -> PlanTimeline:
    """Group every schedule entry of the plan by field and measure on one shared axis.

    ``fields`` must have ``measures`` with their ``schedule`` prefetched.
    """
    fields = list(fields)
    entries = [e for f in fields for m in f.measures.all() for e in m.schedule.all()]
    axis = build_axis(entries)
    groups = []
    for fld in fields:
        group = FieldGroup(field=fld)
        for measure in fld.measures.all():
            row = MeasureRow(measure=measure)
            for entry in measure.schedule.all():
                if is_dated(entry):
                    row.bars.append(layout_bar(axis, entry))
                else:
                    row.undated.append(entry)
            group.rows.append(row)
        groups.append(group)
    first, last = date_range(entries) or (None, None)
    return PlanTimeline(axis=axis, groups=groups, first_date=first, last_date=last)


def _step(percent: float) -> int:
    return min(max(round(percent * POSITION_STEPS / 100), 0), POSITION_STEPS)


def position_classes(item) -> str:
    """Classes placing a bar or tick (``left`` and ``width`` in percent) on the axis."""
    return f"tl-l-{_step(item.left)} tl-w-{_step(item.width)}"


def positions_stylesheet() -> str:
    """The content of static/css/timeline-positions.css (scripts/make_timeline_css.py)."""
    lines = [
        "/* Generated by scripts/make_timeline_css.py from actionplan/timeline.py; do not edit. */",
        "/* Timeline positions as classes: the Content-Security-Policy allows no inline style. */",
    ]
    for prefix, prop in (("l", "left"), ("w", "width")):
        for step in range(POSITION_STEPS + 1):
            lines.append(f".tl-{prefix}-{step}{{{prop}:{step * 100 / POSITION_STEPS:g}%}}")
    for quarters in range(1, MAX_QUARTERS + 1):
        lines.append(f".tl-q-{quarters}{{--q:{100 / quarters:.4f}%}}")
    for january in range(4):
        lines.append(f".tl-j-{january}{{--y0:calc(var(--q) * {january})}}")
    return "\n".join(lines) + "\n"
