"""Parser for German schedule phrases ("II. Quartal 2011", "ab Herbst 2011 bis Ende 2012").

Never guesses: a phrase without a recognisable date stays undated.

What a phrase means (``parse_schedule`` returns start/end with a precision each):

* A period on its own ("Januar 2011", "21. Februar 2011", "II. Quartal 2011", "Q3 2011",
  "2. Halbjahr 2011", "1. Hj. 2012", "Sommer 2011", "2012", "03/11", "03/2011", "2011-03",
  "21.02.2011")
  runs from its first to its last day. Seasons: Frühjahr/Frühling March–May, Sommer June–August,
  Herbst September–November, Winter December–February of the next year ("Winter 2011/12" is the
  same as "Winter 2011"). "2011/12" is the two years 2011 and 2012.
* Text around the date is ignored ("Klärung Betreibermodell Juli 2011 geplant"). When a label
  holds several dates, the first one counts; it is only joined with the next one when a range
  connector links them ("Sommer/Herbst 2011 – Ende 2012") or when an open start is followed by
  an explicit end ("ab März 2011, Abschluss bis Ende 2012").
* Ranges "X – Y", "X - Y", "X bis Y" give the start of X and the end of Y. A year, month or month
  and year missing from the first part are taken from the second ("Januar bis März 2011",
  "21.–23. Februar 2011"); if that would put a month or season after the end, the year before is
  meant ("November bis Februar 2012"). Alternatives "X/Y", "X oder Y" ("Sommer/Herbst 2011")
  span both, and so do "X und Y" ("zwischen 2011 und 2012", "Mai und Juni 2011").
* "ab", "seit", "Start", "startet", "Beginn", "beginnt", "beginnend" up to five words before a
  date (in the same clause) make it an open start: start only, end None. A range with its own
  end wins ("ab Herbst 2011 bis Ende 2012").
* "bis", "spätestens", "endet" before a date make it a deadline: end only ("Umsetzung bis
  2012"). "vor X" ends the day before X starts, "nach X" starts the day after X ends.
* "Anfang X" alone is an approximate open start at the start of X; "Ende X" alone is an end
  only, at the end of X (a deadline, so not approximate). "Mitte 2011" is approximate June–July
  2011 (month precision); "Mitte März 2011" is approximately March 2011. Inside ranges "Anfang
  X" ends with X's first month and "Ende X" starts with X's last month.
* "ca.", "circa", "etwa", "ungefähr", "voraussichtlich", "vsl.", "gegen" up to three words
  before the date, or right after it, mark it approximate.
* Numbers are years only from 1900 to 2199, and not when they look like a count, an amount or a
  number ("5000 Teilnehmer", "2000 Euro", "Linie 2011", "Nr. 2011"). Two-digit years ("03/11")
  are 2000–2099.
* Undated results carry a reason: no date ("ab sofort", "im Anschluss an Mapping"), an invalid
  date ("32. Februar 2011", "Q5 2011", "3. Halbjahr 2011") or an end before the start
  ("Dezember 2012 – März 2011"). Nothing here raises; matching is linear in the label's length.
"""

import calendar
import dataclasses
import datetime
import re
from dataclasses import dataclass, field

from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Precision(models.TextChoices):
    DAY = "day", _("day")
    MONTH = "month", _("month")
    QUARTER = "quarter", _("quarter")
    HALF_YEAR = "half", _("half-year")
    SEASON = "season", _("season")
    YEAR = "year", _("year")


@dataclass(frozen=True)
class ParsedSchedule:
    start: datetime.date | None = None
    start_precision: str = ""
    end: datetime.date | None = None
    end_precision: str = ""
    approximate: bool = False
    reason: str = ""
    # For display only (``schedule_text``), not part of what a phrase means: the period each
    # side was read from, with its "Anfang/Mitte/Ende", whether a word like "ca." said it was
    # approximate, and where in the (whitespace-normalised) phrase the date stands.
    start_unit: "Unit | None" = field(default=None, compare=False, repr=False)
    end_unit: "Unit | None" = field(default=None, compare=False, repr=False)
    approx_word: bool = field(default=False, compare=False, repr=False)
    text: str = field(default="", compare=False, repr=False)
    span: tuple[int, int] | None = field(default=None, compare=False, repr=False)

    @property
    def is_dated(self) -> bool:
        return self.start is not None or self.end is not None


@dataclass(frozen=True)
class Unit:
    """A period as a phrase names it: "Januar 2017", "II. Quartal 2011", "Ende 2012"."""

    precision: str
    first: datetime.date
    last: datetime.date
    modifier: str = ""  # "early", "mid" or "late"


NO_DATE = _("no date recognised")
INVALID_DATE = _("invalid date")
END_BEFORE_START = _("the end lies before the start")

_MONTHS = {
    "januar": 1,
    "jänner": 1,
    "january": 1,
    "jan": 1,
    "februar": 2,
    "feber": 2,
    "february": 2,
    "feb": 2,
    "märz": 3,
    "maerz": 3,
    "march": 3,
    "mär": 3,
    "mrz": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "mai": 5,
    "may": 5,
    "juni": 6,
    "june": 6,
    "jun": 6,
    "juli": 7,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "oktober": 10,
    "october": 10,
    "okt": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "dezember": 12,
    "december": 12,
    "dez": 12,
    "dec": 12,
}
# (first month, number of months); Winter reaches into the next year.
_SEASONS = {
    "frühjahr": (3, 3),
    "fruehjahr": (3, 3),
    "frühling": (3, 3),
    "fruehling": (3, 3),
    "spring": (3, 3),
    "sommer": (6, 3),
    "summer": (6, 3),
    "herbst": (9, 3),
    "autumn": (9, 3),
    "winter": (12, 3),
}
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_ORDINALS = {"erst": 1, "zweit": 2, "dritt": 3, "viert": 4}

_MON = "|".join(sorted(_MONTHS, key=len, reverse=True))
_SEASON = "|".join(sorted(_SEASONS, key=len, reverse=True))
_YEAR = r"(?:19|2[01])\d\d(?!\d)"
_NUM = r"(?:\d{1,2}|[ivx]{1,4})"
_ORD = r"(?:erst|zweit|dritt|viert)e[snr]?"

# Labels are whitespace-normalised first, so single spaces suffice and every alternative is
# bounded: no nested quantifiers, no backtracking blow-up on long hostile input.
_TOKEN = re.compile(
    rf"""
    (?<![\w.,/])(?P<iso_y>{_YEAR})-(?P<iso_m>\d\d)-(?P<iso_d>\d\d)(?!\d)
    | (?<![\w.,/])(?P<isom_y>{_YEAR})-(?P<isom_m>0[1-9]|1[0-2])(?![\d-])
    | (?<![\w.,/])(?P<n_d>\d{{1,2}})\.\ ?(?P<n_m>\d{{1,2}})\.\ ?(?P<n_y>{_YEAR})
    | (?<![\w.,/])(?P<d_d>\d{{1,2}})\.\ ?(?P<d_m>{_MON})\b\.?(?:\ (?P<d_y>{_YEAR}))?
    | (?<![\w.,/])(?P<do_d>\d{{1,2}})\.(?=\ ?(?:–|-|bis\b))
    | (?<![\w.,/])(?P<my_m>\d{{1,2}}(?=/)|\d\d(?=\.))[./](?P<my_y>{_YEAR})
    | (?<![\w.,/])(?P<my2_m>\d\d)/(?P<my2_y>\d\d)(?![\d/])
    | (?:(?<![\w.,/])(?P<q_n>{_NUM})\.\ ?(?:quartals?\b|qu\.|qrt\b\.?)
         | \bq\ ?(?P<q_n2>\d)(?!\d) | \b(?P<q_w>{_ORD})\ quartals?\b)
      (?:\ ?/?\ ?(?P<q_y>{_YEAR}))?
    | (?:(?<![\w.,/])(?P<h_n>{_NUM})\.\ ?(?:halbjahr(?:es|s)?\b|hj\b\.?)
         | \bh(?P<h_n2>\d)(?!\d) | \b(?P<h_w>{_ORD})\ (?:halbjahr(?:es|s)?|jahreshälfte|hälfte)\b)
      (?:\ ?/?\ ?(?P<h_y>{_YEAR}))?
    | \b(?P<s_n>{_SEASON})\b(?:\ (?P<s_y>{_YEAR})(?:/(?P<s_y2>{_YEAR}|\d\d(?!\d)))?)?
    | \b(?P<m_n>{_MON})\b\.?(?:\ (?P<m_y>{_YEAR}))?
    | (?<![\w.,/§])(?P<y>{_YEAR})(?:/(?P<y2>{_YEAR}|\d\d(?!\d)))?(?![\w]|[.,]\d)
    """,
    re.IGNORECASE | re.VERBOSE,
)

_RANGE = re.compile(
    r" ?(?:–|-|bis|to|until)(?: (?:zum|zur|einschließlich|einschl\.|spätestens))? ?",
    re.IGNORECASE,
)
_ALTERNATIVE = re.compile(r" ?(?:/|oder|bzw\.?|und|sowie|or|and) ?", re.IGNORECASE)

_START_WORDS = {"ab", "seit", "start", "startet", "beginn", "beginnt", "beginnend", "from"}
_END_WORDS = {"bis", "spätestens", "endet", "until", "by"}
_APPROX_WORDS = {
    "ca.",
    "ca",
    "circa",
    "zirka",
    "etwa",
    "ungefähr",
    "voraussichtlich",
    "vsl.",
    "vorauss.",
    "gegen",
    "approx.",
    "approximately",
    "around",
}
_MODIFIERS = {"anfang": "early", "mitte": "mid", "ende": "late"}
_YEAR_MODIFIERS = {
    "jahresanfang": "early",
    "jahresbeginn": "early",
    "jahresmitte": "mid",
    "jahresende": "late",
}
# A bare year next to these words is a count, an amount or a number, not a year.
_NOT_YEAR_BEFORE = {
    "nr",
    "nr.",
    "nummer",
    "no.",
    "linie",
    "tel",
    "tel.",
    "telefon",
    "fax",
    "postfach",
    "plz",
    "raum",
    "zimmer",
    "haus",
    "hausnummer",
    "seite",
    "s.",
    "kapitel",
    "ziffer",
    "§",
    "az",
    "az.",
    "drucksache",
    "über",
    "rund",
    "zu",
    "mehr",
    "weniger",
    "knapp",
    "insgesamt",
    "je",
    "pro",
    "werk",
}
_NOT_YEAR_AFTER = re.compile(
    r" ?(?:[€$%²]|(?:eur|euro|tsd|mio|mrd|prozent|stück|stk|exemplare|personen|menschen|"
    r"mitglieder|unternehmen|betriebe|firmen|kinder|gäste|zuschauer|plätze|seiten|stunden|std|"
    r"tage|minuten|m|qm|km|kilometer|meter|zugriffe|downloads|klicks|einträge|"
    r"teilnehm\w*|besucher\w*|einwohner\w*|nutzer\w*|schüler\w*|studierende\w*|"
    r"beschäftigte\w*|arbeitsplätze|euros?)\b)",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"[;,()]")
_WINDOW = 80


@dataclass
class _Token:
    kind: str
    start: int
    end: int
    year: int | None = None
    month: int | None = None
    day: int | None = None
    number: int | None = None  # quarter or half; 0 when unreadable
    season: str = ""
    year2: int | None = None
    modifier: str = ""
    inherited: bool = False
    month_inherited: bool = False


@dataclass(frozen=True)
class _Side:
    date: datetime.date
    precision: str
    approximate: bool = False


@dataclass(frozen=True)
class _Period:
    start: _Side
    end: _Side
    role: str  # "both", "start" or "end" when the phrase stands alone


class _Invalid(Exception):
    pass


def parse_schedule(label: str, *, default_year: int | None = None) -> ParsedSchedule:
    """Read the dates out of a German schedule phrase; see the module docstring.

    ``default_year`` is the year a phrase without one ("Ende Januar") is read in, when the
    caller knows it from context (the date stored with the phrase); without it such a phrase
    stays undated.
    """
    if not isinstance(label, str):
        return ParsedSchedule(reason=NO_DATE)
    text = " ".join(label.replace("—", "–").replace("‑", "-").replace("−", "-").split())
    if not text:
        return ParsedSchedule(reason=NO_DATE)
    tokens = _scan(text)
    if default_year is not None and tokens and all(t.year is None for t in tokens):
        last = tokens[-1]
        if last.kind != "day" or last.month is not None:
            last.year = default_year  # a range before it takes it over from here
    expressions = _group(text, tokens)
    for index, (first, connector, second) in enumerate(expressions):
        try:
            result = _evaluate(
                text, first, connector, second, expressions[index - 1] if index else None
            )
            if result is None:
                continue
            if result.start and index + 1 < len(expressions):
                result = _join_following(text, result, expressions[index], expressions[index + 1])
        except _Invalid:
            return ParsedSchedule(reason=INVALID_DATE)
        if result.start and result.end and result.start > result.end:
            return ParsedSchedule(reason=END_BEFORE_START)
        return dataclasses.replace(result, text=text)
    return ParsedSchedule(reason=NO_DATE)


def _scan(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    for match in _TOKEN.finditer(text):
        token = _token(match)
        if token is None:
            continue
        if token.kind == "year" and not _looks_like_year(text, token, tokens):
            continue
        _attach_modifier(text, token)
        tokens.append(token)
    return tokens


def _token(match: re.Match) -> _Token | None:
    g = match.groupdict()
    span = {"start": match.start(), "end": match.end()}

    def year(name):
        return int(g[name]) if g[name] else None

    if g["iso_y"]:
        return _Token("day", **span, year=year("iso_y"), month=int(g["iso_m"]), day=int(g["iso_d"]))
    if g["isom_y"]:
        return _Token("month", **span, year=year("isom_y"), month=int(g["isom_m"]))
    if g["n_d"]:
        return _Token("day", **span, year=year("n_y"), month=int(g["n_m"]), day=int(g["n_d"]))
    if g["d_d"]:
        month = _MONTHS[g["d_m"].lower()]
        return _Token("day", **span, year=year("d_y"), month=month, day=int(g["d_d"]))
    if g["do_d"]:
        return _Token("day", **span, day=int(g["do_d"]))
    if g["my_m"]:
        return _Token("month", **span, year=year("my_y"), month=int(g["my_m"]))
    if g["my2_m"]:
        month = int(g["my2_m"])
        if not 1 <= month <= 12:
            return None  # "50/50", "13/11": a ratio or a code, not a month
        return _Token("month", **span, year=2000 + int(g["my2_y"]), month=month)
    if g["q_n"] or g["q_n2"] or g["q_w"]:
        number = _ordinal(g["q_n"] or g["q_n2"] or g["q_w"])
        return _Token("quarter", **span, year=year("q_y"), number=number)
    if g["h_n"] or g["h_n2"] or g["h_w"]:
        number = _ordinal(g["h_n"] or g["h_n2"] or g["h_w"])
        return _Token("half", **span, year=year("h_y"), number=number)
    if g["s_n"]:
        return _Token(
            "season",
            **span,
            year=year("s_y"),
            season=g["s_n"].lower(),
            year2=_second_year(g["s_y"], g["s_y2"]),
        )
    if g["m_n"]:
        return _Token("month", **span, year=year("m_y"), month=_MONTHS[g["m_n"].lower()])
    return _Token("year", **span, year=year("y"), year2=_second_year(g["y"], g["y2"]))


def _ordinal(value: str) -> int:
    value = value.lower()
    if value.isdigit():
        return int(value)
    if value in _ROMAN:
        return _ROMAN[value]
    return _ORDINALS.get(value[:5].rstrip("e"), 0)


def _second_year(first: str | None, second: str | None) -> int | None:
    if not first or not second:
        return None
    if len(second) == 2:
        return int(first[:2] + second) if first[2:] != "99" else 2000 + int(second)
    return int(second)


def _looks_like_year(text: str, token: _Token, tokens: list[_Token]) -> bool:
    before = text[max(0, token.start - _WINDOW) : token.start]
    # "0341-2011" is a phone number; "2011-2012" is a range of two tokens.
    if before.endswith("-") and before[-2:-1].isdigit():
        if not tokens or tokens[-1].end != token.start - 1:
            return False
    words = before.split()
    if words:
        previous = words[-1].lower()
        if previous in _NOT_YEAR_BEFORE or previous.endswith("linie"):
            return False
    return not _NOT_YEAR_AFTER.match(text, token.end)


def _attach_modifier(text: str, token: _Token) -> None:
    before = text[max(0, token.start - _WINDOW) : token.start]
    words = before.split()
    if not words or not before.endswith(" "):
        return
    lowered = [w.lower() for w in words[-3:]]
    filler = 0
    if token.kind == "year" and lowered[-2:] == ["des", "jahres"] and len(lowered) == 3:
        filler = 2  # "Ende des Jahres 2012"
    elif len(lowered) >= 2 and lowered[-1] in {"des", "der"}:
        filler = 1  # "Ende des II. Quartals 2011"
    word = lowered[-1 - filler]
    modifier = _MODIFIERS.get(word)
    if modifier is None and token.kind == "year" and not filler:
        modifier = _YEAR_MODIFIERS.get(word)
    if modifier is None:
        return
    token.modifier = modifier
    token.start -= len(" ".join(words[-1 - filler :])) + 1


def _group(text: str, tokens: list[_Token]) -> list[tuple[_Token, str, _Token | None]]:
    """Pair tokens joined by a range or alternative connector; leave the rest single."""
    expressions = []
    index = 0
    while index < len(tokens):
        first = tokens[index]
        if index + 1 < len(tokens):
            second = tokens[index + 1]
            gap = text[first.end : second.start]
            connector = ""
            if len(gap) <= 30 and _RANGE.fullmatch(gap):
                connector = "range"
            elif len(gap) <= 10 and _ALTERNATIVE.fullmatch(gap):
                connector = "alternative"
            if connector:
                expressions.append((first, connector, second))
                index += 2
                continue
        expressions.append((first, "", None))
        index += 1
    return expressions


def _evaluate(text, first, connector, second, previous) -> ParsedSchedule | None:
    if second is None:
        if first.year is None:
            return None  # a lone "Mai" or "Sommer" is no date
        period = _period(first)
        start, end, role = period.start, period.end, period.role
    else:
        if first.year is None and second.year is None:
            return None
        _share_year(first, second)
        p1, p2 = _period(first), _period(second)
        if first.inherited and not first.month_inherited and p1.start.date > p2.start.date:
            first.year -= 1
            p1 = _period(first)
        if connector == "range":
            start, end, role = p1.start, p2.end, "both"
        else:
            start = min(p1.start, p2.start, key=lambda side: side.date)
            end = max(p1.end, p2.end, key=lambda side: side.date)
            role = "both"

    lo = previous[2].end if previous and previous[2] else previous[0].end if previous else 0
    words = _words_before(text, max(lo, first.start - _WINDOW), first.start)
    last_token = second or first
    after = text[last_token.end : last_token.end + 20].lstrip(" (").split(" ")
    approximate = any(w.lower() in _APPROX_WORDS for w in words[-3:]) or (
        after[0].lower().rstrip(")") in _APPROX_WORDS
    )

    if connector != "range":
        role, start, end = _apply_role(words, role, start, end)
    used = [side for side in (start, end) if side is not None]
    if second is None:
        start_unit = end_unit = _unit(first)
    elif connector == "range":
        start_unit, end_unit = _unit(first), _unit(second)
    else:  # an alternative ("Sommer/Herbst 2011"): the earlier and the later of the two
        units = sorted((_unit(first), _unit(second)), key=lambda unit: unit.first)
        start_unit, end_unit = units[0], units[-1]
    return ParsedSchedule(
        start=start.date if start else None,
        start_precision=start.precision if start else "",
        end=end.date if end else None,
        end_precision=end.precision if end else "",
        approximate=approximate or any(side.approximate for side in used),
        start_unit=start_unit if start else None,
        end_unit=end_unit if end else None,
        approx_word=approximate,
        span=(first.start, last_token.end),
    )


def _unit(token: _Token) -> Unit:
    first, last, precision = _bounds(token)
    return Unit(precision, first, last, token.modifier)


def _apply_role(words, role, start, end):
    lowered = [w.lower().rstrip(":") for w in words]
    if lowered and lowered[-1] in {"dem", "der"} and len(lowered) >= 2:
        relative = lowered[-2]
    else:
        relative = lowered[-1] if lowered else ""
    if relative == "vor":
        return "end", None, _Side(start.date - datetime.timedelta(days=1), start.precision)
    if relative == "nach":
        return "start", _Side(end.date + datetime.timedelta(days=1), end.precision), None
    for word in reversed(lowered[-5:]):
        if word in _START_WORDS:
            role = "start"
            break
        if word in _END_WORDS:
            role = "end"
            break
    if role == "start":
        return role, start, None
    if role == "end":
        return role, None, end
    return role, start, end


def _words_before(text: str, lo: int, hi: int) -> list[str]:
    prefix = text[lo:hi]
    breaks = list(_CLAUSE_BREAK.finditer(prefix))
    if breaks:
        prefix = prefix[breaks[-1].end() :]
    return prefix.split()


def _share_year(first: _Token, second: _Token) -> None:
    if first.year is None:
        first.year = second.year
        first.inherited = True
        if first.month is None and first.kind == "day":
            first.month = second.month
            first.month_inherited = True
    elif second.year is None:
        second.year = first.year if first.year2 is None else first.year2
        if second.month is None and second.kind == "day":
            second.month = first.month


def _period(token: _Token) -> _Period:
    start, end, precision = _bounds(token)
    if not 1900 <= start.year <= 2199 or not 1900 <= end.year <= 2199:
        raise _Invalid
    if token.modifier == "early":
        month_end = _month_end(start.year, start.month)
        return _Period(
            _Side(start, precision, True), _Side(month_end, Precision.MONTH, True), "start"
        )
    if token.modifier == "late":
        month_start = end.replace(day=1)
        return _Period(_Side(month_start, Precision.MONTH, True), _Side(end, precision), "end")
    if token.modifier == "mid":
        if token.kind == "year":
            return _Period(
                _Side(datetime.date(start.year, 6, 1), Precision.MONTH, True),
                _Side(datetime.date(start.year, 7, 31), Precision.MONTH, True),
                "both",
            )
        return _Period(_Side(start, precision, True), _Side(end, precision, True), "both")
    return _Period(_Side(start, precision), _Side(end, precision), "both")


def _bounds(token: _Token) -> tuple[datetime.date, datetime.date, str]:
    year = token.year
    try:
        if token.kind == "day":
            day = datetime.date(year, token.month, token.day)
            return day, day, Precision.DAY
        if token.kind == "month":
            return _months(year, token.month, 1) + (Precision.MONTH,)
        if token.kind == "quarter":
            if not 1 <= token.number <= 4:
                raise _Invalid
            return _months(year, 3 * token.number - 2, 3) + (Precision.QUARTER,)
        if token.kind == "half":
            if not 1 <= token.number <= 2:
                raise _Invalid
            return _months(year, 6 * token.number - 5, 6) + (Precision.HALF_YEAR,)
        if token.kind == "season":
            if token.year2 is not None and (token.season != "winter" or token.year2 != year + 1):
                raise _Invalid
            first_month, length = _SEASONS[token.season]
            return _months(year, first_month, length) + (Precision.SEASON,)
        last = year if token.year2 is None else token.year2
        if last not in (year, year + 1):
            raise _Invalid
        return datetime.date(year, 1, 1), datetime.date(last, 12, 31), Precision.YEAR
    except (ValueError, TypeError, OverflowError) as error:
        raise _Invalid from error


def _months(year: int, first_month: int, length: int) -> tuple[datetime.date, datetime.date]:
    if not 1 <= first_month <= 12:
        raise _Invalid
    last_index = first_month - 1 + length - 1
    end_year, end_month = year + last_index // 12, last_index % 12 + 1
    return datetime.date(year, first_month, 1), _month_end(end_year, end_month)


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _join_following(text, result, current, following) -> ParsedSchedule:
    """Join an expression with the next one when they form one span.

    "Sommer/Herbst 2011 – Ende 2012" (a range after an alternative) and "ab März 2011, Abschluss
    bis Ende 2012" (an open start, then a deadline).
    """
    gap = text[(current[2] or current[0]).end : following[0].start]
    is_range = len(gap) <= 30 and _RANGE.fullmatch(gap) is not None
    try:
        later = _evaluate(text, *following, current)
    except _Invalid:
        if is_range:
            raise
        return result
    if later is None or later.end is None:
        return result
    if not is_range and (result.end is not None or later.start is not None):
        return result
    return ParsedSchedule(
        start=result.start,
        start_precision=result.start_precision,
        end=later.end,
        end_precision=later.end_precision,
        approximate=result.approximate or later.approximate,
        start_unit=result.start_unit,
        end_unit=later.end_unit,
        approx_word=result.approx_word or later.approx_word,
        span=(result.span[0], later.span[1]) if result.span and later.span else result.span,
    )


NOT_GUESSED = _("no date – not guessed")


def describe_schedule(parsed: ParsedSchedule) -> str:
    """One line saying what a parsed phrase means: "1. April 2027 – 30. Juni 2027 (Quartal)"."""
    if not parsed.is_dated:
        if parsed.reason and parsed.reason != NO_DATE:
            return f"{gettext(NOT_GUESSED)} ({parsed.reason})"
        return str(NOT_GUESSED)
    start = date_format(parsed.start, "DATE_FORMAT") if parsed.start else ""
    end = date_format(parsed.end, "DATE_FORMAT") if parsed.end else ""
    if start and end:
        dates = f"{start} – {end}"
    elif start:
        dates = gettext("from %(date)s") % {"date": start}
    else:
        dates = gettext("until %(date)s") % {"date": end}
    labels = dict(Precision.choices)
    precisions = [labels[p] for p in (parsed.start_precision, parsed.end_precision) if p]
    precision = " – ".join(dict.fromkeys(str(p) for p in precisions))
    if parsed.approximate:
        dates = gettext("approx. %(dates)s") % {"dates": dates}
    return f"{dates} ({precision})" if precision else dates


def describe_entry(entry) -> str:
    """``describe_schedule`` for a stored entry's dates."""
    return describe_schedule(
        ParsedSchedule(
            start=entry.start_date,
            start_precision=entry.start_precision,
            end=entry.end_date,
            end_precision=entry.end_precision,
            approximate=entry.approximate,
            reason=NO_DATE,
        )
    )


# Display --------------------------------------------------------------------------------------
# One label per date, in the reader's language: "Ende Januar 2017" / "end of January 2017",
# "Juni 2017" / "June 2017", "2017–2019". The words a phrase carries besides its date
# ("Januar 2011: Arbeitsaufnahme") are kept; a phrase that is only a date is not shown twice.

_SEASON_NAMES = {
    3: _("spring %(year)s"),
    6: _("summer %(year)s"),
    9: _("autumn %(year)s"),
    12: _("winter %(year)s"),
}
_HALF_NAMES = {1: _("first half of %(year)s"), 2: _("second half of %(year)s")}
_MODIFIER_NAMES = {
    "early": _("early %(date)s"),
    "mid": _("mid-%(date)s"),
    "late": _("end of %(date)s"),
}
# Words that only lead up to the date ("ab", "ca.", "im Juni 2011"): dropped with it.
_LEAD_WORDS = (
    _START_WORDS
    | _END_WORDS
    | _APPROX_WORDS
    | {"im", "in", "am", "um", "zum", "zur", "von", "vom", "vor", "nach", "des", "der", "jahres"}
)
_SEPARATORS = " :,;–-"


@dataclass(frozen=True)
class ScheduleDisplay:
    """What to show for a dated phrase: ``dates`` in the active language ("" if undated),
    ``words`` the phrase without its date ("" if it is only a date), ``phrase`` as entered,
    ``from_phrase`` whether the phrase states the dates shown."""

    dates: str = ""
    words: str = ""
    phrase: str = ""
    from_phrase: bool = False


def unit_for(day: datetime.date, precision: str) -> Unit:
    """The period of ``precision`` around ``day``: the month, quarter, season … it lies in."""
    if precision == Precision.MONTH:
        return Unit(precision, day.replace(day=1), _month_end(day.year, day.month))
    if precision == Precision.QUARTER:
        first = 3 * ((day.month - 1) // 3) + 1
        return Unit(precision, *_months(day.year, first, 3))
    if precision == Precision.HALF_YEAR:
        first = 1 if day.month <= 6 else 7
        return Unit(precision, *_months(day.year, first, 6))
    if precision == Precision.SEASON:
        year, first = (
            (day.year - 1, 12) if day.month <= 2 else (day.year, day.month - (day.month % 3))
        )
        return Unit(precision, *_months(year, first, 3))
    if precision == Precision.YEAR:
        return Unit(precision, datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31))
    return Unit(Precision.DAY, day, day)


def format_unit(unit: Unit) -> str:
    """A period in the active language: "Juni 2017", "II. Quartal 2011", "Ende 2012"."""
    first, precision = unit.first, unit.precision
    if precision == Precision.DAY:
        text = date_format(first, "DATE_FORMAT")
    elif precision == Precision.MONTH:
        text = date_format(first, "YEAR_MONTH_FORMAT")
    elif precision == Precision.QUARTER:
        text = gettext("Q%(number)s %(year)s") % {
            "number": (first.month - 1) // 3 + 1,
            "year": first.year,
        }
    elif precision == Precision.HALF_YEAR:
        text = gettext(_HALF_NAMES[1 if first.month <= 6 else 2]) % {"year": first.year}
    elif precision == Precision.SEASON:
        year = f"{first.year}/{str(first.year + 1)[2:]}" if first.month == 12 else first.year
        text = gettext(_SEASON_NAMES[first.month - first.month % 3 or 12]) % {"year": year}
    elif unit.last.year != first.year:
        text = f"{first.year}–{unit.last.year}"
    else:
        text = str(first.year)
    if unit.modifier:
        text = gettext(_MODIFIER_NAMES[unit.modifier]) % {"date": text}
    return text


def format_dates(
    start_unit: Unit | None, end_unit: Unit | None, *, approximate: bool = False
) -> str:
    """A span of periods as one label: "2017–2019", "ab März 2011", "Ende Januar 2017"."""
    if start_unit is None and end_unit is None:
        return ""
    if start_unit is not None and end_unit is not None:
        first, last = format_unit(start_unit), format_unit(end_unit)
        if first == last:
            text = first
        elif start_unit.precision == end_unit.precision == Precision.YEAR and not (
            start_unit.modifier or end_unit.modifier or " " in first + last
        ):
            text = f"{start_unit.first.year}–{end_unit.last.year}"
        else:
            text = f"{first} – {last}"
    elif start_unit is not None:
        text = format_unit(start_unit)
        if start_unit.modifier != "early":  # "Anfang 2012" already says it starts then
            text = gettext("from %(date)s") % {"date": text}
    else:
        text = format_unit(end_unit)
        if end_unit.modifier != "late":  # "Ende Januar 2017" already says it ends then
            text = gettext("until %(date)s") % {"date": text}
    if approximate:
        text = gettext("approx. %(dates)s") % {"dates": text}
    return text


def _units(parsed: ParsedSchedule) -> tuple[Unit | None, Unit | None]:
    """The periods a parsed phrase names, where they agree with its dates ("vor Juni 2011"
    ends in May: then the date's own month)."""

    def agreeing(unit, day, precision):
        if day is None:
            return None
        if unit is not None and unit.first <= day <= unit.last:
            return unit
        return unit_for(day, precision)

    return (
        agreeing(parsed.start_unit, parsed.start, parsed.start_precision),
        agreeing(parsed.end_unit, parsed.end, parsed.end_precision),
    )


def _words_without_date(parsed: ParsedSchedule) -> str:
    """The phrase without its date and the words leading up to it ("ab", "ca.", "im")."""
    text, (lo, hi) = parsed.text, parsed.span
    left, right = text[:lo].rstrip(), text[hi:].lstrip()
    words = left.split(" ")
    while words and words[-1].lower().rstrip(":") in _LEAD_WORDS:
        words.pop()
    left = " ".join(words).rstrip(_SEPARATORS)
    right = right.lstrip(_SEPARATORS)
    cut = text[len(left) : len(text) - len(right)]
    if right.lower().rstrip(".") in {"ca", "circa", "etwa"}:
        right = ""
    if left and right:
        joint = ", " if any(mark in cut for mark in ":,;") else " "
        return f"{left}{joint}{right}"
    return left or right


def schedule_display(
    phrase: str,
    *,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    start_precision: str = "",
    end_precision: str = "",
    approximate: bool = False,
    exact: bool = True,
) -> ScheduleDisplay:
    """What to show for a phrase and the dates stored with it, in the active language.

    The phrase's own reading gives the label ("Ende Januar 2017" keeps its "Ende") when it
    agrees with the stored dates: exactly (``exact``, schedule entries, whose dates the parser
    fills), or by containing them (a single stored date with a precision, as campaigns keep
    them). A phrase without a year ("Ende Januar") is read in the stored date's year. Dates
    entered by hand that the phrase does not state are shown from the dates.
    """
    phrase = phrase or ""
    stored = [day for day in (start, end) if day is not None]
    default_year = stored[0].year if stored else None
    parsed = parse_schedule(phrase, default_year=default_year) if phrase else ParsedSchedule()
    if parsed.is_dated and parsed.span is not None:
        if exact:
            agrees = not stored or (start, end) == (parsed.start, parsed.end)
        else:
            start_unit, end_unit = _units(parsed)
            lo = parsed.start or end_unit.first
            hi = parsed.end or start_unit.last
            agrees = all(lo <= day <= hi for day in stored)
        if agrees:
            return ScheduleDisplay(
                dates=format_dates(*_units(parsed), approximate=parsed.approx_word),
                words=_words_without_date(parsed),
                phrase=phrase,
                from_phrase=True,
            )
    if not stored:
        return ScheduleDisplay(words=phrase, phrase=phrase)
    start_unit = unit_for(start, start_precision) if start else None
    end_unit = unit_for(end, end_precision or start_precision) if end else None
    return ScheduleDisplay(
        dates=format_dates(start_unit, end_unit, approximate=approximate),
        words=phrase,
        phrase=phrase,
    )
