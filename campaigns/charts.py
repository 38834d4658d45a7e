"""Geometry of the key-figure bar chart on the campaign page (server-rendered SVG, no JS).

Key figures have different units (copies, people, euros), so every bar has its own scale: the
actual value against the target when both are given, else a full bar for the one value given.
The numbers themselves are printed beside each bar and in the table next to the chart.
"""

from dataclasses import dataclass
from decimal import Decimal

ROW_HEIGHT = 44
BAR_HEIGHT = 14
BAR_WIDTH = 360
TOP = 8


@dataclass(frozen=True)
class Bar:
    figure: object
    y_label: int
    y_bar: int
    actual_width: int | None
    target_width: int | None
    ratio: Decimal | None  # actual/target, when both are given

    @property
    def value_x(self) -> int:
        """Where the printed value starts: right of the longer bar."""
        return max(self.actual_width or 0, self.target_width or 0) + 6

    @property
    def value_y(self) -> int:
        return self.y_bar + 12


def key_figure_chart(figures) -> dict | None:
    """Rows of the chart, or None when no figure has a value to draw."""
    bars = []
    for index, figure in enumerate(figures):
        actual, target = figure.actual, figure.target
        scale = max(v for v in (actual, target, Decimal(0)) if v is not None)
        y = TOP + index * ROW_HEIGHT

        def width(value, scale=scale):
            if value is None:
                return None
            return int(BAR_WIDTH * value / scale) if scale else 0

        ratio = actual / target if actual is not None and target else None
        bars.append(Bar(figure, y + 12, y + 18, width(actual), width(target), ratio))
    if not bars:
        return None
    return {"bars": bars, "width": BAR_WIDTH + 140, "height": TOP + len(bars) * ROW_HEIGHT}
