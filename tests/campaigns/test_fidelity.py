"""Each seed text, both directions: every fact of the seed is in the loaded demo data and on the
public campaign page (German), and no figure on the page is one the seed does not give.

The data is loaded the way ``make run`` loads it: the Leipzig plan, then the campaigns.
"""

import re
from html import unescape
from pathlib import Path

import pytest
from django.test import Client

from campaigns.models import Campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_campaigns(demo_campaign_pks, db):
    """The demo campaigns by slug, loaded once for the module: every test here uses them."""
    return {c.slug: c for c in Campaign.objects.filter(pk__in=demo_campaign_pks.values())}


SEEDS = Path(__file__).parent / "seeds"
SEED_OF = {
    "leipzig-liebt-regionales": "000_4d629b362bbec53e.txt",
    "bildungsmarketing-erfurt": "001_0fa66d380c535228.txt",
    "stadt-der-staedte": "002_d5fbbfe6e4559391.txt",
    "altmark-mehr-platz-fuer-entfaltung": "003_6e2016b54bf309ae.txt",
}

# Facts as the seed words them; each must be in the seed and on the campaign page.
FACTS = {
    "leipzig-liebt-regionales": [
        "Leipzig liebt Regionales",
        "Leipzig Tourismus und Marketing GmbH",
        "Manufakturen des Lebensmittel- und Kunsthandwerks",
        "Atelierführungen oder Kursen",
        "Auflage von 40.000 Exemplaren",
        "ZEIT-Magazin-Wochenmarkt",
        "englischsprachige Version des Flyers",
        "online-PR-Beiträge",
        "vierwöchige Social-Media-Kampagne",
        "Die Resonanz auf die Posts ist hoch",
        "Januar 2024",
        "Netzwerktreffen der beteiligten Manufakturen",
        "Atelier",
        "Anbahnung von Kooperationen",
        "Pressearbeit",
        "Werbung für Google Ads",
        "Produktion eines Podcasts",
        "Kreativstadt Leipzig als lohnenswertes Reiseziel",
        "Verweildauer der Gäste",
        "Leipzigerinnen und Leipziger",
    ],
    "bildungsmarketing-erfurt": [
        "Landeshauptstadt Erfurt",
        "Aufbau eines Marketingkonzeptes in der Landeshauptstadt Erfurt",
        "„Lernen vor Ort“",
        "Marketinggruppe",
        "Jugendamt",
        "Kulturdirektion",
        "Amt für Bildung",
        "Multiplikatoren",
        "Öffentlichkeitsarbeit",
        "„Bildungspunkt“",
        "600 Bildungsakteuren",
        "„Bildungsstadt“",
        "Strategie entwickeln",
        "Pressestelle einbinden",
        "Torsten Haß",
        "0361/655-2951",
        "Website der Bildungsstadt Erfurt",
        "Interview der Transferagentur Mitteldeutschland mit Torsten Haß",
        "TRANSFERkompass Niedersachsen, Ausgabe Februar 2017, Kommunikation",
    ],
    "stadt-der-staedte": [
        "5 Millionen Menschen, 53 Städte, 1 Metropole",
        "Stadt der Städte",
        "City of Cities",
        "Investoren",
        "Studierende",
        "größere Metropole als Berlin",
        "ersten Radschnellweg in Deutschland",
        "Kulturhauptstadt RUHR.2010",
        "Ruhrparlament",
        "Regionalverband",
        "RVR-Wirtschaftsausschuss in Bochum",
        "digitalen Videos und Geschichten",
        "Bildwelten",
        "Printanzeigen",
        "China",
        "USA",
        "Niederlande",
        "Großbritannien",
        "Türkei",
        "Polen",
        "Akquise von Fachkräften",
        "Bochum",
        "2017 bis 2019",
        "Die Verbandsversammlung des RVR hat dafür zehn Millionen Euro bewilligt.",
        "20-köpfige Fachjury",
        "Ende Januar",
        "Thjnk (Hamburg)",
        "TAS Emotional Marketing (Essen)",
        "Imageanalyse",
        "traditionsbewusst, authentisch, weltoffen und zuverlässig",
        "wenig jugendlich, dynamisch und innovativ",
        "www.metropole.ruhr",
        "www.facebook.com/stadtderstaedte",
        "Aktions-Seite",
        "ab Oktober",
    ],
    "altmark-mehr-platz-fuer-entfaltung": [
        "Altmark – Mehr Platz für Entfaltung",
        "Altmärkische",
        "3. Netzwerktreffen „Regionalmarketing & -management Altmark 2025“",
        "Landessportschule Sachsen-Anhalt in Osterburg",
        "kommunalen Wirtschaftsförderungen",
        "„Hanseregion Altmark“",
        "Rahmenbedingungen: Welche Faktoren fördern oder hemmen",
        "Anwendung: Wie kann das Konzept in Verwaltung, Wirtschaft",
        "Finanzierung: Welche realistischen Wege",
        "Kommunikation: Mit welchen Botschaften",
        "Kraftfeldanalyse",
        "Touchpoint-Karte",
        "Mini-Canvas",
        "wechselnden Gruppen",
        "Standortmarketing-Kampagne 2026",
        "Landesprogramm Sachsen-Anhalt REGIO",
        "Wirtschafts-, Arbeits- und Lebensraum",
        "Rückkehrer",
        "Lisa Franke",
        "039322 – 726014",
        "039322 – 726 029",
        "management@altmark.de",
    ],
}


def _group_photo_size(text: str) -> int:
    caption = next(line for line in text.splitlines() if line.startswith("Gruppenbild"))
    return len(re.findall(r"\(([^)]+)\)", caption.split(":", 1)[1]))


# Figures the seeds write in words or give by counting: number on the page → where the seed
# says it.
WORDED = {
    "stadt-der-staedte": {
        "10000000": lambda text: "zehn Millionen Euro" in text,
        "5000000": lambda text: "5 Millionen Menschen" in text,
    },
    "leipzig-liebt-regionales": {"4": lambda text: "vierwöchige" in text},
    "altmark-mehr-platz-fuer-entfaltung": {
        "4": lambda text: "vier Themenfeldern" in text,
        "10": lambda text: _group_photo_size(text) == 10,
    },
}


def seed(slug: str) -> str:
    return (SEEDS / SEED_OF[slug]).read_text(encoding="utf-8")


def page_text(slug: str, *, without_measures: bool = False) -> str:
    html = Client().get(f"/kampagnen/{slug}/").content.decode()
    main = html.split('<main id="main"', 1)[1].split(">", 1)[1].split("</main>", 1)[0]
    if without_measures:  # the plan's own text, not the seed's
        main = re.sub(r'<section aria-labelledby="measures">.*?</section>', "", main, flags=re.S)
    main = re.sub(r"<(title|desc)[^>]*>.*?</\1>", " ", main, flags=re.S)
    main = re.sub(r"</span><wbr><span[^>]*>", "", main)  # e-mail addresses wrap before “@”
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", main)).split())


# Facts the page shows in the one form of a date (actionplan.schedule.schedule_display).
SHOWN_AS = {"2017 bis 2019": "2017–2019"}


def _numbers(text: str) -> set[str]:
    text = re.sub(r"\b\d{2}/(\d{4})\b", r"\1", text)  # “01/2024” is how the page shows a month
    return {n.replace(".", "").lstrip("0") or "0" for n in re.findall(r"\d+(?:\.\d{3})*", text)}


@pytest.mark.parametrize("slug", SEED_OF)
def test_every_fact_of_the_seed_is_on_the_campaign_page(demo_campaigns, slug):
    text = " ".join(seed(slug).split())
    page = page_text(slug)
    for fact in FACTS[slug]:
        assert fact in text, f"not a fact of the seed: {fact}"
        assert SHOWN_AS.get(fact, fact) in page, f"missing on the page: {fact}"


@pytest.mark.parametrize("slug", SEED_OF)
def test_no_figure_on_the_campaign_page_contradicts_the_seed(demo_campaigns, slug):
    text = seed(slug)
    given = _numbers(text)
    for number in _numbers(page_text(slug, without_measures=True)):
        if number in given:
            continue
        check = WORDED.get(slug, {}).get(number)
        assert check and check(text), f"{number} is not in seed {slug}"


def test_seed_000_data(demo_campaigns):
    campaign = demo_campaigns["leipzig-liebt-regionales"]
    assert campaign.organiser.short_name == "LTM"
    assert campaign.language_list == ["de", "en"]
    assert campaign.lifecycle == "running" and campaign.lifecycle_override == "running"
    figures = {f.name: (f.actual, f.unit) for f in campaign.key_figures.all()}
    assert figures["Auflage des Imageflyers (Beilage ZEIT-Magazin-Wochenmarkt)"] == (
        40000,
        "Exemplare",
    )
    assert figures["Dauer der Social-Media-Kampagne"] == (4, "Wochen")
    event = campaign.events.get()
    assert (event.kind, event.date_label, event.place) == (
        "network_meeting",
        "Januar 2024",
        "in einem Atelier",
    )
    planned = campaign.channels.filter(status="planned")
    assert sorted(planned.values_list("kind", flat=True)) == ["ads", "event", "podcast", "press"]
    assert set(planned.values_list("period_label", flat=True)) == {"Für das laufende Jahr"}
    # serves the Leipzig plan's marketing measures A and B, both ways
    measures = campaign.related_measures.order_by("code")
    assert [(m.field.plan.slug, m.field.slug, m.code) for m in measures] == [
        ("leipzig-2011", "marketing", "A"),
        ("leipzig-2011", "marketing", "B"),
    ]
    for measure in measures:
        html = Client().get(measure.get_absolute_url()).content.decode()
        assert f'href="{campaign.get_absolute_url()}"' in html
        assert (
            f'href="{measure.get_absolute_url()}"'
            in Client().get(campaign.get_absolute_url()).content.decode()
        )


def test_seed_001_data(demo_campaigns):
    campaign = demo_campaigns["bildungsmarketing-erfurt"]
    figure = campaign.key_figures.get()
    assert (figure.actual, figure.unit) == (600, "Bildungsakteure")
    contact = campaign.contact_links.select_related("person").get()
    assert (contact.person.full_name, contact.person.phone) == ("Torsten Haß", "0361/655-2951")
    assert campaign.partner_links.get(role="funder").organisation.name == "Lernen vor Ort"
    assert campaign.lifecycle == ""  # the seed names no period


def test_seed_002_data(demo_campaigns):
    campaign = demo_campaigns["stadt-der-staedte"]
    assert (campaign.motto, campaign.slogan) == (
        "Stadt der Städte",
        "5 Millionen Menschen, 53 Städte, 1 Metropole",
    )
    assert (campaign.budget_amount, campaign.budget_currency) == (10_000_000, "EUR")
    assert campaign.lifecycle == "completed"  # 2017 bis 2019
    assert campaign.partner_links.get(role="commissioning").organisation.name == "Ruhrparlament"
    kinds = dict(campaign.events.values_list("title", "kind"))
    assert kinds["Erste öffentliche Präsentation im RVR-Wirtschaftsausschuss"] == "presentation"
    assert kinds["Auswahl der Agenturen durch eine Fachjury"] == "decision"
    analysis = campaign.events.get(title="Imageanalyse")
    assert "traditionsbewusst, authentisch, weltoffen und zuverlässig" in analysis.results
    figures = {f.name: (f.target, f.actual) for f in campaign.key_figures.all()}
    assert figures["Budget"] == (10_000_000, None)
    assert figures["Städte in der Metropole Ruhr"] == (None, 53)


def test_seed_003_data(demo_campaigns):
    campaign = demo_campaigns["altmark-mehr-platz-fuer-entfaltung"]
    event = campaign.events.get()
    assert event.kind == "network_meeting"
    assert event.method_items == ["Kraftfeldanalyse", "Touchpoint-Karte", "Mini-Canvas"]
    assert len(event.topic_items) == 4
    assert event.participant_links.count() == 10
    assert "Umsetzungsplanung der Standortmarketing-Kampagne 2026" in event.results
    assert campaign.partner_links.get(role="funder").organisation.name == (
        "Landesprogramm Sachsen-Anhalt REGIO"
    )
    page = page_text("altmark-mehr-platz-fuer-entfaltung")
    for link in event.participant_links.select_related("person", "organisation"):
        assert f"{link.person.full_name} ({link.organisation.name})" in page


def test_every_campaign_reachable_from_the_home_page(demo_campaigns):
    home = Client().get("/").content.decode()
    assert 'href="/kampagnen/"' in home
    listing = Client().get("/kampagnen/").content.decode()
    for campaign in demo_campaigns.values():
        assert f'href="{campaign.get_absolute_url()}"' in listing
