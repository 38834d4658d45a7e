import datetime
import random
import re
from pathlib import Path

import pytest
from django.utils import translation

from actionplan.models import ScheduleEntry
from actionplan.schedule import ParsedSchedule, Precision, parse_schedule
from tests.factories import ScheduleEntryFactory

D = datetime.date
DAY, MONTH, QUARTER = Precision.DAY, Precision.MONTH, Precision.QUARTER
HALF, SEASON, YEAR = Precision.HALF_YEAR, Precision.SEASON, Precision.YEAR

SEED_FILE = Path("/work/shared/seeds/004_e067e993a6c8f863.txt")

# Every "Zeitplan" line of the Leipzig plan (seed 004), literally:
# (label, start, start precision, end, end precision, approximate).
# An undated phrase has start and end None.
SEED_SCHEDULE = [
    ("Januar 2011: Arbeitsaufnahme", D(2011, 1, 1), MONTH, D(2011, 1, 31), MONTH, False),
    (
        "21. Februar 2011: öffentliche Vorstellung bei der Veranstaltung im Werk II",
        D(2011, 2, 21),
        DAY,
        D(2011, 2, 21),
        DAY,
        False,
    ),
    ("März 2011 – Dezember 2012: Umsetzung", D(2011, 3, 1), MONTH, D(2012, 12, 31), MONTH, False),
    ("März 2011 – Dezember 2012", D(2011, 3, 1), MONTH, D(2012, 12, 31), MONTH, False),
    ("im Anschluss an Mapping", None, "", None, "", False),
    (
        "Ableitungen nach Vorliegen der Ergebnisse der Studie zur Medien- und "
        "Kreativwirtschaft im Juni 2011",
        D(2011, 6, 1),
        MONTH,
        D(2011, 6, 30),
        MONTH,
        False,
    ),
    ("Start der Maßnahmen ab Q3 2011", D(2011, 7, 1), QUARTER, None, "", False),
    (
        "Recherche: ab II. Quartal 2011, permanente Aktualisierung",
        D(2011, 4, 1),
        QUARTER,
        None,
        "",
        False,
    ),
    ("Feedback: ab sofort", None, "", None, "", False),
    (
        "Beginn der Konzepterarbeitung im Anschluss an die Veröffentlichung der "
        "Studienergebnisse Medien- und Kreativwirtschaft (Grundlage IST-Analyse)",
        None,
        "",
        None,
        "",
        False,
    ),
    (
        "Ausschreibung Kommunikationskonzepterarbeitung ca. Juli 2011",
        D(2011, 7, 1),
        MONTH,
        D(2011, 7, 31),
        MONTH,
        True,
    ),
    ("Umsetzung bis 2012", None, "", D(2012, 12, 31), YEAR, False),
    (
        "Initiierung/ Entwicklung eines techn. Und inhaltlichen Grundgerüsts",
        None,
        "",
        None,
        "",
        False,
    ),
    ("Testphase beginnt 03/11 (Beta-Test)", D(2011, 3, 1), MONTH, None, "", False),
    (
        "Einspeisen von weiteren Datenquellen Mai 2011",
        D(2011, 5, 1),
        MONTH,
        D(2011, 5, 31),
        MONTH,
        False,
    ),
    (
        "Klärung Betreibermodell Juli 2011 geplant",
        D(2011, 7, 1),
        MONTH,
        D(2011, 7, 31),
        MONTH,
        False,
    ),
    (
        "Einbindung der Kommunikationsplattform in das Marketing- und Kommunikationskonzeptes",
        None,
        "",
        None,
        "",
        False,
    ),
    ("zielgruppenspezifische Überarbeitung der Gestaltung (Layout)", None, "", None, "", False),
    (
        "Ausbau von Info- zu Kommunikationsplattform 2012",
        D(2012, 1, 1),
        YEAR,
        D(2012, 12, 31),
        YEAR,
        False,
    ),
    (
        "Erstellung Businessplan/ Konzept und Finanzierung II. Quartal 2011",
        D(2011, 4, 1),
        QUARTER,
        D(2011, 6, 30),
        QUARTER,
        False,
    ),
    ("Umsetzung Start III. Quartal 2011 (Untersetzung)", D(2011, 7, 1), QUARTER, None, "", False),
    ("2011 - 2012", D(2011, 1, 1), YEAR, D(2012, 12, 31), YEAR, False),
    ("ab März 2011, permanente Aktualisierung", D(2011, 3, 1), MONTH, None, "", False),
    ("ab Sommer/Herbst 2011: Auswahl der Einzelmaßnahmen", D(2011, 6, 1), SEASON, None, "", False),
    (
        "ab Herbst 2011 bis Ende 2012: Umsetzung der Einzelmaßnahmen",
        D(2011, 9, 1),
        SEASON,
        D(2012, 12, 31),
        YEAR,
        False,
    ),
]

FORMATS = [
    # points
    ("Januar 2011", D(2011, 1, 1), MONTH, D(2011, 1, 31), MONTH, False),
    ("Februar 2012", D(2012, 2, 1), MONTH, D(2012, 2, 29), MONTH, False),
    ("21. Februar 2011", D(2011, 2, 21), DAY, D(2011, 2, 21), DAY, False),
    ("29. Februar 2012", D(2012, 2, 29), DAY, D(2012, 2, 29), DAY, False),
    ("21.02.2011", D(2011, 2, 21), DAY, D(2011, 2, 21), DAY, False),
    ("2011-03-15", D(2011, 3, 15), DAY, D(2011, 3, 15), DAY, False),
    ("II. Quartal 2011", D(2011, 4, 1), QUARTER, D(2011, 6, 30), QUARTER, False),
    ("III. Quartal 2011", D(2011, 7, 1), QUARTER, D(2011, 9, 30), QUARTER, False),
    ("IV. Quartal 2011", D(2011, 10, 1), QUARTER, D(2011, 12, 31), QUARTER, False),
    ("Q3 2011", D(2011, 7, 1), QUARTER, D(2011, 9, 30), QUARTER, False),
    ("Q1/2012", D(2012, 1, 1), QUARTER, D(2012, 3, 31), QUARTER, False),
    ("1. Quartal 2012", D(2012, 1, 1), QUARTER, D(2012, 3, 31), QUARTER, False),
    ("erstes Quartal 2012", D(2012, 1, 1), QUARTER, D(2012, 3, 31), QUARTER, False),
    ("2. Halbjahr 2011", D(2011, 7, 1), HALF, D(2011, 12, 31), HALF, False),
    ("1. Hj. 2012", D(2012, 1, 1), HALF, D(2012, 6, 30), HALF, False),
    ("II. Halbjahr 2011", D(2011, 7, 1), HALF, D(2011, 12, 31), HALF, False),
    ("H1 2012", D(2012, 1, 1), HALF, D(2012, 6, 30), HALF, False),
    ("zweite Jahreshälfte 2011", D(2011, 7, 1), HALF, D(2011, 12, 31), HALF, False),
    ("2012", D(2012, 1, 1), YEAR, D(2012, 12, 31), YEAR, False),
    ("Frühjahr 2011", D(2011, 3, 1), SEASON, D(2011, 5, 31), SEASON, False),
    ("Frühling 2011", D(2011, 3, 1), SEASON, D(2011, 5, 31), SEASON, False),
    ("Sommer 2011", D(2011, 6, 1), SEASON, D(2011, 8, 31), SEASON, False),
    ("Herbst 2011", D(2011, 9, 1), SEASON, D(2011, 11, 30), SEASON, False),
    ("Winter 2011", D(2011, 12, 1), SEASON, D(2012, 2, 29), SEASON, False),
    ("Winter 2011/12", D(2011, 12, 1), SEASON, D(2012, 2, 29), SEASON, False),
    ("Winter 2012/2013", D(2012, 12, 1), SEASON, D(2013, 2, 28), SEASON, False),
    ("03/11", D(2011, 3, 1), MONTH, D(2011, 3, 31), MONTH, False),
    ("12/11", D(2011, 12, 1), MONTH, D(2011, 12, 31), MONTH, False),
    ("03/2011", D(2011, 3, 1), MONTH, D(2011, 3, 31), MONTH, False),
    ("Stand 03.2011", D(2011, 3, 1), MONTH, D(2011, 3, 31), MONTH, False),
    ("2011/12", D(2011, 1, 1), YEAR, D(2012, 12, 31), YEAR, False),
    ("Sept. 2011", D(2011, 9, 1), MONTH, D(2011, 9, 30), MONTH, False),
    ("MÄRZ 2011", D(2011, 3, 1), MONTH, D(2011, 3, 31), MONTH, False),
    ("January 2012", D(2012, 1, 1), MONTH, D(2012, 1, 31), MONTH, False),
    ("im Jahr 2012", D(2012, 1, 1), YEAR, D(2012, 12, 31), YEAR, False),
    ("Januar\u00a02011", D(2011, 1, 1), MONTH, D(2011, 1, 31), MONTH, False),
    # ranges
    ("März 2011 – Dezember 2012", D(2011, 3, 1), MONTH, D(2012, 12, 31), MONTH, False),
    ("März 2011 - Dezember 2012", D(2011, 3, 1), MONTH, D(2012, 12, 31), MONTH, False),
    ("März 2011 — Dezember 2012", D(2011, 3, 1), MONTH, D(2012, 12, 31), MONTH, False),
    ("März 2011 bis Dezember 2012", D(2011, 3, 1), MONTH, D(2012, 12, 31), MONTH, False),
    ("von März 2011 bis Dezember 2012", D(2011, 3, 1), MONTH, D(2012, 12, 31), MONTH, False),
    ("2011 - 2012", D(2011, 1, 1), YEAR, D(2012, 12, 31), YEAR, False),
    ("2011-2012", D(2011, 1, 1), YEAR, D(2012, 12, 31), YEAR, False),
    ("2011–2012", D(2011, 1, 1), YEAR, D(2012, 12, 31), YEAR, False),
    ("zwischen 2011 und 2012", D(2011, 1, 1), YEAR, D(2012, 12, 31), YEAR, False),
    ("Januar bis März 2011", D(2011, 1, 1), MONTH, D(2011, 3, 31), MONTH, False),
    ("Januar – März 2011", D(2011, 1, 1), MONTH, D(2011, 3, 31), MONTH, False),
    ("November bis Februar 2012", D(2011, 11, 1), MONTH, D(2012, 2, 29), MONTH, False),
    ("21.–23. Februar 2011", D(2011, 2, 21), DAY, D(2011, 2, 23), DAY, False),
    ("21. Januar bis 3. Februar 2011", D(2011, 1, 21), DAY, D(2011, 2, 3), DAY, False),
    ("Q2–Q3 2011", D(2011, 4, 1), QUARTER, D(2011, 9, 30), QUARTER, False),
    (
        "4. Quartal 2011 bis 1. Quartal 2012",
        D(2011, 10, 1),
        QUARTER,
        D(2012, 3, 31),
        QUARTER,
        False,
    ),
    ("Mai 2011 – 2012", D(2011, 5, 1), MONTH, D(2012, 12, 31), YEAR, False),
    ("März 2011 – März 2011", D(2011, 3, 1), MONTH, D(2011, 3, 31), MONTH, False),
    # alternatives span both
    ("Sommer/Herbst 2011", D(2011, 6, 1), SEASON, D(2011, 11, 30), SEASON, False),
    ("Mai/Juni 2011", D(2011, 5, 1), MONTH, D(2011, 6, 30), MONTH, False),
    ("Mai oder Juni 2011", D(2011, 5, 1), MONTH, D(2011, 6, 30), MONTH, False),
    ("Winter/Frühjahr 2012", D(2011, 12, 1), SEASON, D(2012, 5, 31), SEASON, False),
    ("Sommer/Herbst 2011 – Ende 2012", D(2011, 6, 1), SEASON, D(2012, 12, 31), YEAR, False),
    # open start
    ("ab März 2011", D(2011, 3, 1), MONTH, None, "", False),
    ("ab Sommer/Herbst 2011", D(2011, 6, 1), SEASON, None, "", False),
    ("seit 2010", D(2010, 1, 1), YEAR, None, "", False),
    ("Beginn Mai 2011", D(2011, 5, 1), MONTH, None, "", False),
    ("Beginn: Mai 2011", D(2011, 5, 1), MONTH, None, "", False),
    ("Beginn der Umsetzung im Mai 2011", D(2011, 5, 1), MONTH, None, "", False),
    ("Start 2012", D(2012, 1, 1), YEAR, None, "", False),
    ("Projekt startet Herbst 2011", D(2011, 9, 1), SEASON, None, "", False),
    ("Start der Maßnahmen ab Q3 2011", D(2011, 7, 1), QUARTER, None, "", False),
    ("ab Ende 2011", D(2011, 12, 1), MONTH, None, "", True),
    ("nach Juni 2011", D(2011, 7, 1), MONTH, None, "", False),
    # open start with an end
    ("ab Herbst 2011 bis Ende 2012", D(2011, 9, 1), SEASON, D(2012, 12, 31), YEAR, False),
    ("ab Herbst 2011 bis 2012", D(2011, 9, 1), SEASON, D(2012, 12, 31), YEAR, False),
    (
        "ab März 2011, Abschluss bis Ende 2012",
        D(2011, 3, 1),
        MONTH,
        D(2012, 12, 31),
        YEAR,
        False,
    ),
    ("ab März 2011, Bericht Mai 2012", D(2011, 3, 1), MONTH, None, "", False),
    # end only
    ("bis 2012", None, "", D(2012, 12, 31), YEAR, False),
    ("bis Ende 2012", None, "", D(2012, 12, 31), YEAR, False),
    ("Ende 2012", None, "", D(2012, 12, 31), YEAR, False),
    ("Jahresende 2012", None, "", D(2012, 12, 31), YEAR, False),
    ("Ende des Jahres 2012", None, "", D(2012, 12, 31), YEAR, False),
    ("Ende des II. Quartals 2011", None, "", D(2011, 6, 30), QUARTER, False),
    ("Ende März 2012", None, "", D(2012, 3, 31), MONTH, False),
    ("bis spätestens 31. März 2011", None, "", D(2011, 3, 31), DAY, False),
    ("spätestens Mai 2011", None, "", D(2011, 5, 31), MONTH, False),
    ("vor 2012", None, "", D(2011, 12, 31), YEAR, False),
    ("bis Anfang 2012", None, "", D(2012, 1, 31), MONTH, True),
    # approximate
    ("ca. Juli 2011", D(2011, 7, 1), MONTH, D(2011, 7, 31), MONTH, True),
    ("circa Juli 2011", D(2011, 7, 1), MONTH, D(2011, 7, 31), MONTH, True),
    ("etwa Juli 2011", D(2011, 7, 1), MONTH, D(2011, 7, 31), MONTH, True),
    ("voraussichtlich Juli 2011", D(2011, 7, 1), MONTH, D(2011, 7, 31), MONTH, True),
    ("Juli 2011 (voraussichtlich)", D(2011, 7, 1), MONTH, D(2011, 7, 31), MONTH, True),
    ("voraussichtlich ab 2012", D(2012, 1, 1), YEAR, None, "", True),
    ("ab ca. Juli 2011", D(2011, 7, 1), MONTH, None, "", True),
    ("gegen Ende 2012", None, "", D(2012, 12, 31), YEAR, True),
    ("ca. 2012", D(2012, 1, 1), YEAR, D(2012, 12, 31), YEAR, True),
    ("Mitte 2011", D(2011, 6, 1), MONTH, D(2011, 7, 31), MONTH, True),
    ("Mitte März 2011", D(2011, 3, 1), MONTH, D(2011, 3, 31), MONTH, True),
    ("Anfang 2012", D(2012, 1, 1), YEAR, None, "", True),
    ("Anfang März 2012", D(2012, 3, 1), MONTH, None, "", True),
    ("Anfang 2011 bis Ende 2012", D(2011, 1, 1), YEAR, D(2012, 12, 31), YEAR, True),
    ("ab Mitte 2011", D(2011, 6, 1), MONTH, None, "", True),
    # numbers that are not years, next to real dates
    ("ca. 2000 Teilnehmer im Mai 2011", D(2011, 5, 1), MONTH, D(2011, 5, 31), MONTH, False),
    ("Straßenbahnlinie 14, ab 2012", D(2012, 1, 1), YEAR, None, "", False),
    ("Werk II, 2012", D(2012, 1, 1), YEAR, D(2012, 12, 31), YEAR, False),
    ("2000 Euro für Druck, Juni 2011", D(2011, 6, 1), MONTH, D(2011, 6, 30), MONTH, False),
    ("Drucksache 50/50, Juni 2011", D(2011, 6, 1), MONTH, D(2011, 6, 30), MONTH, False),
    ("Mai 2011, Juni 2012", D(2011, 5, 1), MONTH, D(2011, 5, 31), MONTH, False),
]

UNDATED = [
    # (label, English reason, German reason)
    ("", "no date recognised", "kein Datum erkannt"),
    ("   ", "no date recognised", "kein Datum erkannt"),
    ("ab sofort", "no date recognised", "kein Datum erkannt"),
    ("laufend", "no date recognised", "kein Datum erkannt"),
    ("im Mai", "no date recognised", "kein Datum erkannt"),
    ("Sommer", "no date recognised", "kein Datum erkannt"),
    ("Januar bis März", "no date recognised", "kein Datum erkannt"),
    ("Straßenbahnlinie 14", "no date recognised", "kein Datum erkannt"),
    ("Linie 2011", "no date recognised", "kein Datum erkannt"),
    ("Nr. 2011", "no date recognised", "kein Datum erkannt"),
    ("Werk II", "no date recognised", "kein Datum erkannt"),
    ("5000 Teilnehmer", "no date recognised", "kein Datum erkannt"),
    ("2000 Teilnehmer", "no date recognised", "kein Datum erkannt"),
    ("rund 2011 Besucher", "no date recognised", "kein Datum erkannt"),
    ("2000 Euro", "no date recognised", "kein Datum erkannt"),
    ("2012 €", "no date recognised", "kein Datum erkannt"),
    ("Tel. 0341-2011", "no date recognised", "kein Datum erkannt"),
    ("Version 2.2011", "no date recognised", "kein Datum erkannt"),
    ("2012er Jahrgang", "no date recognised", "kein Datum erkannt"),
    ("1850", "no date recognised", "kein Datum erkannt"),
    ("Januar 1850", "no date recognised", "kein Datum erkannt"),
    ("2200", "no date recognised", "kein Datum erkannt"),
    ("13/11", "no date recognised", "kein Datum erkannt"),
    ("00/11", "no date recognised", "kein Datum erkannt"),
    ("50/50", "no date recognised", "kein Datum erkannt"),
    ("32. Februar 2011", "invalid date", "ungültiges Datum"),
    ("29. Februar 2011", "invalid date", "ungültiges Datum"),
    ("31.04.2011", "invalid date", "ungültiges Datum"),
    ("0. Mai 2011", "invalid date", "ungültiges Datum"),
    ("2011-13-01", "invalid date", "ungültiges Datum"),
    ("Q5 2011", "invalid date", "ungültiges Datum"),
    ("Q0 2011", "invalid date", "ungültiges Datum"),
    ("V. Quartal 2011", "invalid date", "ungültiges Datum"),
    ("3. Halbjahr 2011", "invalid date", "ungültiges Datum"),
    ("Winter 2011/13", "invalid date", "ungültiges Datum"),
    ("2011/2013", "invalid date", "ungültiges Datum"),
    ("Sommer/Herbst 2011 bis Q5 2012", "invalid date", "ungültiges Datum"),
    ("Mai 2011 – 32. Juni 2011", "invalid date", "ungültiges Datum"),
    ("Dezember 2012 – März 2011", "the end lies before the start", "das Ende liegt vor dem Anfang"),
    ("ab 2011 bis 2010", "the end lies before the start", "das Ende liegt vor dem Anfang"),
    ("2012 - 2011", "the end lies before the start", "das Ende liegt vor dem Anfang"),
    (
        "Sommer 2011 bis Frühjahr 2011",
        "the end lies before the start",
        "das Ende liegt vor dem Anfang",
    ),
    ("25.–3. März 2011", "the end lies before the start", "das Ende liegt vor dem Anfang"),
]


def _dates(parsed: ParsedSchedule):
    return (
        parsed.start,
        parsed.start_precision,
        parsed.end,
        parsed.end_precision,
        parsed.approximate,
    )


@pytest.mark.parametrize("row", SEED_SCHEDULE, ids=[row[0][:50] for row in SEED_SCHEDULE])
def test_parse_schedule_reads_every_leipzig_phrase(row):
    parsed = parse_schedule(row[0])

    assert _dates(parsed) == row[1:]
    if row[1] is None and row[3] is None:
        assert not parsed.is_dated
        with translation.override("de"):
            assert str(parsed.reason) == "kein Datum erkannt"
    else:
        assert parsed.is_dated
        assert parsed.reason == ""


@pytest.mark.skipif(not SEED_FILE.exists(), reason="seed file of the Leipzig plan not mounted")
def test_seed_schedule_table_lists_every_zeitplan_line_of_the_seed():
    lines = SEED_FILE.read_text(encoding="utf-8").splitlines()
    phrases = []
    for index, line in enumerate(lines):
        if line.strip() != "Zeitplan":
            continue
        for following in lines[index + 1 :]:
            if following.strip() == "Verantwortung":
                break
            if following.startswith("- "):
                phrases.append(following[2:].strip())

    assert len(phrases) == 25
    assert phrases == [row[0] for row in SEED_SCHEDULE]


@pytest.mark.parametrize("row", FORMATS, ids=[row[0] for row in FORMATS])
def test_parse_schedule_reads_format(row):
    parsed = parse_schedule(row[0])

    assert _dates(parsed) == row[1:]
    assert parsed.reason == ""


@pytest.mark.parametrize("label, english, german", UNDATED, ids=[row[0] for row in UNDATED])
def test_parse_schedule_leaves_undated_with_reason(label, english, german):
    parsed = parse_schedule(label)

    assert not parsed.is_dated
    assert (parsed.start, parsed.end) == (None, None)
    assert (parsed.start_precision, parsed.end_precision) == ("", "")
    assert parsed.approximate is False
    with translation.override("en"):
        assert str(parsed.reason) == english
    with translation.override("de"):
        assert str(parsed.reason) == german


@pytest.mark.parametrize("value", [None, 2011, 2011.0, b"Mai 2011", ["Mai 2011"], object()])
def test_parse_schedule_treats_non_text_as_undated(value):
    parsed = parse_schedule(value)

    assert not parsed.is_dated
    with translation.override("en"):
        assert str(parsed.reason) == "no date recognised"


def test_parse_schedule_gives_a_reason_only_when_undated():
    for row in SEED_SCHEDULE + FORMATS:
        parsed = parse_schedule(row[0])
        assert bool(parsed.reason) is not parsed.is_dated, row[0]


LONG_INPUTS = [
    ("1" * 10_000, None, None),
    ("Januar" + " " * 10_000 + "x", None, None),
    ("Januar " * 1_430, None, None),
    ("Januar – " * 1_100, None, None),
    ("ab " * 3_333, None, None),
    ("II. " * 2_500, None, None),
    ("Q" * 10_000, None, None),
    ("1." * 5_000, None, None),
    ("03/" * 3_333, None, None),
    ("-" * 10_000, None, None),
    ("21.–" * 2_500, None, None),
    ("Sommer/" * 1_428, None, None),
    ("x" * 9_990 + " Mai 2011", D(2011, 5, 1), D(2011, 5, 31)),
    ("Mai 2011 " + "y" * 9_990, D(2011, 5, 1), D(2011, 5, 31)),
    ("bis " * 2_500 + "2012", None, D(2012, 12, 31)),
    ("2011 " * 2_000, D(2011, 1, 1), D(2011, 12, 31)),
    (("ab Sommer/Herbst 2011 bis Ende 2012 ca. " * 300)[:10_000], D(2011, 6, 1), D(2012, 12, 31)),
]


@pytest.mark.parametrize(
    "label, start, end",
    LONG_INPUTS,
    ids=[f"{row[0][:12]}…{i}" for i, row in enumerate(LONG_INPUTS)],
)
def test_parse_schedule_handles_long_hostile_input(label, start, end):
    assert len(label) >= 9_900
    parsed = parse_schedule(label)

    assert (parsed.start, parsed.end) == (start, end)


def test_parse_schedule_never_raises_or_inverts_on_random_fragments():
    fragments = [
        "ab", "bis", "Ende", "Anfang", "Mitte", "ca.", "–", "-", "/", ",", ":", "(", ")", "II.",
        "Quartal", "Q3", "Q5", "Hj.", "Halbjahr", "2.", "32.", "21.", "Februar", "März", "Mai",
        "Sommer", "Winter", "2011", "2012", "2199", "2200", "1899", "03/11", "13/11", "11/12",
        "2011/12", "Start", "beginnt", "vor", "nach", "und", "oder", "sofort", "Werk", "14",
        "5000", "Teilnehmer", "des", "Jahres", "\u00a0", "", "ß", "€",
    ]  # fmt: skip
    rng = random.Random(20110221)
    for _ in range(3_000):
        label = " ".join(rng.choice(fragments) for _ in range(rng.randint(0, 12)))
        parsed = parse_schedule(label)
        if parsed.start and parsed.end:
            assert parsed.start <= parsed.end, label
        assert bool(parsed.start) == bool(parsed.start_precision), label
        assert bool(parsed.end) == bool(parsed.end_precision), label
        assert parsed.start_precision in {"", *Precision.values}, label
        assert parsed.end_precision in {"", *Precision.values}, label
        for day in (parsed.start, parsed.end):
            assert day is None or 1900 <= day.year <= 2200, label


def test_parse_schedule_only_finds_years_that_are_written():
    rng = random.Random(4)
    for _ in range(500):
        label = " ".join(
            rng.choice(["Mai", "Q2", "II. Quartal", "ab", "bis", "2011", "2013", "Herbst", "x"])
            for _ in range(rng.randint(1, 8))
        )
        parsed = parse_schedule(label)
        written = {int(y) for y in re.findall(r"\d{4}", label)}
        for day in (parsed.start, parsed.end):
            # Winter reaches into the next year; "vor 2012" ends in the year before.
            assert day is None or {day.year, day.year - 1, day.year + 1} & written, label


# Through the model


@pytest.mark.django_db
@pytest.mark.parametrize(
    "row",
    [row for row in SEED_SCHEDULE if row[1] or row[3]],
    ids=[row[0][:50] for row in SEED_SCHEDULE if row[1] or row[3]],
)
def test_schedule_entry_fills_dates_from_label(row):
    label, start, start_precision, end, end_precision, approximate = row

    entry = ScheduleEntryFactory(label=label)
    entry.refresh_from_db()

    assert entry.dating == ScheduleEntry.Dating.PARSED
    assert (entry.start_date, entry.start_precision) == (start, start_precision)
    assert (entry.end_date, entry.end_precision) == (end, end_precision)
    assert entry.approximate is approximate
    assert entry.is_dated


@pytest.mark.django_db
@pytest.mark.parametrize(
    "label",
    [row[0] for row in SEED_SCHEDULE if not (row[1] or row[3])]
    + ["32. Februar 2011", "Dezember 2012 – März 2011", "Q5 2011"],
)
def test_schedule_entry_stays_undated_without_a_date(label):
    entry = ScheduleEntryFactory(label=label)
    entry.refresh_from_db()

    assert entry.dating == ScheduleEntry.Dating.UNDATED
    assert (entry.start_date, entry.end_date) == (None, None)
    assert (entry.start_precision, entry.end_precision) == ("", "")
    assert entry.approximate is False
    assert not entry.is_dated


@pytest.mark.django_db
def test_schedule_entry_keeps_manual_dates():
    entry = ScheduleEntryFactory(
        label="II. Quartal 2011",
        start_date=D(2011, 5, 2),
        start_precision=DAY,
        end_date=None,
    )
    entry.refresh_from_db()

    assert entry.dating == ScheduleEntry.Dating.MANUAL
    assert (entry.start_date, entry.start_precision) == (D(2011, 5, 2), DAY)
    assert (entry.end_date, entry.end_precision) == (None, "")


@pytest.mark.django_db
def test_schedule_entry_keeps_manual_dates_on_an_undated_label():
    entry = ScheduleEntryFactory(label="im Anschluss an Mapping", end_date=D(2012, 6, 30))

    entry.save()
    entry.refresh_from_db()

    assert entry.dating == ScheduleEntry.Dating.MANUAL
    assert (entry.start_date, entry.end_date) == (None, D(2012, 6, 30))


@pytest.mark.django_db
def test_schedule_entry_dates_an_undated_entry_when_its_label_gains_a_date():
    entry = ScheduleEntryFactory(label="im Anschluss an Mapping")
    assert entry.dating == ScheduleEntry.Dating.UNDATED

    entry.label = "im Anschluss an Mapping, ab Herbst 2011"
    entry.save()
    entry.refresh_from_db()

    assert entry.dating == ScheduleEntry.Dating.PARSED
    assert (entry.start_date, entry.start_precision) == (D(2011, 9, 1), SEASON)
    assert entry.end_date is None


@pytest.mark.django_db
def test_schedule_entry_keeps_approximate_set_by_hand():
    entry = ScheduleEntryFactory(label="Juli 2011", approximate=True)

    assert entry.dating == ScheduleEntry.Dating.PARSED
    assert entry.approximate is True


@pytest.mark.django_db
def test_schedule_entry_reparses_parsed_dates_when_label_changes():
    entry = ScheduleEntryFactory(label="Juli 2011")

    entry.label = "Oktober 2012"
    entry.save()

    assert (entry.start_date, entry.end_date) == (D(2012, 10, 1), D(2012, 10, 31))


@pytest.mark.django_db
def test_schedule_entry_becomes_undated_when_label_loses_its_date():
    entry = ScheduleEntryFactory(label="Juli 2011")

    entry.label = "im Anschluss an Mapping"
    entry.save()

    assert entry.dating == ScheduleEntry.Dating.UNDATED
    assert (entry.start_date, entry.end_date) == (None, None)
