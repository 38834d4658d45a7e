"""Geometry of the dashboard's bar charts, computed on the server and drawn as SVG.

The templates (``templates/progress/includes/_bar_chart.html``, ``_stacked_chart.html``) only
place what is computed here: coordinates in SVG user units of a fixed ``viewBox``. Colours
come from classes (``static/progress/dashboard.css``), never from style attributes, which the
Content-Security-Policy forbids. Every chart has a data table beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 700
LABEL_WIDTH = 230
BAR_AREA = 330
ROW_HEIGHT = 30
BAR_HEIGHT = 18
PAD = 8
LABEL_CHARS = 32

# The same colours as static/progress/dashboard.css, for the PDF: WeasyPrint does not apply
# the document's stylesheet inside inline SVG, so the printed chart takes fill attributes.
FILLS = {
    "chart-bar--planned": "#7b8794",
    "chart-bar--in_progress": "#2f6fad",
    "chart-bar--completed": "#2f7d45",
    "chart-bar--postponed": "#b7791f",
    "chart-bar--cancelled": "#b83232",
    "chart-bar--budget": "#2f6fad",
}


def short_label(text: str, limit: int = LABEL_CHARS) -> str:
    """A label that fits the chart's label column; the table beside it has the full text."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Bar:
    label: str
    short: str
    display: str
    css: str
    x: float
    y: float
    width: float
    text_y: float
    value_x: float

    @property
    def fill(self) -> str:
        return FILLS.get(self.css, "#52606d")


@dataclass(frozen=True)
class Segment:
    label: str
    display: str
    css: str
    x: float
    width: float

    @property
    def fill(self) -> str:
        return FILLS.get(self.css, "#52606d")


@dataclass(frozen=True)
class StackedRow:
    label: str
    short: str
    y: float
    text_y: float
    segments: list[Segment]


@dataclass(frozen=True)
class Chart:
    title: str
    desc: str
    height: int
    bars: list[Bar] | None = None
    rows: list[StackedRow] | None = None
    width: int = WIDTH
    label_width: int = LABEL_WIDTH
    bar_area: int = BAR_AREA

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


def _height(count: int) -> int:
    return max(count, 1) * ROW_HEIGHT + 2 * PAD


def _row_y(index: int) -> tuple[float, float]:
    top = PAD + index * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2
    return top, round(top + BAR_HEIGHT / 2 + 5, 2)


def bar_chart(rows, *, title: str, desc: str) -> Chart:
    """Horizontal bars, one per ``(label, value, display, css class)``, scaled to the largest
    value; a zero value is drawn as a hairline so that the row is still visibly there."""
    rows = list(rows)
    largest = max((float(value) for _label, value, _d, _c in rows), default=0) or 1
    bars = []
    for index, (label, value, display, css) in enumerate(rows):
        y, text_y = _row_y(index)
        width = round(float(value) / largest * BAR_AREA, 2)
        width = max(width, 1.5)
        bars.append(
            Bar(
                label=str(label),
                short=short_label(label),
                display=display,
                css=css,
                x=LABEL_WIDTH,
                y=y,
                width=width,
                text_y=text_y,
                value_x=round(LABEL_WIDTH + width + 6, 2),
            )
        )
    return Chart(title=title, desc=desc, height=_height(len(bars)), bars=bars)


def stacked_chart(rows, *, title: str, desc: str) -> Chart:
    """One 100 % bar per ``(label, [(segment label, value, display, css class), …])``: the
    shares of each row's total. A row with no total is drawn empty."""
    result = []
    for index, (label, segments) in enumerate(rows):
        y, text_y = _row_y(index)
        total = sum(float(value) for _l, value, _d, _c in segments)
        x = float(LABEL_WIDTH)
        drawn = []
        for seg_label, value, display, css in segments:
            if not total or not value:
                continue
            width = round(float(value) / total * BAR_AREA, 2)
            drawn.append(Segment(str(seg_label), display, css, round(x, 2), width))
            x += width
        result.append(StackedRow(str(label), short_label(label), y, text_y, drawn))
    return Chart(title=title, desc=desc, height=_height(len(result)), rows=result)
