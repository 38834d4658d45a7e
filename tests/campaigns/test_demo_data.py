"""The demo campaigns hold what the four seed texts say, and nothing they do not say."""

import datetime
import json
import re
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from campaigns.models import Campaign, CampaignEvent, Channel, EventParticipant
from imports.campaign_document import campaign_document_import
from tests.campaigns.conftest import DEMO_FILE
from tests.shared_data import module_data

pytestmark = pytest.mark.django_db

SEEDS = Path(__file__).parent / "seeds"
SEED_OF = {
    "leipzig-liebt-regionales": "000_4d629b362bbec53e.txt",
    "bildungsmarketing-erfurt": "001_0fa66d380c535228.txt",
    "stadt-der-staedte": "002_d5fbbfe6e4559391.txt",
    "altmark-mehr-platz-fuer-entfaltung": "003_6e2016b54bf309ae.txt",
}


def seed(slug: str) -> str:
    return (SEEDS / SEED_OF[slug]).read_text(encoding="utf-8")


def german_number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


@pytest.fixture(scope="module")
def demo_imported(django_db_setup, django_db_blocker):
    """The Leipzig plan and the demo document imported, once for the module (every test here
    uses them), rolled back after."""
    with module_data(django_db_blocker):
        call_command("load_demo_data", stdout=StringIO())
        campaign_document_import(data=json.loads(DEMO_FILE.read_text(encoding="utf-8")))
        yield


@pytest.fixture
def demo(demo_imported, db):
    return {c.slug: c for c in Campaign.objects.select_related("organiser")}


def test_demo_has_one_published_campaign_per_seed(demo):
    assert set(demo) == set(SEED_OF)
    assert {c.status for c in demo.values()} == {Campaign.Status.PUBLISHED}
    assert Campaign.objects.published().count() == 4


def test_demo_leipzig_organiser_is_ltm(demo):
    name, short = re.search(
        r"(Leipzig Tourismus und Marketing GmbH) \((\w+)\)", seed("leipzig-liebt-regionales")
    ).groups()
    organiser = demo["leipzig-liebt-regionales"].organiser
    assert (organiser.name, organiser.short_name) == (name, short) == (name, "LTM")


def test_demo_leipzig_flyer_reach_from_seed(demo):
    text = seed("leipzig-liebt-regionales")
    copies = int(re.search(r"Auflage von ([\d.]+) Exemplaren", text).group(1).replace(".", ""))
    flyer = demo["leipzig-liebt-regionales"].channels.get(reach_unit="Exemplare")
    assert flyer.reach == copies == 40000
    assert flyer.kind == Channel.Kind.PRINT and flyer.status == Channel.Status.DONE
    assert "ZEIT-Magazin-Wochenmarkt" in flyer.name
    assert (flyer.start_date, flyer.end_date, flyer.date_precision) == (
        datetime.date(2023, 1, 1),
        datetime.date(2023, 12, 31),
        "year",
    )
    english = demo["leipzig-liebt-regionales"].channels.get(languages="en")
    assert english.kind == Channel.Kind.PRINT and english.reach is None


def test_demo_leipzig_channels_done_and_planned(demo):
    channels = demo["leipzig-liebt-regionales"].channels.all()
    by_kind = {c.kind: c.status for c in channels if c.kind != Channel.Kind.PRINT}
    assert by_kind == {
        "online_pr": "done",
        "social_media": "done",
        "event": "planned",
        "press": "planned",
        "ads": "planned",
        "podcast": "planned",
    }
    assert "vierwöchige Social-Media-Kampagne" in seed("leipzig-liebt-regionales")


def test_demo_leipzig_network_meeting_january_2024(demo):
    event = demo["leipzig-liebt-regionales"].events.get()
    assert event.date_label == "Januar 2024"
    assert (event.date, event.date_precision) == (datetime.date(2024, 1, 1), "month")
    assert "Atelier" in event.place
    assert event.participants_count is None
    assert "Im Januar 2024 fand das erste Netzwerktreffen" in seed("leipzig-liebt-regionales")


def test_demo_erfurt_key_visual_used_by_600_actors(demo):
    actors = int(re.search(r"von (\d+) Bildungsakteuren", seed("bildungsmarketing-erfurt"))[1])
    visual = demo["bildungsmarketing-erfurt"].channels.get(kind=Channel.Kind.VISUAL)
    assert visual.reach == actors == 600
    assert "Bildungspunkt" in visual.name


def test_demo_erfurt_contact_and_partner_offices(demo):
    text = seed("bildungsmarketing-erfurt")
    city, name, phone = re.search(r"Kontakt: ([^,]+), ([^,]+), Telefon: (\S+)", text).groups()
    campaign = demo["bildungsmarketing-erfurt"]
    contact = campaign.contact_links.select_related("person__organisation").get()
    assert contact.person.full_name == name == "Torsten Haß"
    assert contact.person.phone == phone == "0361/655-2951"
    assert contact.person.organisation.name == city == campaign.organiser.name
    partners = campaign.partner_links.select_related("organisation__parent")
    assert [(p.organisation.name, p.role) for p in partners] == [
        ("Marketinggruppe", "organiser"),
        ("Öffentlichkeitsarbeit", "partner"),
        ("Jugendamt", "partner"),
        ("Kulturdirektion", "partner"),
        ("Amt für Bildung", "partner"),
        ("Lernen vor Ort", "funder"),
    ]
    for partner in partners:
        assert partner.organisation.name in text
    for partner in partners[:5]:
        assert partner.organisation.parent == campaign.organiser
    assert "„Lernen vor Ort“" in campaign.funding_note and "„Lernen vor Ort“" in text


def test_demo_ruhr_budget_ten_million_euro(demo):
    campaign = demo["stadt-der-staedte"]
    text = seed("stadt-der-staedte")
    assert "zehn Millionen Euro bewilligt" in text
    assert campaign.budget_amount == Decimal(10_000_000)
    assert campaign.budget_note in text
    assert "Verbandsversammlung des RVR" in campaign.budget_note
    assert (campaign.organiser.name, campaign.organiser.short_name) == (
        "Regionalverband Ruhr",
        "RVR",
    )
    assert "Regionalverbandes Ruhr (RVR)" in text


def test_demo_ruhr_seven_target_markets(demo):
    sentence = re.search(r"in (\w+) und den Zielländern ([^.]+)\.", seed("stadt-der-staedte"))
    home, rest = sentence.groups()
    names = [home, *re.split(r", | und ", rest)]
    markets = demo["stadt-der-staedte"].markets.all()
    assert len(names) == 7
    assert sorted(m.name for m in markets) == sorted(names)
    assert {m.iso_code for m in markets} == {"DE", "CN", "US", "NL", "GB", "TR", "PL"}


def test_demo_ruhr_agencies_jury_and_period(demo):
    text = seed("stadt-der-staedte")
    campaign = demo["stadt-der-staedte"]
    a, a_city, b, b_city = re.search(
        r"Bietergemeinschaft aus (.+?) \((\w+)\) und (.+?) \((\w+)\)", text
    ).groups()
    agencies = campaign.partner_links.filter(role="agency").select_related("organisation")
    assert [(p.organisation.name, p.organisation.address) for p in agencies] == [
        (a, a_city),
        (b, b_city),
    ]
    jury = int(re.search(r"(\d+)-köpfige Fachjury", text)[1])
    assert campaign.events.get(participants_count__isnull=False).participants_count == jury == 20
    assert campaign.period_label == "2017 bis 2019" and "2017 bis 2019" in text
    assert (campaign.start_date, campaign.end_date) == (
        datetime.date(2017, 1, 1),
        datetime.date(2019, 12, 31),
    )
    assert campaign.date_precision == "year"


def test_demo_ruhr_channels_and_web_presence(demo):
    text = seed("stadt-der-staedte")
    campaign = demo["stadt-der-staedte"]
    links = [(link.label, link.url, link.languages) for link in campaign.links.all()]
    assert links == [
        ("Kampagnen-Website", "https://www.metropole.ruhr", "de, en, zh"),
        ("Aktions-Seite bei Facebook", "https://www.facebook.com/stadtderstaedte", ""),
    ]
    assert "Infos: www.metropole.ruhr und www.facebook.com/stadtderstaedte" in text
    assert campaign.language_list == ["de", "en", "zh"]
    assert "in deutscher und englischer, ab Oktober auch in chinesischer Sprache" in text
    facebook = campaign.channels.get(kind=Channel.Kind.SOCIAL_MEDIA, url__contains="facebook")
    assert facebook.url.removeprefix("https://") in text
    website = campaign.channels.get(kind=Channel.Kind.WEBSITE, status=Channel.Status.DONE)
    assert website.language_list == ["de", "en"]
    chinese = campaign.channels.get(languages="zh")
    # announced in 2017; the campaign ended in 2019 and no source says whether it happened
    assert chinese.status == Channel.Status.UNREPORTED and chinese.period_label == "ab Oktober"
    # the press release is dated 2017-06, so “ab Oktober” is October 2017
    assert (chinese.start_date, chinese.date_precision) == (datetime.date(2017, 10, 1), "month")
    kinds = set(campaign.channels.values_list("kind", flat=True))
    assert {"video", "visual", "print", "event", "social_media", "website"} == kinds
    presentation = campaign.events.get(place="Bochum")
    assert "RVR-Wirtschaftsausschuss" in presentation.title
    assert "im RVR-Wirtschaftsausschuss in Bochum erstmals öffentlich präsentiert" in text


def test_demo_ruhr_target_groups(demo):
    names = set(demo["stadt-der-staedte"].target_groups.values_list("name", flat=True))
    assert {"Investoren", "Unternehmen", "Junge Berufstätige", "Studierende"} <= names
    # the seed's "Unternehmer" and "Unternehmen" are one target group (issue 18, item 8)
    assert "Unternehmer" not in names


def _group_photo():
    line = next(
        line
        for line in seed("altmark-mehr-platz-fuer-entfaltung").splitlines()
        if line.startswith("Gruppenbild")
    )
    return re.findall(r"([^,:()]+?) \(([^)]+)\)", line.split(":", 1)[1])


def test_demo_altmark_group_photo_participants(demo):
    photo = _group_photo()
    assert len(photo) == 10
    event = demo["altmark-mehr-platz-fuer-entfaltung"].events.get()
    participants = [
        (p.person.full_name, p.organisation.short_name or p.organisation.name)
        for p in event.participant_links.select_related("person", "organisation")
    ]
    assert participants == [(name.strip(), org) for name, org in photo]
    for participant in event.participant_links.select_related("person"):
        assert participant.person.organisation_id == participant.organisation_id
    assert event.participants_count is None


def test_demo_altmark_network_meeting_and_workshop_topics(demo):
    text = seed("altmark-mehr-platz-fuer-entfaltung")
    event = demo["altmark-mehr-platz-fuer-entfaltung"].events.get()
    assert event.title in text
    assert "in der Landessportschule Sachsen-Anhalt in Osterburg" in text
    assert event.place == "Landessportschule Sachsen-Anhalt in Osterburg"
    assert event.kind == CampaignEvent.Kind.NETWORK_MEETING
    block = text.split("vier Themenfeldern:\n", 1)[1].split("\nDie Arbeit", 1)[0]
    topics = block.splitlines()
    assert len(topics) == 4
    assert event.topic_items == topics
    methods = re.search(r"methodischen Ansätzen wie (.+?)\.", text)[1]
    assert event.method_items == re.split(r", | und ", methods)
    assert event.method_items == ["Kraftfeldanalyse", "Touchpoint-Karte", "Mini-Canvas"]
    assert event.results in text


def test_demo_altmark_contact_lisa_franke(demo):
    text = seed("altmark-mehr-platz-fuer-entfaltung")
    phone, fax, email = re.search(r"Tel\.: (.+?) \| Fax (.+?) \| E-Mail: (\S+)", text).groups()
    campaign = demo["altmark-mehr-platz-fuer-entfaltung"]
    contact = campaign.contact_links.select_related("person__organisation").get()
    assert contact.person.full_name == "Lisa Franke"
    assert (contact.person.phone, contact.fax, contact.person.email) == (phone, fax, email)
    assert contact.person.public_contact
    name = re.search(r"\n(.+)\nLisa Franke\n", text)[1]
    short = re.search(r"Tourismusverband \((\w+)\)", text)[1]
    assert (campaign.organiser.name, campaign.organiser.short_name) == (name, short)
    assert contact.person.organisation == campaign.organiser


def test_demo_altmark_funding_and_target_groups(demo):
    text = seed("altmark-mehr-platz-fuer-entfaltung")
    campaign = demo["altmark-mehr-platz-fuer-entfaltung"]
    assert campaign.funding_note.removesuffix(".") in text
    assert "Landesprogramm Sachsen-Anhalt REGIO" in campaign.funding_note
    assert campaign.period_label in text
    groups = set(campaign.target_groups.values_list("name", flat=True))
    assert groups == {"Investoren", "Fachkräfte", "Rückkehrer"}
    assert "Zielgruppen wie Investoren, Fachkräfte oder Rückkehrer" in text


def test_demo_figures_and_labels_all_come_from_the_seeds(demo):
    """No reach, participant count or verbatim label that its seed text does not contain."""
    for slug, campaign in demo.items():
        text = seed(slug)
        lowered = text.lower()
        assert campaign.period_label in text
        assert campaign.slogan in text
        assert campaign.motto in text
        for channel in Channel.objects.filter(campaign=campaign):
            if channel.reach is not None:
                assert german_number(channel.reach) in text, channel
            assert channel.reach_label in text, channel
            assert channel.period_label in text, channel
        for event in CampaignEvent.objects.filter(campaign=campaign):
            if event.participants_count is not None:
                assert str(event.participants_count) in text, event
            assert event.date_label in text, event
        for market in campaign.markets.all():
            assert market.name in text
        for group in campaign.target_groups.all():
            assert group.name.lower() in lowered, group
        for partner in campaign.partner_links.select_related("organisation"):
            assert partner.organisation.name.removeprefix("Stadt ") in text
        for contact in campaign.contact_links.select_related("person"):
            assert contact.person.full_name in text
            assert contact.person.phone in text and contact.fax in text
            assert contact.person.email in text
    participants = EventParticipant.objects.select_related("person", "organisation")
    altmark = seed("altmark-mehr-platz-fuer-entfaltung")
    for participant in participants:
        assert f"{participant.person.full_name} (" in altmark
        assert participant.organisation.name in altmark
    assert demo["bildungsmarketing-erfurt"].budget_amount is None
    assert demo["leipzig-liebt-regionales"].budget_amount is None
    assert demo["altmark-mehr-platz-fuer-entfaltung"].budget_amount is None
