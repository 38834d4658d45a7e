"""The campaign brief draws key figures as the campaign page does (one grouping function): one
scale per unit, cards for a figure alone in its unit, target against actual; a reach column
only where a reach is known."""

from decimal import Decimal

import pytest
from django.urls import reverse

from campaigns.charts import BAR_SCALE
from documents.campaigns import CampaignDocumentRequest
from tests.campaigns.factories import CampaignFactory, ChannelFactory, KeyFigureFactory
from tests.campaigns.test_key_figures import KeyFigureParser
from tests.documents.pdf_factories import pdf_pages, requires_poppler, squash

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    campaign = CampaignFactory(title="Stadt der Städte")
    KeyFigureFactory(campaign=campaign, name="Budget", unit="Euro", target=10_000_000, actual=None)
    KeyFigureFactory(campaign=campaign, name="Städte", unit="Städte", actual=53)
    KeyFigureFactory(campaign=campaign, name="Flyer 2023", unit="Exemplare", actual=40000)
    KeyFigureFactory(
        campaign=campaign, name="Flyer 2024", unit="Exemplare", target=50000, actual=45000
    )
    KeyFigureFactory(campaign=campaign, name="Jury", unit="Personen", target=30, actual=20)
    return campaign


def test_brief_html_draws_each_unit_on_its_own_scale(campaign):
    html = CampaignDocumentRequest.build(campaign).html()
    parser = KeyFigureParser()
    parser.feed(html.split("<h2>Kennzahlen</h2>", 1)[1].split("</section>", 1)[0])
    units = {
        Decimal(40000): "Exemplare",
        Decimal(45000): "Exemplare",
        Decimal(50000): "Exemplare",
        Decimal(30): "Personen",
        Decimal(20): "Personen",
    }
    assert [(c["unit"], c["scale"]) for c in parser.charts] == [
        ("Exemplare", Decimal(50000)),
        ("Personen", Decimal(30)),
    ]
    for chart in parser.charts:
        for _kind, value, width in chart["rects"]:
            assert units[value] == chart["unit"]
            assert width == round(BAR_SCALE * value / chart["scale"])
    # target against actual where both exist
    assert [kind for kind, _v, _w in parser.charts[0]["rects"]] == ["actual", "target", "actual"]
    cards = {card["unit"]: " ".join(card["text"].split()) for card in parser.cards}
    assert cards == {"Euro": "10.000.000 Euro Budget Ziel", "Städte": "53 Städte Städte"}
    assert parser.svg_texts == 0


@requires_poppler
def test_brief_pdf_groups_figures_by_unit(client, campaign):
    data = client.get(reverse("campaigns:campaign_pdf", kwargs={"slug": campaign.slug})).content
    text = squash("\n".join(pdf_pages(data)))
    figures = text.split(squash("Kennzahlen"), 1)[1]
    # cards first, then one chart per unit, each with only its own unit's figures
    cards, exemplare = figures.split(squash("Exemplare auf einer Skala"), 1)
    # cards stand side by side: pdftotext reads them line by line across
    for words in ("10.000.000 Euro", "Budget", "Ziel", "53 Städte"):
        assert squash(words) in cards
    exemplare, personen = exemplare.split(squash("Personen auf einer Skala"), 1)
    assert squash("Flyer 2023 Ist 40.000 Exemplare") in exemplare
    assert squash("Flyer 2024 Ist 45.000 · Ziel 50.000 Exemplare · 90 % des Ziels") in exemplare
    assert "jury" not in exemplare and "budget" not in exemplare
    assert squash("Jury Ist 20 · Ziel 30 Personen · 67 % des Ziels") in personen
    assert "flyer" not in personen


@requires_poppler
def test_brief_shows_the_reach_column_only_where_a_reach_is_known(client):
    without = CampaignFactory()
    ChannelFactory(campaign=without, name="Printanzeigen")
    with_reach = CampaignFactory()
    ChannelFactory(campaign=with_reach, name="Flyer", reach=40000, reach_unit="Exemplare")
    ChannelFactory(campaign=with_reach, name="Website")

    def brief(c):
        url = reverse("campaigns:campaign_pdf", kwargs={"slug": c.slug})
        return "\n".join(pdf_pages(client.get(url).content))

    assert "Reichweite" not in brief(without)
    text = brief(with_reach)
    assert "Reichweite" in text and "40.000" in text and "Exemplare" in text
