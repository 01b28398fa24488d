"""Time expressions, found over the spaCy parse and normalised to TimeML TIMEX3 values.

Spans come from two sources. spaCy's DATE/TIME entities are re-bounded to
TimeML's conventions (no leading preposition, no trailing possessive, "the
quarter ended Sept. 30" split in two, "the night" + "of 19-20 September" and
"Friday" + "morning" joined), and precompiled patterns add what the NER misses
("now", "recently", "every Monday", "the past", weekday names). Each span is
then normalised by the rules of :func:`normalise` against the publication date;
a span no rule understands (an age, a bare number) is dropped.

News refers mostly to the past, so a bare date ("21 September", "Monday",
"March") resolves to the latest such date on or before the publication date,
unless the clause is in the future tense ("will meet on Monday").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Callable, Literal

from spacy.tokens import Doc

from ..model import Article, TimeExpression
from . import extractor
from .tokens import token_table

TimexType = Literal["date", "time", "duration", "set"]
Precision = Literal[
    "time", "day", "week", "month", "season", "quarter", "year", "decade", "century", "range", "unknown"
]


@dataclass(frozen=True)
class Timex:
    """A normalised time expression, before it is tied to a span."""

    type: TimexType
    value: str
    precision: Precision
    end_value: str | None = None


# --- Lexicon ---------------------------------------------------------------------------------------

MONTHS = {
    **dict.fromkeys(("january", "jan"), 1),
    **dict.fromkeys(("february", "feb"), 2),
    **dict.fromkeys(("march", "mar"), 3),
    **dict.fromkeys(("april", "apr"), 4),
    "may": 5,
    **dict.fromkeys(("june", "jun"), 6),
    **dict.fromkeys(("july", "jul"), 7),
    **dict.fromkeys(("august", "aug"), 8),
    **dict.fromkeys(("september", "sept", "sep"), 9),
    **dict.fromkeys(("october", "oct"), 10),
    **dict.fromkeys(("november", "nov"), 11),
    **dict.fromkeys(("december", "dec"), 12),
}
WEEKDAYS = {
    **dict.fromkeys(("monday", "mon"), 0),
    **dict.fromkeys(("tuesday", "tues", "tue"), 1),
    **dict.fromkeys(("wednesday", "wed"), 2),
    **dict.fromkeys(("thursday", "thurs", "thu"), 3),
    **dict.fromkeys(("friday", "fri"), 4),
    **dict.fromkeys(("saturday", "sat"), 5),
    **dict.fromkeys(("sunday", "sun"), 6),
}
SEASONS = {"spring": "SP", "summer": "SU", "fall": "FA", "autumn": "FA", "winter": "WI"}
_SEASON_MONTH = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}  # first month, to order seasons in a year
PARTS_OF_DAY = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI", "overnight": "NI"}
# Singular unit -> (ISO 8601 designator, count multiplier); hours and smaller go after a "T".
UNITS = {
    "second": ("S", 1), "minute": ("M", 1), "hour": ("H", 1),
    "day": ("D", 1), "night": ("D", 1), "week": ("W", 1), "fortnight": ("W", 2), "weekend": ("D", 2),
    "month": ("M", 1), "quarter": ("Q", 1), "year": ("Y", 1), "decade": ("Y", 10), "century": ("Y", 100),
}
_TIME_UNITS = frozenset({"second", "minute", "hour"})
_UNIT_PRECISION: dict[str, Precision] = {
    "second": "time", "minute": "time", "hour": "time", "day": "day", "night": "day", "weekend": "day",
    "week": "week", "fortnight": "week", "month": "month", "quarter": "quarter", "year": "year",
    "decade": "decade", "century": "century",
}
ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
    "twentieth": 20, "last": 4,
}
_SMALL = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_SCALES = {"hundred": 100, "thousand": 1000}

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_SEASON = "|".join(SEASONS)
_PART = "|".join(PARTS_OF_DAY)
_UNIT = r"(second|minute|hour|day|night|weekend|week|fortnight|month|quarter|year|decade|centur(?:y|ie))s?"
_ORD = "|".join(sorted(ORDINALS, key=len, reverse=True))
_NUM = r"(\d+(?:\.\d+)?|x)"  # after cleaning, every count is digits or "x" (several, a few, ...)

# --- Cleaning --------------------------------------------------------------------------------------

_NUMBER_WORDS = re.compile(
    r"\b(?:%s)(?:[ -](?:%s))*\b" % ("|".join([*_SMALL, *_TENS, *_SCALES]), "|".join([*_SMALL, *_TENS, *_SCALES]))
)
_VAGUE_COUNT = re.compile(
    r"\b(?:a few|a couple of|couple of|a couple|several|few|many|some|numerous|a number of|a dozen|dozens of)\b"
    r"(?= (?:more |other |long |straight )?" + _UNIT + r"\b)"
)
_ONE = re.compile(r"\b(?:a|an|one)(?= (?:full |single |whole )?" + _UNIT + r"\b)")
# Words around a time expression that TIMEX3 values leave out (TimeML keeps them as a "mod").
_PREFIXES = re.compile(
    r"^(?:the|its|their|his|her|both|about|around|approximately|roughly|nearly|almost|some(?= \d| x)|"
    r"more than|less than|fewer than|over|under|at least|at most|up to|as (?:early|late|recently) as|just|"
    r"only|barely|fully|roughly|early|late|mid|the (?:end|beginning|start|middle|close|rest|remainder) of|"
    r"(?:end|beginning|start|middle) of|earlier|later|sometime|the better part of|a good part of|"
    r"much of|most of|all of|each of|part of|full|entire|whole|throughout|same|very)\b ?"
)
_SUFFIXES = re.compile(
    r" (?:or so|or later|or earlier|or more|or less|and beyond|long|straight|running|in a row|alone)$"
)


def _words_to_number(words: str) -> str:
    parts = [p for p in re.split(r"[ -]", words) if p]
    values = [_SMALL.get(p, _TENS.get(p, _SCALES.get(p, 0))) for p in parts]
    if len(parts) >= 2 and parts[0] in _SMALL and values[0] > 10 and parts[1] in _TENS:
        return str(values[0] * 100 + sum(values[1:]))  # "nineteen ninety-six" is a year, not 115
    total, current = 0, 0
    for part, value in zip(parts, values):
        if part in _SCALES:
            current = max(current, 1) * value
            if value == 1000:
                total, current = total + current, 0
        else:
            current += value
    return str(total + current)


_POSSESSIVE = re.compile(r"'s\b|s'(?= |$)")
_DOT = re.compile(r"\.(?!\d)|(?<!\d)\.")  # "p.m." -> "pm", "Sept." -> "sept"; "1.5" stays
_PUNCTUATION = re.compile(r"[\"“”,;:!?()\[\]]")
_WORD_HYPHEN = re.compile(r"(?<=[a-z])-(?=[a-z0-9])|(?<=\d)-(?=[a-z])")  # third-quarter, 44-day, mid-1990s


@lru_cache(maxsize=4096)
def clean(text: str) -> str:
    """Lower-case, unpunctuated, numbers in digits ('x' when vague), modifiers TIMEX3 values ignore removed."""
    s = text.lower().replace("’", "'").replace("–", "-").replace("—", "-")
    s = _POSSESSIVE.sub("", s)
    s = _DOT.sub("", s)
    s = _PUNCTUATION.sub(" ", s)
    s = _WORD_HYPHEN.sub(" ", s)
    s = _VAGUE_COUNT.sub("x", s)
    s = _NUMBER_WORDS.sub(lambda m: _words_to_number(m.group()), s)
    s = _ONE.sub("1", s)
    s = " ".join(s.split())
    while True:
        stripped = _SUFFIXES.sub("", _PREFIXES.sub("", s))
        if stripped == s:
            return s
        s = stripped


# --- Calendar arithmetic ---------------------------------------------------------------------------


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + n
    return index // 12, index % 12 + 1


def _iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def shift(anchor: date, unit: str, n: int) -> str:
    """The TIMEX3 value of the ``unit`` that is ``n`` units from the one holding ``anchor``."""
    if unit in ("day", "night") or unit in _TIME_UNITS:
        return (anchor + timedelta(days=n)).isoformat()
    if unit in ("week", "fortnight"):
        return _iso_week(anchor + timedelta(weeks=n))
    if unit == "weekend":
        return _iso_week(anchor + timedelta(weeks=n)) + "-WE"
    if unit == "month":
        year, month = _add_months(anchor.year, anchor.month, n)
        return f"{year}-{month:02d}"
    if unit == "quarter":
        year, month = _add_months(anchor.year, anchor.month, 3 * n)
        return f"{year}-Q{(month - 1) // 3 + 1}"
    if unit == "decade":
        return str(anchor.year // 10 + n)
    if unit == "century":
        return str(anchor.year // 100 + n)
    return str(anchor.year + n)


def _shift_value(value: str, years: int) -> str:
    """``value`` (YYYY, YYYY-Qn, YYYY-MM...) moved by whole years."""
    return f"{int(value[:4]) + years:04d}{value[4:]}" if value[:4].isdigit() else value


def precision_of(value: str) -> Precision:
    if "T" in value and not value.startswith("P"):
        return "time"
    if value.startswith("P"):
        return "unknown"
    if re.fullmatch(r"[\dX]{4}-[\dX]{2}-[\dX]{2}", value):
        return "day"
    if "-W" in value:
        return "week"
    if re.fullmatch(r"[\dX]{4}-[\dX]{2}", value):
        return "month"
    if re.fullmatch(r"[\dX]{4}-(SP|SU|FA|WI)", value):
        return "season"
    if "-Q" in value:
        return "quarter"
    return {4: "year", 3: "decade", 2: "century"}.get(len(value), "unknown") if value[:1].isdigit() else "unknown"


def _date(value: str) -> Timex:
    return Timex("time" if "T" in value else "date", value, precision_of(value))


# News looks back: a bare date is read as the past one unless the next one is this many times closer.
_FUTURE_BIAS = 2


def _past_or_future(candidates: list[date], anchor: date, future: bool) -> date:
    """Of the readings of a bare date (a year apart), the latest on or before ``anchor``, or the next one
    when the clause is future or that one is much closer ("payable Dec. 7" in late October)."""
    after = min(d for d in candidates if d > anchor)
    if future:
        return after
    before = max(d for d in candidates if d <= anchor)
    return after if (after - anchor).days * _FUTURE_BIAS < (anchor - before).days else before


def _resolve_month_day(anchor: date | None, month: int, day: int, future: bool) -> str:
    if anchor is None:
        return f"XXXX-{month:02d}-{day:02d}"
    options = []
    for year in (anchor.year - 1, anchor.year, anchor.year + 1):
        try:
            options.append(date(year, month, day))
        except ValueError:  # 29 February
            continue
    return _past_or_future(options, anchor, future).isoformat()


def _resolve_weekday(anchor: date | None, weekday: int, future: bool, relation: str | None) -> str:
    if anchor is None:
        return f"XXXX-WXX-{weekday + 1}"
    back = (anchor.weekday() - weekday) % 7
    past = anchor - timedelta(days=back)
    if relation == "last":
        past = past if back else past - timedelta(days=7)
        return past.isoformat()
    if relation == "next" or future:
        return (past + timedelta(days=7)).isoformat()
    if relation == "this":  # the one in the anchor's week
        return (anchor + timedelta(days=weekday - anchor.weekday())).isoformat()
    return past.isoformat()


def _resolve_month(anchor: date | None, month: int, future: bool, relation: str | None) -> str:
    if anchor is None:
        return f"XXXX-{month:02d}"
    year = anchor.year
    if relation == "last":
        year -= 1 if month >= anchor.month else 0
    elif relation == "next":
        year += 1 if month <= anchor.month else 0
    elif relation != "this":
        options = [date(y, month, 15) for y in (year - 1, year, year + 1)]
        # The month in progress counts as past: its middle stands in for the anchor.
        year = _past_or_future(options, max(anchor, date(anchor.year, anchor.month, 15)), future).year
    return f"{year}-{month:02d}"


def _resolve_season(anchor: date | None, code: str, future: bool, relation: str | None) -> str:
    if anchor is None:
        return f"XXXX-{code}"
    current = _SEASON_MONTH[code] <= anchor.month
    year = anchor.year
    if relation == "last":
        year -= 1
    elif relation == "next":
        year += 1 if current else 0
    elif relation != "this" and not current and not future:
        year -= 1
    return f"{year}-{code}"


# --- Normalisation rules ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What a rule may need beyond the expression: the anchor, the tense, a nearby quarter reference."""

    anchor: date | None
    future: bool = False
    quarter: str | None = None  # the quarter last named nearby: "a year earlier" then means that quarter a year back


Rule = Callable[[re.Match[str], Context], Timex | None]
_RULES: list[tuple[re.Pattern[str], Rule]] = []


def rule(pattern: str) -> Callable[[Rule], Rule]:
    """Register a normalisation rule for cleaned expressions matching ``pattern`` entirely."""

    def register(fn: Rule) -> Rule:
        _RULES.append((re.compile(pattern), fn))
        return fn

    return register


def _relation(word: str | None) -> str | None:
    if word in ("last", "past", "previous", "preceding", "recent", "latest", "prior"):
        return "last"
    if word in ("next", "coming", "following", "upcoming"):
        return "next"
    if word in ("this", "current", "present"):
        return "this"
    return None


def _duration(count: str, unit: str) -> Timex:
    unit = unit.rstrip("s") if unit != "centuries" else "century"
    unit = "century" if unit == "centurie" else unit
    designator, multiplier = UNITS[unit]
    if count == "x":
        amount = "X"
    else:
        number = float(count) * multiplier
        if not number.is_integer():  # "1.5 hours" -> 90 minutes; other fractions stay as written
            if designator == "H":
                return Timex("duration", f"PT{int(number * 60)}M", "time")
            amount = count
        else:
            amount = str(int(number))
    if amount == "X" and unit in ("decade", "century"):
        designator = "E" if unit == "decade" else "C"  # TimeBank's PXE, PXC
    value = f"PT{amount}{designator}" if unit in _TIME_UNITS else f"P{amount}{designator}"
    return Timex("duration", value, _UNIT_PRECISION[unit])


def _unit_name(unit: str) -> str:
    return "century" if unit.startswith("centur") else unit.rstrip("s") if unit != "hours" else "hour"


def _vague(value: str) -> Timex:
    return Timex("date", value, "unknown")


@rule(r"(\d{4})-(\d{2})-(\d{2})(?:t(\d{2}):(\d{2}))?")
def _iso(m: re.Match[str], ctx: Context) -> Timex | None:
    year, month, day = (int(g) for g in m.groups()[:3])
    try:
        value = date(year, month, day).isoformat()
    except ValueError:
        return None
    return _date(f"{value}T{m[4]}:{m[5]}" if m[4] else value)


@rule(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})")
def _slashed(m: re.Match[str], ctx: Context) -> Timex | None:
    # US order (month first) unless the first number cannot be a month.
    first, second, year = int(m[1]), int(m[2]), int(m[3])
    year += 1900 if year < 100 and year > 30 else 2000 if year < 100 else 0
    month, day = (first, second) if first <= 12 else (second, first)
    try:
        return _date(date(year, month, day).isoformat())
    except ValueError:
        return None


@rule(rf"(?:(?:{_WEEKDAY}) )?({_MONTH}) (\d{{1,2}})(?:st|nd|rd|th)?(?: (\d{{4}}))?")
@rule(rf"(?:(?:{_WEEKDAY}) )?(?:the )?(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?({_MONTH})(?: (\d{{4}}))?")
def _month_day(m: re.Match[str], ctx: Context) -> Timex | None:
    month_word, day_text = (m[1], m[2]) if not m[1].isdigit() else (m[2], m[1])
    month, day = MONTHS[month_word], int(day_text)
    if m[3]:
        try:
            return _date(date(int(m[3]), month, day).isoformat())
        except ValueError:
            return None
    if not 1 <= day <= 31:
        return None
    return _date(_resolve_month_day(ctx.anchor, month, day, ctx.future))


@rule(rf"(?:night of |nights of )?(\d{{1,2}}) ?(?:-|to|and|through) ?(\d{{1,2}}) (?:of )?({_MONTH})(?: (\d{{4}}))?")
@rule(rf"(?:night of |nights of )?({_MONTH}) (\d{{1,2}}) ?(?:-|to|and|through) ?(\d{{1,2}})(?: (\d{{4}}))?")
def _day_range(m: re.Match[str], ctx: Context) -> Timex | None:
    if m[1].isdigit():
        first, last, month = int(m[1]), int(m[2]), MONTHS[m[3]]
    else:
        month, first, last = MONTHS[m[1]], int(m[2]), int(m[3])
    if not 1 <= first < last <= 31:
        return None
    start = m[4] + f"-{month:02d}-{first:02d}" if m[4] else _resolve_month_day(ctx.anchor, month, first, ctx.future)
    end = start[:-2] + f"{last:02d}"  # the range stays within its month
    if end[0].isdigit():
        try:
            date.fromisoformat(end)
        except ValueError:  # 30-31 February
            return None
    return Timex("date", start, "range", end)


@rule(rf"({_MONTH}) (\d{{4}})")
@rule(rf"({_MONTH}) of (\d{{4}})")
def _month_year(m: re.Match[str], ctx: Context) -> Timex:
    return _date(f"{m[2]}-{MONTHS[m[1]]:02d}")


@rule(rf"(?:(last|next|this|past|coming) )?({_MONTH})(?: (last|next|this) year)?")
def _month(m: re.Match[str], ctx: Context) -> Timex | None:
    month = MONTHS[m[2]]
    if m[3] and ctx.anchor is not None:
        year = ctx.anchor.year + {"last": -1, "next": 1, "this": 0}[m[3]]
        return _date(f"{year}-{month:02d}")
    if m[3]:
        return _vague({"last": "PAST_REF", "next": "FUTURE_REF", "this": "PRESENT_REF"}[m[3]])
    return _date(_resolve_month(ctx.anchor, month, ctx.future, _relation(m[1])))


@rule(
    r"(?:year |fiscal |fiscal year |calendar |calendar year |the year )?(\d{4})"
    r"(?: fiscal year| year| period| fiscal| season| levels?)?"
)
def _year(m: re.Match[str], ctx: Context) -> Timex | None:
    return _date(m[1]) if 1000 <= int(m[1]) <= 2199 else None


_DECADE_WORDS = ("twenties", "thirties", "forties", "fifties", "sixties", "seventies", "eighties", "nineties")


@rule(rf"(\d{{2}})?(\d)0s|'(\d)0s|({'|'.join(_DECADE_WORDS)})")
def _decade(m: re.Match[str], ctx: Context) -> Timex:
    if m[1]:
        return Timex("date", f"{m[1]}{m[2]}", "decade")
    digit = int(m[2] or m[3]) if m[4] is None else _DECADE_WORDS.index(m[4]) + 2
    century = 19
    if ctx.anchor is not None:  # "the 90s" is the latest 90s on or before the anchor
        century = ctx.anchor.year // 100 - (1 if digit > ctx.anchor.year // 10 % 10 else 0)
    return Timex("date", f"{century}{digit}", "decade")


@rule(r"(?:(this|last|next) )?year end")
def _year_end(m: re.Match[str], ctx: Context) -> Timex:
    if ctx.anchor is None:
        return _vague("FUTURE_REF" if m[1] == "next" else "PAST_REF" if m[1] == "last" else "PRESENT_REF")
    return _date(f"{ctx.anchor.year + {'last': -1, 'next': 1}.get(m[1] or '', 0)}-12-31")


@rule(rf"week of ((?:{_MONTH}) \d{{1,2}}|\d{{1,2}} (?:{_MONTH}))")
def _week_of(m: re.Match[str], ctx: Context) -> Timex | None:
    day = _apply_rules(m[1], ctx)
    if day is None or not day.value[:4].isdigit():
        return day
    return Timex("date", _iso_week(date.fromisoformat(day.value)), "week")


@rule(r"(\d{1,2})(?:st|nd|rd|th) century")
@rule(rf"({_ORD}) century")
def _century(m: re.Match[str], ctx: Context) -> Timex:
    number = int(m[1]) if m[1].isdigit() else ORDINALS[m[1]]
    return Timex("date", f"{number - 1:02d}", "century")


@rule(rf"({_SEASON})(?: of)? (\d{{4}})")
def _season_year(m: re.Match[str], ctx: Context) -> Timex:
    return Timex("date", f"{m[2]}-{SEASONS[m[1]]}", "season")


@rule(rf"(?:(last|next|this|past|coming) )?({_SEASON})(?: (last|next|this) year)?")
def _season(m: re.Match[str], ctx: Context) -> Timex:
    code = SEASONS[m[2]]
    if m[3] and ctx.anchor is not None:
        return Timex("date", f"{ctx.anchor.year + {'last': -1, 'next': 1, 'this': 0}[m[3]]}-{code}", "season")
    return Timex("date", _resolve_season(ctx.anchor, code, ctx.future, _relation(m[1])), "season")


_QUARTER_YEAR = r"(?: (?:of )?(?:fiscal |calendar )?(?:year )?(\d{4}))?"


@rule(
    rf"(?:(\d{{4}}|this year|last year|next year) )?(?:fiscal |calendar )?(?:year )?"
    rf"({_ORD}|q[1-4]|[1-4](?:st|nd|rd|th)) (?:fiscal )?(quarter|half){_QUARTER_YEAR}"
)
def _quarter(m: re.Match[str], ctx: Context) -> Timex | None:
    word = m[2]
    number = int(word[1]) if word.startswith("q") else int(word[0]) if word[0].isdigit() else ORDINALS[word]
    limit = 4 if m[3] == "quarter" else 2
    if word == "last":  # "the last half of 1989"; "last quarter" alone is the previous one
        if not (m[1] or m[4]):
            return None
        number = limit
    if not 1 <= number <= limit:
        return None
    year = m[4] or m[1] or "this year"
    if not year[0].isdigit():
        offset = {"this": 0, "last": -1, "next": 1}[year.split()[0]]
        year = str(ctx.anchor.year + offset) if ctx.anchor else "XXXX"
    return Timex("date", f"{year}-{'Q' if limit == 4 else 'H'}{number}", "quarter" if limit == 4 else "unknown")


_PERIOD = r"(quarter|period|results|year|month|week|time)"


@rule(
    rf"(?:(?:same|comparable|corresponding|prior|year earlier|year ago|previous year|last year) )+{_PERIOD}"
    r"(?: a year (?:earlier|ago)| last year| of last year)?"
)
@rule(rf"{_PERIOD} (?:a )?year (?:earlier|ago)")
@rule(r"()1 year (?:earlier|ago|before)")
@rule(r"(year) (?:earlier|ago)")
def _year_earlier(m: re.Match[str], ctx: Context) -> Timex | None:
    """A period a year back: in an earnings report, the quarter just named (or just ended) a year earlier."""
    period = m[1]
    if period in ("month", "week", "time"):
        return None
    if ctx.anchor is None:
        return _vague("PAST_REF")
    if period != "year" and ctx.quarter:
        return Timex("date", _shift_value(ctx.quarter, -1), "quarter")
    if period in ("quarter", "period", "results"):
        return Timex("date", _shift_value(shift(ctx.anchor, "quarter", -1), -1), "quarter")
    return Timex("date", str(ctx.anchor.year - 1), "year")


@rule(r"(\d{4}) (?:fiscal )?(quarter|period)")
def _year_quarter(m: re.Match[str], ctx: Context) -> Timex:
    if ctx.quarter:
        return Timex("date", f"{m[1]}{ctx.quarter[4:]}", "quarter")
    return _date(m[1])


@rule(r"(?:(latest|current|recent|most recent|this|last|previous|past|next|coming|fiscal) )*(quarter|period)")
def _the_quarter(m: re.Match[str], ctx: Context) -> Timex | None:
    relation = _relation(m[1])
    if m[2] == "period" and m[1] not in ("latest", "current", "recent", "most recent"):
        return None
    if ctx.anchor is None:
        return _vague({"next": "FUTURE_REF", "this": "PRESENT_REF"}.get(relation or "", "PAST_REF"))
    if relation == "this":
        return Timex("date", shift(ctx.anchor, "quarter", 0), "quarter")
    if relation == "next":
        return Timex("date", shift(ctx.anchor, "quarter", 1), "quarter")
    # "the quarter" in a report is the one it reports: the one just named, else the last one completed.
    latest = m[1] in ("latest", "recent", "most recent", "last", "previous", "past")
    return Timex("date", (None if latest else ctx.quarter) or shift(ctx.anchor, "quarter", -1), "quarter")


@rule(
    r"(today|tonight|yesterday|tomorrow|day before yesterday|day after tomorrow|overnight)"
    r"(?: (morning|afternoon|evening|night))?"
)
@rule(rf"(this|last|tomorrow|yesterday) ({_PART})")
def _deictic_day(m: re.Match[str], ctx: Context) -> Timex:
    offset = {
        "today": 0, "tonight": 0, "this": 0, "overnight": 0, "yesterday": -1, "last": -1, "tomorrow": 1,
        "day before yesterday": -2, "day after tomorrow": 2,
    }[m[1]]
    part = PARTS_OF_DAY.get(m[2] or "") or ("NI" if m[1] == "tonight" else None)
    if ctx.anchor is None:
        return _vague({0: "PRESENT_REF", 1: "FUTURE_REF", 2: "FUTURE_REF"}.get(offset, "PAST_REF"))
    value = (ctx.anchor + timedelta(days=offset)).isoformat()
    return Timex("time", f"{value}T{part}", "time") if part else _date(value)


@rule(rf"(?:(last|next|this|past|coming|on) )?({_WEEKDAY})(?: (morning|afternoon|evening|night))?")
def _weekday(m: re.Match[str], ctx: Context) -> Timex:
    value = _resolve_weekday(ctx.anchor, WEEKDAYS[m[2]], ctx.future, _relation(m[1]))
    return Timex("time", f"{value}T{PARTS_OF_DAY[m[3]]}", "time") if m[3] else Timex("date", value, "day")


@rule(
    r"(?:(this|current|last|past|previous|next|coming|following|present|that|same|recent) )?"
    r"(?:calendar |fiscal )?(day|week|weekend|month|year|decade|century)"
)
def _relative_unit(m: re.Match[str], ctx: Context) -> Timex | None:
    relation, unit = _relation(m[1]), m[2]
    if m[1] in ("that", "same") or (m[1] is None and unit in ("decade", "century")):
        return None
    if ctx.anchor is None:
        return _vague({"last": "PAST_REF", "next": "FUTURE_REF"}.get(relation or "", "PRESENT_REF"))
    offset = {"last": -1, "next": 1}.get(relation or "", 0)
    if unit == "weekend" and relation is None and ctx.anchor.weekday() < 5:
        offset = 1 if ctx.future else -1  # "the weekend" read on a weekday is the one just past
    return Timex("date", shift(ctx.anchor, unit, offset), _UNIT_PRECISION[unit])


@rule(rf"{_NUM} {_UNIT} (ago|earlier|before|previously|back|later|after|from now|hence|on|since)")
def _units_ago(m: re.Match[str], ctx: Context) -> Timex | None:
    unit = _unit_name(m[2])
    direction = -1 if m[3] in ("ago", "earlier", "before", "previously", "back") else 1
    if m[3] in ("earlier", "later", "before", "after", "on", "since") and unit not in ("year", "decade", "century"):
        return _duration(m[1], m[2])  # "three days later": an interval from some event, not from the anchor
    if m[1] == "x" or ctx.anchor is None:
        return _vague("PAST_REF" if direction < 0 else "FUTURE_REF")
    return Timex("date", shift(ctx.anchor, unit, direction * int(m[1])), _UNIT_PRECISION[unit])


@rule(rf"(?:between )?(\d+) (?:to|-|or|and) (\d+) {_UNIT}")
def _duration_range(m: re.Match[str], ctx: Context) -> Timex:
    low, high = _duration(m[1], m[3]), _duration(m[2], m[3])
    return Timex("duration", low.value, "range", high.value)  # "two to six days": P2D up to P6D


@rule(
    r"(?:(?:the )?(?:past|last|next|first|coming|previous|final|recent|following|latest|initial|remaining|"
    rf"ensuing|other) )?(?:{_NUM} ){_UNIT}(?: period| span| stretch| term| run| life| history| time)?"
)
def _count_units(m: re.Match[str], ctx: Context) -> Timex:
    return _duration(m[1], m[2])


@rule(
    r"(?:(?:the )?(?:past|last|next|coming|previous|several|many|few|other|recent|future|prior) )?"
    r"(seconds|minutes|hours|days|nights|weeks|months|quarters|years|decades|centuries)"
)
def _plural_units(m: re.Match[str], ctx: Context) -> Timex:
    return _duration("x", m[1])


_SET_UNIT = r"(second|minute|hour|day|night|week|month|quarter|year)s?"
_ADVERBS = {"daily": "day", "nightly": "day", "weekly": "week", "monthly": "month", "yearly": "year", "hourly": "hour"}


@rule(rf"(?:every|each|per|a|once a|twice a|x times a|\d+ times a) (){_SET_UNIT}")
@rule(rf"(?:every|each) (\d+) {_SET_UNIT}")
@rule(r"()(daily|nightly|weekly|monthly|yearly|hourly)")
def _set(m: re.Match[str], ctx: Context) -> Timex:
    unit = _ADVERBS.get(m[2]) or m[2]
    designator, _ = UNITS[unit]
    count = m[1] or "1"
    value = f"PT{count}{designator}" if unit in _TIME_UNITS else f"P{count}{designator}"
    return Timex("set", value, _UNIT_PRECISION[unit])


@rule(rf"(?:every|each) ({_WEEKDAY})(?: (morning|afternoon|evening|night))?|({_WEEKDAY})s")
def _weekly(m: re.Match[str], ctx: Context) -> Timex:
    day = WEEKDAYS[m[1] or m[3]] + 1
    return Timex("set", f"XXXX-WXX-{day}" + (f"T{PARTS_OF_DAY[m[2]]}" if m[2] else ""), "day")


@rule(rf"(?:every|each) ({_MONTH}|{_SEASON})")
def _yearly(m: re.Match[str], ctx: Context) -> Timex:
    if m[1] in SEASONS:
        return Timex("set", f"XXXX-{SEASONS[m[1]]}", "season")
    return Timex("set", f"XXXX-{MONTHS[m[1]]:02d}", "month")


_PRESENT = (
    r"now|right now|just now|currently|current|presently|at present|these days|nowadays|today|at the moment|"
    r"the moment|this time|at this time|present"
)
_PAST = r"recently|recent|lately|previously|formerly|the past|past|in the past|once|earlier|before|long ago"
_FUTURE = r"soon|future|the future|near future|the near future|near term|the near term|later|in the future|shortly"


@rule(rf"({_PRESENT})|({_PAST})|({_FUTURE})")
def _reference(m: re.Match[str], ctx: Context) -> Timex:
    return _vague("PRESENT_REF" if m[1] else "PAST_REF" if m[2] else "FUTURE_REF")


# Clock times: "5 pm est", "noon", "10:30"; the rest of the expression (a day) is parsed by the rules above.
_CLOCK = re.compile(
    r"\b(?:at )?(?:(\d{1,2})(?::(\d{2}))? ?(am|pm)|(\d{1,2}):(\d{2})|(noon|midday|midnight))"
    r"(?: (?:[ecmp][sd]t|gmt|utc|bst|cet|cest|eet|eest|msk|ist|jst|local time))?\b"
)


def _clock(text: str, ctx: Context) -> Timex | None:
    m = _CLOCK.search(text)
    if m is None:
        return None
    if m[6]:
        hour, minute = (24 if m[6] == "midnight" else 12), 0
    else:
        hour, minute = int(m[1] or m[4]), int(m[2] or m[5] or 0)
        if m[3] == "pm" and hour < 12:
            hour += 12
        elif m[3] == "am" and hour == 12:
            hour = 0
    if hour > 24 or minute > 59:
        return None
    rest = " ".join((text[: m.start()] + " " + text[m.end() :]).replace(" on ", " ").split())
    rest = re.sub(r"^(?:on|of|in the|in) |^(?:morning|afternoon|evening|night)$", "", rest).strip()
    if rest:
        day = _apply_rules(rest, ctx)
        if day is None or day.precision != "day":
            return None
        base = day.value
    else:
        base = ctx.anchor.isoformat() if ctx.anchor else "XXXX-XX-XX"
    return Timex("time", f"{base}T{hour:02d}:{minute:02d}", "time")


def _apply_rules(text: str, ctx: Context) -> Timex | None:
    for pattern, fn in _RULES:
        m = pattern.fullmatch(text)
        if m is not None:
            result = fn(m, ctx)
            if result is not None:
                return result
    return None


@lru_cache(maxsize=8192)
def _normalise_clean(text: str, ctx: Context) -> Timex | None:
    if not text or re.search(r"\bold\b|\byear old\b", text):  # ages are not time expressions
        return None
    return _apply_rules(text, ctx) or _clock(text, ctx)


def normalise(text: str, anchor: date | None, *, future: bool = False, quarter: str | None = None) -> Timex | None:
    """The TIMEX3 reading of one time expression, or None when no rule understands it."""
    return _normalise_clean(clean(text), Context(anchor, future, quarter))


# --- Finding spans ---------------------------------------------------------------------------------

_COUNT_WORDS = r"\d+|several|a few|a couple of|" + "|".join(w for w in [*_SMALL, *_TENS] if w != "zero")
_RELATIVE = "past|last|next|first|coming|previous|current|following"
_WEEKDAY_NAMES = "|".join(w.capitalize() + "|" + w for w in WEEKDAYS if len(w) > 3)
_CAPITALISED_WEEKDAYS = "|".join(w.capitalize() for w in WEEKDAYS if len(w) > 3)
_CAPITALISED_MONTHS = "|".join(sorted((m.capitalize() for m in MONTHS), key=len, reverse=True))
# What NER misses: deictic words, weekday names, quantified durations, sets, day ranges, numeric dates.
_PATTERN = re.compile(
    r"\b(?:"
    r"(?i:(?:right )?now|currently|recently|today|tonight|these days|nowadays|the (?:near )?future|the past)"
    r"|daily|weekly|monthly|hourly|the weekend|year[- ]end"
    rf"|(?:(?:last|next|this|early|late|previous|this coming|this past) )?(?:{_WEEKDAY_NAMES})"
    rf"(?:s| (?:morning|afternoon|evening|night))?"
    r"|(?:every|each) (?:other |single )?"
    rf"(?:second|minute|hour|day|night|week|month|quarter|year|{_CAPITALISED_WEEKDAYS})"
    rf"|(?:(?i:the|earlier|later) )?(?i:this|{_RELATIVE}) (?:(?:{_COUNT_WORDS}|few|several|couple of)[ -])?{_UNIT}"
    rf"|(?:{_COUNT_WORDS})[ -](?:more |other |full )?{_UNIT}(?: (?:ago|earlier|later))?"
    r"|\d{4}-\d{2}-\d{2}"
    rf"|\d{{1,2}}[-–]\d{{1,2}} (?:{_CAPITALISED_MONTHS})\.?(?: \d{{4}})?"
    r"|(?:the )?(?:1[0-9]|20)\d0s|the '?\d0s"
    r")\b",
)
# Edges TimeML leaves outside a span; "about", "around", "over a week" stay in ("about two years ago").
_LEADING = re.compile(
    r"^(?:(?:in|on|at(?! least| most)|since|by|from|until|till|during|for|over(?= the)|between|as of|as|of|to|and|or|"
    r"both|its|their|his|her|our|within|before|after|through|throughout|into|than|the(?= the)|when|while|ago|"
    r"just|only|barely)\s+)+",
    re.I,
)
_TRAILING = re.compile(r"(?:\s*(?:'s|’s|'|’|[.,;:!?\"“”()\-–—]))+$|\s+(?:of|and|or|to|the)$", re.I)
# Inside one entity, these separate two expressions ("the quarter ended Sept. 30", "Aug. 26 to Oct. 20").
_SPLIT = re.compile(
    r"\s+(?:ended|ending|ends|end|to|through|until|till|and|compared with|versus|vs\.?|(of))\s+|\s*,\s+(?=the )", re.I
)
_JOIN_GAP = re.compile(r"^(?:,? |\s+of\s+|\s+on\s+)$")
_PART_OF_DAY_ONLY = re.compile(rf"^(?:the )?(?:{_PART})$|^(?:noon|midnight)$", re.I)
_FUTURE_AUX = frozenset({"will", "'ll", "shall", "wo"})


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while True:
        piece = text[start:end]
        lead = _LEADING.match(piece)
        if lead:
            start += lead.end()
            continue
        trail = _TRAILING.search(piece)
        if trail and trail.start() > 0 and not piece.endswith((" a.m.", " p.m.", "a.m.", "p.m.")):
            end = start + trail.start()
            continue
        return start, end


def _split(text: str, start: int, end: int, anchor: date | None) -> list[tuple[int, int]]:
    """``[start, end)`` cut at 'ended', 'to', 'and' where both sides are time expressions of their own."""
    pieces, cursor = [], start
    for m in _SPLIT.finditer(text, start, end):
        if m[1]:  # "the first nine months | of 1997", but "the third quarter of 1989" is one
            left = normalise(text[cursor : m.start()], anchor)
            if left is None or left.type != "duration":
                continue
        pieces.append((cursor, m.start()))
        cursor = m.end()
    pieces.append((cursor, end))
    if len(pieces) > 1 and all(normalise(text[s:e], anchor) is not None for s, e in pieces):
        return pieces
    return [(start, end)]


def _entity_spans(doc: Doc) -> list[tuple[int, int]]:
    """DATE/TIME entities, neighbours joined: "5 p.m. EST" + "Nov. 6", "Friday" + "morning",
    "the night" + "of 19-20 September"."""
    spans: list[tuple[int, int]] = []
    text = token_table(doc).doc_text
    for ent in doc.ents:
        if ent.label_ not in ("DATE", "TIME"):
            continue
        start, end = ent.start_char, ent.end_char
        if spans and _JOIN_GAP.match(text[spans[-1][1] : start]) and (
            ent.label_ == "TIME" or _PART_OF_DAY_ONLY.match(text[spans[-1][0] : spans[-1][1]])
            or doc[ent.start - 1].ent_type_ == "TIME" or _CLOCK.search(clean(text[spans[-1][0] : spans[-1][1]]))
        ):
            spans[-1] = (spans[-1][0], end)
            continue
        spans.append((start, end))
    return spans


_YEAR = re.compile(r"(?<![\d$£€.,-])(?:1[89]\d\d|20\d\d)(?![\d,.%-]\d|\s*(?:%|percent|per cent))\b")
_COUNTED = frozenset({"CARDINAL", "MONEY", "QUANTITY", "PERCENT", "ORDINAL", "PRODUCT"})


def _year_spans(doc: Doc) -> list[tuple[int, int]]:
    """Years the NER tagged as part of something else ("the 2020 war") or not at all; not counts ("2000 troops")."""
    spans = []
    for m in _YEAR.finditer(token_table(doc).doc_text):
        token = doc.char_span(m.start(), m.end())
        if token is None or token.root.ent_type_ in _COUNTED:
            continue
        if token.root.dep_ != "nummod" or token.root.head.tag_ not in ("NNS", "NNPS"):
            spans.append((m.start(), m.end()))
    return spans


def _is_future(doc: Doc, start: int, end: int) -> bool:
    """Whether the clause holding the span is in the future tense ("will meet on Monday")."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return False
    token = span.root
    for _ in range(4):  # up to the governing verb
        if token.pos_ in ("VERB", "AUX") or token.head is token:
            break
        token = token.head
    return any(child.lower_ in _FUTURE_AUX for child in token.children) or token.lower_ in _FUTURE_AUX


# A bare date whose reading depends on the tense.
_TENSE_SENSITIVE = re.compile(
    rf"^(?:(?:{_WEEKDAY})(?: (?:{_PART}))?|(?:{_MONTH})(?: \d{{1,2}})?|\d{{1,2}} (?:{_MONTH})|{_SEASON})$"
)
_DIGIT = re.compile(r"\d")
_PERIOD_ENDED = re.compile(r"\s+(?:ended|ending|that ended|which ended)\b")
_QUARTER_WINDOW = 400  # characters: how far back a quarter still anchors "a year earlier"


def find_times(doc: Doc, anchor: date | None) -> list[tuple[int, int, Timex]]:
    """Every time expression in ``doc``: ``(start, end, Timex)`` sorted by start, none overlapping."""
    text = token_table(doc).doc_text
    candidates = _entity_spans(doc)
    candidates += [(m.start(), m.end()) for m in _PATTERN.finditer(text)]
    candidates += _year_spans(doc)
    # Longest first, so a pattern inside an entity (or an entity inside a pattern) is kept once.
    candidates.sort(key=lambda c: (c[0] - c[1], c[0]))
    taken: list[tuple[int, int]] = []
    occupied = bytearray(len(text))
    for start, end in candidates:
        if occupied.find(1, start, end) == -1:
            taken.append((start, end))
            occupied[start:end] = b"\x01" * (end - start)
    spans = []
    for start, end in sorted(taken):
        start, end = _trim(text, start, end)
        if end > start:
            spans.extend(_split(text, start, end, anchor))

    found: list[tuple[int, int, Timex]] = []
    quarter: tuple[int, str] | None = None
    for start, end in spans:
        start, end = _trim(text, start, end)
        if end <= start:
            continue
        cleaned = clean(text[start:end])
        future = bool(_TENSE_SENSITIVE.match(cleaned)) and _is_future(doc, start, end)
        near = quarter[1] if quarter and start - quarter[0] < _QUARTER_WINDOW else None
        timex = _normalise_clean(cleaned, Context(anchor, future, near))
        if timex is None:
            continue
        if timex.precision == "quarter" and (anchor is None or timex.value[:4] == str(anchor.year)):
            quarter = (start, timex.value)  # "a year earlier" quarters are not themselves references
        if timex.precision == "year" and not _DIGIT.search(cleaned) and _PERIOD_ENDED.match(text, end):
            timex = Timex("duration", "P1Y", "year")  # "the year ended March 31" is a twelve-month period
        found.append((start, end, timex))
    return found


@extractor("times")
def extract_times(doc: Doc, article: Article) -> None:
    anchor = article.published.value if article.published else None
    article.times = [
        TimeExpression(
            span=article.span(start, end),
            type=timex.type,
            value=timex.value,
            precision=timex.precision,
            end_value=timex.end_value,
        )
        for start, end, timex in find_times(doc, anchor)
    ]
