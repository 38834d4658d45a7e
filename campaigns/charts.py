"""Key figures grouped by unit: the one layout the campaign page and the campaign brief share.

A bar is only drawn where bars can be compared: figures of one unit on one scale (and a figure
with both a target and an actual value, the actual against its target). A figure alone in its
unit gets a figure card – a big number and its label – because a full-width bar for 53 cities
next to one for 10 million euros says nothing.

The bars carry no text: labels and values are HTML beside them, so a narrow screen scales the
bars but never shrinks the words.
"""

from dataclasses import dataclass, field
from decimal import Decimal

# Bar lengths are in these units; the templates scale them to the width available.
BAR_SCALE = 1000

# Spellings of one unit that must share a scale.
_UNIT_ALIASES = {"€": "eur", "euro": "eur", "eur": "eur", "euros": "eur"}


def unit_key(unit: str) -> str:
    """The unit figures are grouped by: case, spacing and spellings of the euro ignored."""
    key = " ".join((unit or "").split()).casefold()
    return _UNIT_ALIASES.get(key, key)


def _width(value: Decimal | None, scale: Decimal) -> int | None:
    if value is None:
        return None
    return round(BAR_SCALE * value / scale) if scale else 0


@dataclass(frozen=True)
class FigureBar:
    """One figure in a chart: its actual and target bar, in BAR_SCALE units of the chart."""

    figure: object
    actual_width: int | None
    target_width: int | None

    @property
    def ratio(self) -> Decimal | None:
        """Actual against target (1 = reached), when both are given."""
        actual, target = self.figure.actual, self.figure.target
        return actual / target if actual is not None and target else None

    @property
    def percent(self) -> int | None:
        return round(self.ratio * 100) if self.ratio is not None else None


@dataclass(frozen=True)
class FigureChart:
    """Figures of one unit drawn on one scale (the largest target or actual among them)."""

    unit: str
    scale: Decimal
    bars: list[FigureBar] = field(default_factory=list)


@dataclass(frozen=True)
class KeyFigureLayout:
    cards: list  # figures alone in their unit, shown as a big number
    charts: list[FigureChart]

    def __bool__(self) -> bool:
        return bool(self.cards or self.charts)


def key_figure_groups(figures) -> KeyFigureLayout:
    """Cards for figures alone in their unit, one chart per unit with comparable figures.

    Figures without a unit are never compared with each other. Order follows the figures.
    """
    groups: dict[str, list] = {}
    for index, figure in enumerate(figures):
        key = unit_key(figure.unit) or f"#{index}"
        groups.setdefault(key, []).append(figure)
    cards, charts = [], []
    for members in groups.values():
        both = any(f.actual is not None and f.target is not None for f in members)
        if len(members) == 1 and not both:
            cards.append(members[0])
            continue
        values = [v for f in members for v in (f.actual, f.target) if v is not None]
        scale = max(values, default=Decimal(0))
        bars = [FigureBar(f, _width(f.actual, scale), _width(f.target, scale)) for f in members]
        charts.append(FigureChart(members[0].unit, scale, bars))
    return KeyFigureLayout(cards, charts)
