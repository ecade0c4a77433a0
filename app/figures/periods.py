"""Periods: the time slots an indicator is measured in, and the strings that name them.

A period is stored as its first day plus the indicator's frequency. Canonical labels
(DESIGN.md "Periods") are ``2024``, ``2024-H1``, ``2024-Q1``, ``2024-03``, ``2024-W05``
(ISO week) and ``2024-03-15``. On input we also accept the spellings people bring
from spreadsheets and Statistics Netherlands (``2024KW01``, ``2024 Q1``, ``mrt 2024``,
``03-2024``) and periods in Dutch and English words as people type them and as
``summary.period_words`` writes them (``maart 2024``, ``1e kwartaal 2024``, ``2024
kwartaal 1``, ``eerste helft 2024``, ``first half of 2024``, ``week 5 van 2024``,
``15 maart 2024``): every field and filter that takes a period reads it here. We
never guess: a period of the wrong frequency is an error that says which frequency
was expected.

Every period, in every notation and at every entrance (forms, imports, API bodies and
filters, the CLI, reports, breaks, story requests), lies within the years
``FIRST_YEAR`` to ``LAST_YEAR`` (1900-2100, ``app.models.days``, the rule for dates
too): ``parse_period`` refuses anything else
with a PeriodError, and ``check_day`` does the same for a date given as a date.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import overload

from app.i18n import N_
from app.models import Frequency
from app.models.days import FIRST_YEAR, LAST_YEAR, OUT_OF_RANGE, within_years
from app.problems import STRICT, FieldError, Filters, Invalid, Message

_ONE_DAY = timedelta(days=1)


# Months per frequency that spans whole months.
_MONTHS = {Frequency.year: 12, Frequency.half: 6, Frequency.quarter: 3, Frequency.month: 1}

_EXAMPLES = {
    Frequency.year: "2024",
    Frequency.half: "2024-H1",
    Frequency.quarter: "2024-Q1",
    Frequency.month: "2024-03",
    Frequency.week: "2024-W05",
    Frequency.day: "2024-03-15",
}

_NOUNS = {
    Frequency.year: N_("a year"),
    Frequency.half: N_("a half year"),
    Frequency.quarter: N_("a quarter"),
    Frequency.month: N_("a month"),
    Frequency.week: N_("a week"),
    Frequency.day: N_("a day"),
}

_PER = {
    Frequency.year: N_("per year"),
    Frequency.half: N_("per half year"),
    Frequency.quarter: N_("per quarter"),
    Frequency.month: N_("per month"),
    Frequency.week: N_("per week"),
    Frequency.day: N_("per day"),
}

# Dutch month names and abbreviations as spreadsheets write them, plus the English
# abbreviations that differ ("mar", "may", "oct").
_MONTH_NAMES = {
    "jan": 1, "januari": 1, "january": 1,
    "feb": 2, "febr": 2, "februari": 2, "february": 2,
    "mrt": 3, "maa": 3, "maart": 3, "mar": 3, "march": 3,
    "apr": 4, "april": 4,
    "mei": 5, "may": 5,
    "jun": 6, "juni": 6, "june": 6,
    "jul": 7, "juli": 7, "july": 7,
    "aug": 8, "augustus": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9,
    "okt": 10, "oktober": 10, "oct": 10, "october": 10,
    "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}  # fmt: skip


class PeriodError(ValueError):
    """A string that is not a period, or a period of the wrong frequency.

    ``template`` (an English msgid with ``%(name)s`` placeholders) and ``values`` let
    pages translate the message; ``str(error)`` is the English text.
    """

    def __init__(self, template: str, **values: str) -> None:
        self.template = template
        self.values = values
        super().__init__(template % values)

    def at(self, field: str, *, part: str = "body") -> Invalid:
        """This error as the Problem of ``field`` (its nouns, "a month", translated too)."""
        values = {k: Message(v) if k in ("noun", "per") else v for k, v in self.values.items()}
        return Invalid(FieldError(field, self.template, values, part=part))


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, order=True, slots=True)
class Period:
    """One period: its first day and its frequency (ordered by start)."""

    start: date
    frequency: Frequency

    @property
    def label(self) -> str:
        """Return the canonical string, e.g. ``2024-Q1``."""
        start, frequency = self.start, self.frequency
        if frequency is Frequency.year:
            return f"{start.year:04d}"
        if frequency is Frequency.half:
            return f"{start.year:04d}-H{1 if start.month <= 6 else 2}"
        if frequency is Frequency.quarter:
            return f"{start.year:04d}-Q{(start.month - 1) // 3 + 1}"
        if frequency is Frequency.month:
            return f"{start.year:04d}-{start.month:02d}"
        if frequency is Frequency.week:
            year, week, _ = start.isocalendar()
            return f"{year:04d}-W{week:02d}"
        return start.isoformat()

    @property
    def end(self) -> date:
        """Return the last day of the period."""
        if self.frequency in _MONTHS:
            return _add_months(self.start, _MONTHS[self.frequency]) - _ONE_DAY
        if self.frequency is Frequency.week:
            return self.start + timedelta(days=6)
        return self.start

    def next(self) -> "Period":
        """Return the period that follows this one."""
        return Period(self.end + _ONE_DAY, self.frequency)

    def __str__(self) -> str:
        return self.label


def period_of(day: date, frequency: Frequency) -> Period:
    """Return the period of ``frequency`` that contains ``day``."""
    frequency = Frequency(frequency)
    if frequency in _MONTHS:
        size = _MONTHS[frequency]
        return Period(date(day.year, (day.month - 1) // size * size + 1, 1), frequency)
    if frequency is Frequency.week:
        return Period(day - timedelta(days=day.weekday()), frequency)
    return Period(day, frequency)


def _month(year: int, month: int, text: str) -> date:
    if not 1 <= month <= 12:
        raise PeriodError(N_("'%(text)s' has no month %(month)s"), text=text, month=str(month))
    return date(year, month, 1)


Groups = Mapping[str, str]  # a pattern's named groups, alternatives merged (_Groups)
Build = Callable[[Groups, str], "Period"]  # makes the period of a pattern's match


def _year(match: Groups, text: str) -> Period:
    return Period(date(int(match["year"]), 1, 1), Frequency.year)


def _half(match: Groups, text: str) -> Period:
    return Period(date(int(match["year"]), 6 * int(match["n"]) - 5, 1), Frequency.half)


def _quarter(match: Groups, text: str) -> Period:
    return Period(date(int(match["year"]), 3 * int(match["n"]) - 2, 1), Frequency.quarter)


def _numeric_month(match: Groups, text: str) -> Period:
    return Period(_month(int(match["year"]), int(match["month"]), text), Frequency.month)


def _named_month(match: Groups, text: str) -> Period:
    month = _MONTH_NAMES.get(match["name"].lower().rstrip("."))
    if month is None:
        raise PeriodError(N_("'%(text)s' names no month I know"), text=text)
    return Period(date(int(match["year"]), month, 1), Frequency.month)


def _week(match: Groups, text: str) -> Period:
    try:
        monday = date.fromisocalendar(int(match["year"]), int(match["n"]), 1)
    except ValueError:
        raise PeriodError(
            N_("'%(text)s' names a week that year does not have"), text=text
        ) from None
    return Period(monday, Frequency.week)


def _day(match: Groups, text: str) -> Period:
    try:
        day = date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        raise PeriodError(N_("'%(text)s' is not a date in the calendar"), text=text) from None
    return Period(day, Frequency.day)


def _y(suffix: str | int = "") -> str:
    return rf"(?P<year{suffix}>\d{{4}})"


_PATTERNS: list[tuple[re.Pattern, Build]] = [
    (re.compile(rf"{_y()}(?:JJ00)?"), _year),
    (re.compile(rf"{_y()}(?:-|\s*)H(?P<n>[12])|H(?P<n2>[12])\s*{_y(2)}|{_y(3)}HJ0(?P<n3>[12])"),
     _half),
    (re.compile(rf"{_y()}(?:-|\s*)Q(?P<n>[1-4])|Q(?P<n2>[1-4])[\s-]*{_y(2)}|{_y(3)}KW0(?P<n3>[1-4])"),
     _quarter),
    (re.compile(rf"{_y()}(?:-|MM)(?P<month>\d{{2}})|(?P<month2>\d{{1,2}})[-/]{_y(2)}"),
     _numeric_month),
    (re.compile(rf"(?P<name>[^\W\d_]{{3,9}}\.?)\s*{_y()}"), _named_month),
    (re.compile(rf"{_y()}-?W(?P<n>\d{{2}})"), _week),
    (re.compile(rf"{_y()}-(?P<month>\d{{2}})-(?P<day>\d{{2}})"
                rf"|(?P<day2>\d{{1,2}})-(?P<month2>\d{{1,2}})-{_y(2)}"), _day),
]  # fmt: skip


def _named_day(match: Groups, text: str) -> Period:
    month = _named_month(match, text).start.month
    return _day({**match, "month": str(month)}, text)


# Periods in words, once _words() has written them one way: "1e kwartaal 2024",
# "2024 kwartaal 1" and "first quarter of 2024" all become "1 Q 2024" or "2024 Q 1".
_WORD_PATTERNS: list[tuple[re.Pattern, Build]] = [
    (re.compile(rf"(?P<n>[12]) H {_y()}|{_y(2)} H (?P<n2>[12])|H (?P<n3>[12]) {_y(3)}"), _half),
    (re.compile(rf"(?P<n>[1-4]) Q {_y()}|{_y(2)} Q (?P<n2>[1-4])|Q (?P<n3>[1-4]) {_y(3)}"),
     _quarter),
    (re.compile(rf"WEEK (?P<n>\d{{1,2}}) {_y()}|{_y(2)} WEEK (?P<n2>\d{{1,2}})"), _week),
    (re.compile(rf"(?P<day>\d{{1,2}}) (?P<name>[^\W\d_]{{3,9}}) {_y()}"
                rf"|(?P<name2>[^\W\d_]{{3,9}}) (?P<day2>\d{{1,2}}) {_y(2)}"), _named_day),
]  # fmt: skip

# The words around a period in Dutch and English, as _WORD_PATTERNS reads them.
_WORDS = {
    "EERSTE": "1", "TWEEDE": "2", "DERDE": "3", "VIERDE": "4",
    "FIRST": "1", "SECOND": "2", "THIRD": "3", "FOURTH": "4",
    "KWARTAAL": "Q", "KW": "Q", "QUARTER": "Q",
    "HELFT": "H", "HALFJAAR": "H", "HALF": "H", "HJ": "H",
    "VAN": "", "OF": "", "THE": "", "HET": "", "DE": "", "IN": "", "JAAR": "", "YEAR": "",
}  # fmt: skip
_ORDINAL = re.compile(r"(\d{1,2})(?:E|STE|DE|ST|ND|RD|TH)")


def _words(cleaned: str) -> str:
    """Write ``cleaned`` (upper case) in the few words _WORD_PATTERNS knows: ordinals
    as digits ("1e", "eerste", "first": 1), "kwartaal" and "quarter" as Q, "helft" and
    "half" as H, without filler words ("van", "of the", "jaar") and punctuation."""
    said = (_word(token) for token in re.sub(r"[,.]", " ", cleaned).split())
    return " ".join(token for token in said if token)


def _word(token: str) -> str:
    ordinal = _ORDINAL.fullmatch(token)
    return ordinal[1] if ordinal else _WORDS.get(token, token)


def _match(cleaned: str) -> tuple[re.Match, Build] | None:
    """The pattern ``cleaned`` is written in: a notation first, else a period in words."""
    for pattern, build in _PATTERNS:
        match = pattern.fullmatch(cleaned)
        if match:
            return match, build
    words = _words(cleaned)
    for pattern, build in [*_PATTERNS, *_WORD_PATTERNS]:
        match = pattern.fullmatch(words)
        if match:
            return match, build
    return None


class _Groups(dict[str, str]):
    """Merge the alternative groups of a pattern (``n2``, ``year2``) into their names."""

    def __init__(self, match: re.Match) -> None:
        super().__init__()
        for name, value in match.groupdict().items():
            if value is not None:
                self[name.rstrip("23")] = value


def _parse_any(cleaned: str, text: str, bounded: bool = True) -> Period:
    found = _match(cleaned)
    if found:
        match, build = found
        groups = _Groups(match)
        if bounded and not FIRST_YEAR <= int(groups["year"]) <= LAST_YEAR:
            raise PeriodError(OUT_OF_RANGE, text=text)
        try:
            return build(groups, text)
        except PeriodError:  # its own message: no month 13, not in the calendar
            raise
        except (ValueError, OverflowError):  # year 0, or a week past 9999
            raise PeriodError(OUT_OF_RANGE, text=text) from None
    raise PeriodError(
        N_("'%(text)s' is not a period; write e.g. 2024, 2024-H1, 2024-Q1, 2024-03, "
           "2024-W05 or 2024-03-15"),
        text=text,
    )  # fmt: skip


@lru_cache(maxsize=65_536)
def _parse_cached(cleaned: str, text: str, bounded: bool = True) -> Period:
    """Parse with a cache: imports repeat the same few period strings a million times."""
    return _parse_any(cleaned, text, bounded)


def parse_period(text: str, frequency: Frequency | None = None, *, bounded: bool = True) -> Period:
    """Parse ``text`` into a period, checking it is of ``frequency`` when given.

    Raises PeriodError with a message that names the expected frequency. ``bounded``
    False reads a period outside the years 1900-2100 too: only to name a value stored
    before the bound existed, so that it can be deleted.
    """
    text = "" if text is None else str(text).strip()
    cleaned = " ".join(text.split()).upper()
    if not cleaned:
        raise PeriodError(N_("the period is empty"))
    try:
        period = _parse_cached(cleaned, text, bounded)
    except PeriodError as error:
        if frequency is None or "not a period" not in error.template:
            raise
        frequency = Frequency(frequency)
        raise PeriodError(
            N_("'%(text)s' is not a period; this indicator is measured %(per)s (e.g. %(example)s)"),
            text=text,
            per=_PER[frequency],
            example=_EXAMPLES[frequency],
        ) from None
    if frequency is not None and period.frequency != frequency:
        frequency = Frequency(frequency)
        raise PeriodError(
            N_("'%(text)s' is %(noun)s, but this indicator is measured %(per)s (e.g. %(example)s)"),
            text=text,
            noun=_NOUNS[period.frequency],
            per=_PER[frequency],
            example=_EXAMPLES[frequency],
        )
    return period


def consecutive(frequency: Frequency) -> Callable[[date, date], bool]:
    """Tell whether period start ``b`` is the one right after ``a`` at ``frequency``."""
    return lambda a, b: Period(a, frequency).next().start == b


@overload
def check_day(day: date, text: str | None = None) -> date: ...
@overload
def check_day(day: None, text: str | None = None) -> None: ...
def check_day(day: date | None, text: str | None = None) -> date | None:
    """Return ``day`` (None stays None) if it lies within the years a period may lie
    in; raise PeriodError otherwise (for a date that came as a date, not a label)."""
    if day is not None and not within_years(day):
        raise PeriodError(OUT_OF_RANGE, text=text or day.isoformat())
    return day


def example(frequency: Frequency) -> str:
    """Return an example label for ``frequency`` (for hints in forms and errors)."""
    return _EXAMPLES[Frequency(frequency)]


def period_range(
    start: str | None, end: str | None, *, names: tuple[str, str] = ("from", "to")
) -> tuple[date | None, date | None]:
    """The days a ``from``/``to`` filter covers, each bound a whole period.

    ``from`` starts on the first day of its period and ``to`` ends on the last day of
    its own: ``to=2024-03`` includes 31 March, ``to=2024`` all of December. Any period
    spelling is accepted, words too (``maart 2024``); an empty bound is open. Every
    ``from``/``to`` filter in Duiding goes through here, so that they all mean the same.
    Raises Invalid at the query parameter (``names``: ``from`` and ``to`` unless the
    page names them otherwise).
    """
    bounds: list[date | None] = []
    for name, text, side in ((names[0], start, "start"), (names[1], end, "end")):
        if text is None or not str(text).strip():
            bounds.append(None)
            continue
        try:
            bounds.append(getattr(parse_period(text), side))
        except PeriodError as error:
            raise error.at(name, part="query") from None
    first, last = bounds
    if first is not None and last is not None and first > last:
        message = N_("'%(start)s' lies after 'to' (%(end)s)")
        raise Invalid.at(names[0], message, part="query", start=start, end=end)
    return first, last


def filter_range(
    start: str | None,
    end: str | None,
    *,
    filters: Filters = STRICT,
    names: tuple[str, str] = ("from", "to"),
) -> tuple[date | None, date | None]:
    """``period_range`` read through ``filters``: a page keeps a good ``from`` beside a
    bad ``to`` (each bound is read alone first, then the two together)."""
    open_range: tuple[date | None, date | None] = (None, None)
    first = filters.read(lambda: period_range(start, None, names=names), open_range)[0]
    last = filters.read(lambda: period_range(None, end, names=names), open_range)[1]
    if first is None or last is None:
        return first, last
    return filters.read(lambda: period_range(start, end, names=names), open_range)
