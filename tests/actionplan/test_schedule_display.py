"""Fuzzy dates shown once, in the page's language (issue 18, item 8 and item 4)."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from actionplan import models as ap
from actionplan.schedule import parse_schedule, schedule_display
from campaigns.models import Campaign, CampaignEvent
from tests.actionplan.public_data import build_rich_plan
from tests.shared_data import module_data

pytestmark = pytest.mark.django_db

Y = datetime.date


def _shown(label, language, **dates):
    with translation.override(language):
        return schedule_display(label, **dates)


def _parsed(label):
    p = parse_schedule(label)
    return {
        "start": p.start,
        "end": p.end,
        "start_precision": p.start_precision,
        "end_precision": p.end_precision,
        "approximate": p.approximate,
    }


@pytest.mark.parametrize(
    ("label", "dates", "de", "en"),
    [
        # the raw values of issue 18 as the demo data stores them
        ("2023", {"start": Y(2023, 1, 1), "end": Y(2023, 12, 31)}, "2023", "2023"),
        (
            "2017 bis 2019",
            {"start": Y(2017, 1, 1), "end": Y(2019, 12, 31)},
            "2017–2019",
            "2017–2019",
        ),
        ("2017-06", {"start": Y(2017, 6, 1), "end": Y(2017, 6, 1)}, "Juni 2017", "June 2017"),
        (
            "Ende Januar",
            {"start": Y(2017, 1, 1), "end": Y(2017, 1, 1)},
            "Ende Januar 2017",
            "end of January 2017",
        ),
        ("ab Oktober", {"start": Y(2017, 10, 1)}, "ab Oktober 2017", "from October 2017"),
    ],
)
def test_date_field_shows_its_date_once_in_the_page_language(label, dates, de, en):
    for language, expected in (("de", de), ("en", en)):
        shown = _shown(label, language, exact=False, start_precision="month", **dates)
        assert shown.dates == expected
        assert shown.from_phrase


@pytest.mark.parametrize(
    ("label", "de", "en", "words"),
    [
        ("Januar 2011: Arbeitsaufnahme", "Januar 2011", "January 2011", "Arbeitsaufnahme"),
        ("2011 - 2012", "2011–2012", "2011–2012", ""),
        (
            "März 2011 – Dezember 2012",
            "März 2011 – Dezember 2012",
            "March 2011 – December 2012",
            "",
        ),
        ("II. Quartal 2011", "2. Quartal 2011", "Q2 2011", ""),
        ("Umsetzung bis 2012", "bis 2012", "until 2012", "Umsetzung"),
        (
            "Start der Maßnahmen ab Q3 2011",
            "ab 3. Quartal 2011",
            "from Q3 2011",
            "Start der Maßnahmen",
        ),
        ("Ende 2012", "Ende 2012", "end of 2012", ""),
        ("Anfang 2012", "Anfang 2012", "early 2012", ""),
        ("Mitte 2011", "Mitte 2011", "mid-2011", ""),
        ("Sommer 2011", "Sommer 2011", "summer 2011", ""),
        ("2. Halbjahr 2011", "2. Halbjahr 2011", "second half of 2011", ""),
        ("ca. Juli 2011", "ca. Juli 2011", "approx. July 2011", ""),
        (
            "Recherche: ab II. Quartal 2011, permanente Aktualisierung",
            "ab 2. Quartal 2011",
            "from Q2 2011",
            "Recherche, permanente Aktualisierung",
        ),
        (
            "Testphase beginnt 03/11 (Beta-Test)",
            "ab März 2011",
            "from March 2011",
            "Testphase (Beta-Test)",
        ),
        (
            "ab Herbst 2011 bis Ende 2012: Umsetzung",
            "Herbst 2011 – Ende 2012",
            "autumn 2011 – end of 2012",
            "Umsetzung",
        ),
    ],
)
def test_schedule_phrase_is_read_once_in_both_languages(label, de, en, words):
    for language, expected in (("de", de), ("en", en)):
        shown = _shown(label, language, **_parsed(label))
        assert (shown.dates, shown.words, shown.from_phrase) == (expected, words, True)


def test_phrase_without_a_date_is_shown_as_entered():
    shown = _shown("im Anschluss an Mapping", "en")
    assert (shown.dates, shown.words, shown.from_phrase) == ("", "im Anschluss an Mapping", False)
    assert parse_schedule("Ende Januar").is_dated is False  # no year, no context: no guess


def test_dates_entered_by_hand_are_shown_with_the_whole_phrase():
    shown = _shown(
        "im Anschluss an Mapping",
        "de",
        start=Y(2011, 9, 1),
        end=Y(2011, 12, 31),
        start_precision="month",
        end_precision="month",
    )
    assert shown.dates == "September 2011 – Dezember 2011"
    assert shown.words == "im Anschluss an Mapping" and not shown.from_phrase


def _render(source, language, **context):
    with translation.override(language):
        return Template("{% load planwerk_public %}" + source).render(Context(context))


def test_schedule_label_tag_keeps_the_german_phrase_on_german_pages():
    entry = ap.ScheduleEntry(label="Januar 2011: Arbeitsaufnahme")
    entry.apply_dates()
    assert _render("{% schedule_label e 'de' %}", "de", e=entry) == "Januar 2011: Arbeitsaufnahme"
    assert (
        _render("{% schedule_label e 'de' %}", "en", e=entry)
        == 'January 2011: <span lang="de">Arbeitsaufnahme</span>'
        ' <span class="in-german">(in German)</span>'  # issue 21: never silently German
    )
    only_date = ap.ScheduleEntry(label="2011 - 2012")
    only_date.apply_dates()
    assert _render("{% schedule_label e 'de' %}", "de", e=only_date) == "2011–2012"


def test_language_note_only_when_the_page_language_differs():
    assert _render("{% language_note 'de' %}", "de") == ""
    assert _render("{% language_note 'de' %}", "en") == '<p class="lang-note">Content in German</p>'
    assert (
        _render("{% language_note 'en' %}", "de") == '<p class="lang-note">Inhalt auf Englisch</p>'
    )


@pytest.fixture(scope="module")
def plan_pk(django_db_setup, django_db_blocker):
    """Built once for the module (~0.5 s), rolled back at its end (tests/shared_data.py)."""
    with module_data(django_db_blocker):
        yield build_rich_plan(slug="leipzig").pk


@pytest.fixture
def plan(plan_pk, db):
    """Read again for each test: one test's changes to the instance never reach another."""
    return ap.Plan.objects.get(pk=plan_pk)


def _first_measure(plan):
    return ap.Measure.objects.filter(field__plan=plan).order_by("field__position", "position")[0]


def test_english_measure_page_has_english_dates_and_no_repetition(client, plan):
    plan.issued_label = "Mai 2011"
    plan.save()
    measure = _first_measure(plan)
    measure.schedule.all().delete()
    for position, label in enumerate(["Januar 2011: Arbeitsaufnahme", "2023", "2011 - 2012"], 1):
        ap.ScheduleEntry.objects.create(measure=measure, position=position, label=label)
    with translation.override("en"):
        url = measure.get_absolute_url()
        plan_url = plan.get_absolute_url()
    assert url.startswith("/en/")
    html = client.get(url).content.decode()
    assert 'January 2011: <span lang="de">Arbeitsaufnahme</span>' in html
    assert "Januar 2011" not in html
    assert "(2023)" not in html and "(01/2011)" not in html and "(2011 – 2012)" not in html
    assert "2011–2012" in html
    assert '<p class="lang-note">Content in German</p>' in html
    plan_html = client.get(plan_url).content.decode()
    assert "May 2011" in plan_html and "Mai 2011" not in plan_html
    assert '<p class="lang-note">Content in German</p>' in plan_html


def test_german_measure_page_shows_the_phrase_once_and_no_note(client, plan):
    measure = _first_measure(plan)
    measure.schedule.all().delete()
    ap.ScheduleEntry.objects.create(
        measure=measure, position=1, label="Januar 2011: Arbeitsaufnahme"
    )
    html = client.get(measure.get_absolute_url()).content.decode()
    assert html.count("Januar 2011: Arbeitsaufnahme") >= 1
    assert "(01/2011)" not in html
    assert "lang-note" not in html
    assert "lang-note" not in client.get(measure.field.get_absolute_url()).content.decode()


def test_campaign_page_shows_period_and_event_dates_once_in_the_page_language(client):
    campaign = Campaign.objects.create(
        title="Stadt der Städte",
        slug="stadt-der-staedte",
        region="Metropole Ruhr",
        status=Campaign.Status.PUBLISHED,
        period_label="2017 bis 2019",
    )
    CampaignEvent.objects.create(
        campaign=campaign,
        title="Auswahl der Agenturen",
        kind="decision",
        date=Y(2017, 1, 1),
        date_precision="month",
        date_label="Ende Januar",
    )
    CampaignEvent.objects.create(
        campaign=campaign, title="Präsentation", kind="presentation", date_label="2017-06"
    )
    german = client.get(campaign.get_absolute_url()).content.decode()
    assert "Ende Januar 2017" in german and "Juni 2017" in german and "2017–2019" in german
    assert "(2017 – 2019)" not in german and "(06/2017)" not in german
    assert "lang-note" not in german
    with translation.override("en"):
        url = campaign.get_absolute_url()
    english = client.get(url).content.decode()
    assert "end of January 2017" in english and "June 2017" in english
    assert "Januar 2017" not in english and "Juni 2017" not in english
    assert '<p class="lang-note">Content in German</p>' in english
