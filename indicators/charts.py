"""The geometry of an indicator's line chart, computed on the server and drawn as SVG.

The template (``templates/indicators/includes/_line_chart.html``) only places what is computed
here, in user units of a fixed ``viewBox``. Colours are presentation attributes (``stroke``,
``fill``), not style attributes: the Content-Security-Policy forbids those, and WeasyPrint does
not apply the page's stylesheet inside an inline SVG — so the web page and the PDF draw the same
picture. The data table beside the chart holds every number (the chart is ``role="img"``).
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext

from config.numbers import format_number

WIDTH = 700
HEIGHT = 300
LEFT = 78
RIGHT = 24
TOP = 36
BOTTOM = 40

VALUE_COLOUR = "#1f5f99"
TARGET_COLOUR = "#a3520f"
BASELINE_COLOUR = "#52606d"
GRID_COLOUR = "#d9dee3"
TEXT_COLOUR = "#3e4c59"


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    label: str  # "31.12.2012: 150 Besucher" for the <title> of the mark

    @property
    def box_x(self) -> float:
        return round(self.x - 5, 2)

    @property
    def box_y(self) -> float:
        return round(self.y - 5, 2)


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class LineChart:
    title: str
    desc: str
    values: list[Mark]
    targets: list[Mark]
    baseline: Mark | None
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    top: int = TOP
    bottom_edge: int = HEIGHT - BOTTOM
    value_colour: str = VALUE_COLOUR
    target_colour: str = TARGET_COLOUR
    baseline_colour: str = BASELINE_COLOUR
    grid_colour: str = GRID_COLOUR
    text_colour: str = TEXT_COLOUR
    legend_values: str = ""
    legend_targets: str = ""
    legend_baseline: str = ""

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    @property
    def value_path(self) -> str:
        return " ".join(f"{m.x},{m.y}" for m in self.values)

    @property
    def target_path(self) -> str:
        return " ".join(f"{m.x},{m.y}" for m in self.targets)

    @property
    def is_empty(self) -> bool:
        return not self.values and not self.targets and self.baseline is None


def nice_step(span: float, count: int = 5) -> float:
    """A round step (1, 2, 2.5 or 5 × 10ⁿ) that splits ``span`` into about ``count`` parts."""
    if span <= 0:
        return 1.0
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _label(date: datetime.date, value: Decimal, unit: str) -> str:
    number = format_number(value, None)
    return f"{date:%d.%m.%Y}: {number} {unit}".rstrip()


def line_chart(*, title, desc, unit, baseline, values, targets) -> LineChart:
    """Values (a line with dots), targets (a dashed line with squares) and the baseline (a
    dotted horizontal line from its date) on one time axis; the value axis starts at zero
    unless values are negative."""
    points = [p for p in (*values, *targets) if p is not None]
    if baseline is not None:
        points.append(baseline)
    if not points:
        return LineChart(title, desc, [], [], None, [], [])
    lowest = min(0.0, *(float(p.value) for p in points))
    highest = max(float(p.value) for p in points)
    step = nice_step(highest - lowest or abs(highest) or 1.0)
    y_min = math.floor(lowest / step) * step
    y_max = math.ceil(highest / step) * step
    if y_max <= y_min:
        y_max = y_min + step
    first = min(p.date for p in points)
    last = max(p.date for p in points)
    first = datetime.date(first.year, 1, 1)
    last = datetime.date(last.year + 1, 1, 1)
    days = (last - first).days
    plot_width = WIDTH - RIGHT - LEFT
    plot_height = HEIGHT - BOTTOM - TOP

    def x_of(date):
        return round(LEFT + (date - first).days / days * plot_width, 2)

    def y_of(value):
        return round(TOP + (1 - (float(value) - y_min) / (y_max - y_min)) * plot_height, 2)

    def mark(point):
        return Mark(x_of(point.date), y_of(point.value), _label(point.date, point.value, unit))

    y_ticks = []
    count = round((y_max - y_min) / step)
    for index in range(count + 1):
        value = y_min + index * step
        y_ticks.append(Tick(y_of(value), format_number(Decimal(str(round(value, 6))), None)))
    years = list(range(first.year, last.year + 1))
    stride = max(1, math.ceil(len(years) / 8))
    x_ticks = [
        Tick(x_of(datetime.date(year, 1, 1)), str(year))
        for year in years[::stride]
        if year < last.year or len(years) == 1
    ]
    return LineChart(
        title=title,
        desc=desc,
        values=[mark(p) for p in sorted(values, key=lambda p: p.date)],
        targets=[mark(p) for p in sorted(targets, key=lambda p: p.date)],
        baseline=mark(baseline) if baseline is not None else None,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        legend_values=gettext("Values"),
        legend_targets=gettext("Targets"),
        legend_baseline=gettext("Baseline"),
    )


def indicator_chart(indicator):
    """The line chart of an indicator (values, targets, baseline), for the page and the PDF."""
    baseline = (
        _Point(indicator.baseline_date, indicator.baseline_value)
        if indicator.baseline_value is not None and indicator.baseline_date is not None
        else None
    )
    values = [_Point(v.date, v.value) for v in indicator.values.all()]
    targets = [_Point(t.date, t.value) for t in indicator.targets.all()]
    desc = gettext(
        "Values as a solid line, targets as squares on a dashed line, the baseline as a "
        "dotted line. Every figure is in the table beside the chart."
    )
    return line_chart(
        title=gettext("Course of the indicator “%(name)s”") % {"name": indicator.name},
        desc=desc,
        unit=indicator.unit,
        baseline=baseline,
        values=values,
        targets=targets,
    )


@dataclass(frozen=True)
class _Point:
    date: datetime.date
    value: Decimal
