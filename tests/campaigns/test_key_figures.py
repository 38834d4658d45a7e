"""Key figures grouped by unit: bars only for comparable figures of one unit on one scale,
cards for a figure alone in its unit. The campaign page is parsed as a reader's browser would."""

from decimal import Decimal
from html.parser import HTMLParser

import pytest

from campaigns.charts import BAR_SCALE, key_figure_groups, unit_key
from campaigns.models import KeyFigure
from tests.campaigns.factories import CampaignFactory, KeyFigureFactory

pytestmark = pytest.mark.django_db


def figure(name, unit, *, target=None, actual=None):
    return KeyFigure(
        name=name,
        unit=unit,
        target=None if target is None else Decimal(target),
        actual=None if actual is None else Decimal(actual),
    )


# --- the grouping ---------------------------------------------------------------------------


def test_key_figure_groups_never_put_two_units_on_one_scale():
    layout = key_figure_groups(
        [
            figure("Auflage 2023", "Exemplare", actual=40000),
            figure("Budget", "Euro", target=10_000_000),
            figure("Auflage 2024", "Exemplare", target=50000, actual=30000),
            figure("Städte", "Städte", actual=53),
            figure("Jury", "Personen", actual=20),
        ]
    )
    assert [f.name for f in layout.cards] == ["Budget", "Städte", "Jury"]
    [chart] = layout.charts
    assert chart.unit == "Exemplare" and chart.scale == 50000
    assert [(b.figure.name, b.actual_width, b.target_width) for b in chart.bars] == [
        ("Auflage 2023", BAR_SCALE * 4 // 5, None),
        ("Auflage 2024", BAR_SCALE * 3 // 5, BAR_SCALE),
    ]
    assert chart.bars[1].percent == 60 and chart.bars[0].percent is None


def test_a_figure_with_target_and_actual_is_drawn_against_its_target():
    layout = key_figure_groups([figure("Teilnehmende", "Personen", target=200, actual=250)])
    assert layout.cards == []
    [bar] = layout.charts[0].bars
    # the larger value sets the scale: the actual overshoots the target
    assert (bar.actual_width, bar.target_width, bar.percent) == (BAR_SCALE, 800, 125)


def test_single_figures_of_each_unit_are_cards():
    figures = [
        figure("Budget", "Euro", target=10_000_000),
        figure("Dauer", "Wochen", actual=4),
        figure("Ohne Einheit", "", actual=3),
        figure("Auch ohne Einheit", "", actual=5),
    ]
    layout = key_figure_groups(figures)
    assert layout.cards == figures and layout.charts == []
    assert not key_figure_groups([])


def test_spellings_of_one_unit_share_a_scale():
    assert unit_key(" Euro ") == unit_key("EUR") == unit_key("€")
    layout = key_figure_groups(
        [figure("Budget", "Euro", target=1000), figure("Ausgegeben", "EUR", actual=250)]
    )
    [chart] = layout.charts
    assert [(b.actual_width, b.target_width) for b in chart.bars] == [(None, 1000), (250, None)]


def test_a_zero_scale_draws_empty_bars():
    layout = key_figure_groups([figure("A", "x", actual=0), figure("B", "x", target=0)])
    assert [(b.actual_width, b.target_width) for b in layout.charts[0].bars] == [
        (0, None),
        (None, 0),
    ]


# --- the page -------------------------------------------------------------------------------


class KeyFigureParser(HTMLParser):
    """Charts (unit, scale, their bars' values and widths), cards and any SVG text."""

    def __init__(self):
        super().__init__()
        self.charts, self.cards, self.svg_texts = [], [], 0
        self._card = None
        self._in_svg = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "figure" and "kf-chart" in classes:
            self.charts.append(
                {"unit": attrs["data-unit"], "scale": Decimal(attrs["data-scale"]), "bars": []}
            )
        elif tag == "li" and "kf-card" in classes:
            self._card = {"unit": attrs["data-unit"], "text": ""}
            self.cards.append(self._card)
        elif tag == "svg":
            self._in_svg += 1
            self.charts and self.charts[-1]["bars"].append(attrs)
        elif tag == "text" and self._in_svg:
            self.svg_texts += 1
        elif tag == "rect" and "data-value" in attrs:
            self.charts[-1].setdefault("rects", []).append(
                (attrs["data-kind"], Decimal(attrs["data-value"]), int(attrs["width"]))
            )

    def handle_endtag(self, tag):
        if tag == "svg":
            self._in_svg -= 1
        elif tag == "li":
            self._card = None

    def handle_data(self, data):
        if self._card is not None:
            self._card["text"] += data


def parse_key_figures(html: str) -> KeyFigureParser:
    section = html.split('aria-labelledby="key-figures"', 1)[1].split("</section>", 1)[0]
    parser = KeyFigureParser()
    parser.feed(section)
    return parser


def assert_one_unit_per_scale(parsed, figures_by_value):
    for chart in parsed.charts:
        values = [value for _kind, value, _width in chart["rects"]]
        assert chart["scale"] == max(values)
        for _kind, value, width in chart["rects"]:
            assert width == round(BAR_SCALE * value / chart["scale"])
            assert figures_by_value[value] == chart["unit"], "a figure of another unit"


def test_campaign_page_draws_each_unit_on_its_own_scale(client):
    campaign = CampaignFactory()
    KeyFigureFactory(campaign=campaign, name="Flyer 2023", unit="Exemplare", actual=40000)
    KeyFigureFactory(
        campaign=campaign, name="Flyer 2024", unit="Exemplare", target=50000, actual=45000
    )
    KeyFigureFactory(campaign=campaign, name="Budget", unit="Euro", target=10_000_000, actual=None)
    KeyFigureFactory(campaign=campaign, name="Aktive", unit="Personen", target=30, actual=20)
    KeyFigureFactory(campaign=campaign, name="Städte", unit="Städte", actual=53)
    html = client.get(campaign.get_absolute_url()).content.decode()
    parsed = parse_key_figures(html)
    units = {
        Decimal(40000): "Exemplare",
        Decimal(50000): "Exemplare",
        Decimal(45000): "Exemplare",
        Decimal(30): "Personen",
        Decimal(20): "Personen",
    }
    assert [c["unit"] for c in parsed.charts] == ["Exemplare", "Personen"]
    assert_one_unit_per_scale(parsed, units)
    # target against actual where both exist, only the actual where there is no target
    assert parsed.charts[0]["rects"] == [
        ("actual", Decimal(40000), 800),
        ("target", Decimal(50000), 1000),
        ("actual", Decimal(45000), 900),
    ]
    assert parsed.charts[1]["rects"] == [
        ("target", Decimal(30), 1000),
        ("actual", Decimal(20), 667),
    ]
    # single figures of a unit are cards: big number, unit, label; a target says so
    cards = {card["unit"]: " ".join(card["text"].split()) for card in parsed.cards}
    assert cards == {"Euro": "10.000.000 Euro Budget Ziel", "Städte": "53 Städte Städte"}
    # the bars carry no text: labels and values are HTML and never shrink with the bar
    assert parsed.svg_texts == 0
    assert "Ist <strong>45.000</strong> · Ziel <strong>50.000</strong> <span" in html
    assert "90 % des Ziels" in html


def test_campaign_page_without_key_figures_says_so(client):
    campaign = CampaignFactory()
    html = client.get(campaign.get_absolute_url()).content.decode()
    assert "Es sind keine Kennzahlen erfasst." in html
    assert "kf-chart" not in html


def test_campaign_page_escapes_key_figure_text(client):
    campaign = CampaignFactory()
    KeyFigureFactory(campaign=campaign, name="<script>x</script>", unit='"><b>', note="<i>n</i>")
    html = client.get(campaign.get_absolute_url()).content.decode()
    assert "<script>x</script>" not in html and 'data-unit="&quot;&gt;&lt;b&gt;"' in html
    assert "<i>n</i>" not in html
