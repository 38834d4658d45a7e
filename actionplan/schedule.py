"""Parser for German schedule phrases ("II. Quartal 2011", "ab Herbst 2011 bis Ende 2012").

Never guesses: a phrase without a recognisable date stays undated.

What a phrase means (``parse_schedule`` returns start/end with a precision each):

* A period on its own ("Januar 2011", "21. Februar 2011", "II. Quartal 2011", "Q3 2011",
  "2. Halbjahr 2011", "1. Hj. 2012", "Sommer 2011", "2012", "03/11", "03/2011", "21.02.2011")
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
import datetime
import re
from dataclasses import dataclass

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

    @property
    def is_dated(self) -> bool:
        return self.start is not None or self.end is not None


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


def parse_schedule(label: str) -> ParsedSchedule:
    """Read the dates out of a German schedule phrase; see the module docstring."""
    if not isinstance(label, str):
        return ParsedSchedule(reason=NO_DATE)
    text = " ".join(label.replace("—", "–").replace("‑", "-").replace("−", "-").split())
    if not text:
        return ParsedSchedule(reason=NO_DATE)
    tokens = _scan(text)
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
        return result
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
    return ParsedSchedule(
        start=start.date if start else None,
        start_precision=start.precision if start else "",
        end=end.date if end else None,
        end_precision=end.precision if end else "",
        approximate=approximate or any(side.approximate for side in used),
    )


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
