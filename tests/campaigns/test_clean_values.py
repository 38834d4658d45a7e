"""Campaign values shown once and clean: periods and dates without a label repeated in brackets,
a real period on every demo card, no duration shown as reach."""

import datetime
import re
from html import unescape

import pytest
from django.test import Client
from django.utils import translation

from actionplan.templatetags.planwerk_public import fuzzy_date
from campaigns.models import Campaign, Channel

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.mark.parametrize(
    ("label", "start", "end", "precision", "german", "english"),
    [
        ("2017 bis 2019", D(2017, 1, 1), D(2019, 12, 31), "year", "2017–2019", "2017–2019"),
        ("2023", D(2023, 1, 1), D(2023, 12, 31), "year", "2023", "2023"),
        ("Januar 2024", D(2024, 1, 1), D(2024, 1, 1), "month", "Januar 2024", "January 2024"),
        (
            "Ende Januar",
            D(2017, 1, 1),
            D(2017, 1, 1),
            "month",
            "Ende Januar 2017",
            "end of January 2017",
        ),
        ("ab Oktober", D(2017, 10, 1), None, "month", "ab Oktober 2017", "from October 2017"),
        ("2017-06", D(2017, 6, 1), D(2017, 6, 1), "month", "Juni 2017", "June 2017"),
        ("Für das laufende Jahr", None, None, "day", "Für das laufende Jahr", None),
        ("", D(2026, 1, 1), D(2026, 12, 31), "year", "2026", "2026"),
    ],
)
def test_dates_are_shown_once_in_the_readers_language(
    label, start, end, precision, german, english
):
    def shown():  # the tag's text, without its language mark-up
        return unescape(re.sub(r"<[^>]+>", "", str(fuzzy_date(label, start, end, precision))))

    with translation.override("de"):
        assert shown() == german
    with translation.override("en"):
        assert shown() == (english or label)


def _text(html: str) -> str:
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", main)).split())


def _cards(html: str) -> dict[str, str]:
    cards = re.findall(r'<li class="card">(.*?)</li>', html, flags=re.S)
    return {
        unescape(re.search(r'<h3 class="card__title"><a [^>]*>([^<]+)</a>', card)[1]): _text(
            f'<main id="main">{card}</main>'
        )
        for card in cards
    }


def test_demo_campaign_cards_show_real_periods(demo_campaign_pks):
    html = Client().get("/kampagnen/").content.decode()
    cards = _cards(html)
    assert "Zeitraum 2026 Status Laufend" in cards["Altmark – Mehr Platz für Entfaltung"]
    assert "Zeitraum 2017–2019 Status Abgeschlossen" in cards["Stadt der Städte"]
    assert "Standortmarketing-Kampagne" not in html  # a label, not a period
    english = _cards(Client().get("/en/kampagnen/").content.decode())
    assert "Period 2017–2019" in english["City of Cities"]  # the demo's English title
    # every period a card shows is one the date parser reads as dates
    for slug, pk in demo_campaign_pks.items():
        campaign = Campaign.objects.get(pk=pk)
        assert not campaign.period_label or campaign.start_date, slug


@pytest.mark.parametrize("slug", ["stadt-der-staedte", "leipzig-liebt-regionales"])
def test_demo_campaign_pages_show_no_doubled_dates_and_no_duration_as_reach(
    demo_campaign_pks, slug
):
    text = _text(Client().get(f"/kampagnen/{slug}/").content.decode())
    assert not re.search(r"\((?:\d{2}/)?\d{4}(?: – \d{4})?\)", text), "a date repeated in brackets"
    channels = text.split("Veranstaltungen")[0]
    assert "Reichweite: 4" not in channels.replace("Reichweite: 40.000", "")
    assert not re.search(r"\bWochen\b", channels)
    if slug == "stadt-der-staedte":
        assert "Zeitraum 2017–2019" in text and "Datum Ende Januar 2017" in text
        assert "Datum Juni 2017" in text and "2017-06" not in text
        assert "Website · Umsetzung nicht berichtet · ab Oktober 2017" in text
        assert "geplant" not in text  # the campaign ended in 2019
    else:
        assert "Print · umgesetzt · 2023 " in text and "Datum Januar 2024" in text
        assert "Reichweite: 40.000 Exemplare (Auflage von 40.000 Exemplaren)" in text


def test_demo_channels_are_in_line_with_their_campaigns(demo_campaign_pks):
    channels = Channel.objects.filter(campaign__in=demo_campaign_pks.values())
    assert channels.count() == 18
    for channel in channels.select_related("campaign"):
        channel.full_clean()
        assert channel.public_status == channel.status
