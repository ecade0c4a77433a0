"""A chart in words: one sentence per signal, made from the signal objects.

Every chart carries this text (under it, and as the alternative text of its SVG), so a
reader without sight or without JavaScript learns what the picture shows. A sentence
says what happened in plain words per rule ("zeven maanden op rij boven het
gemiddelde"), what that means given the desired direction, and whether something
explains it (app/figures/explained.py decides that, for every page alike).
"""

from functools import lru_cache

from babel.dates import format_date

from app.figures.context import IndicatorContext
from app.figures.explained import SignalRun, signal_runs
from app.figures.periods import Period
from app.i18n import LOCALES, N_, gettext
from app.models import Direction, Frequency

STEADY = N_("%(name)s stayed within usual variation from %(first)s to %(last)s.")
ONE_PERIOD = N_("%(name)s, %(period)s: %(what)s.")
PERIODS = N_("%(name)s, %(first)s to %(last)s: %(what)s.")

#: The rule ids in a few words, for tables and legends.
RULE_LABELS = {
    "outside_limits": N_("outside the limits"),
    "trend": N_("trend"),
    "two_of_three": N_("two of three near a limit"),
    "shift": N_("run on one side of the mean"),
}

#: What each rule saw, per side, in words; %(count)s is a number in words.
RULE_WORDS = {
    ("outside_limits", "high"): N_("above the upper limit of usual variation"),
    ("outside_limits", "low"): N_("below the lower limit of usual variation"),
    ("trend", "high"): N_("rose %(count)s %(units)s in a row"),
    ("trend", "low"): N_("fell %(count)s %(units)s in a row"),
    ("two_of_three", "high"): N_("two of three %(units)s close to the upper limit"),
    ("two_of_three", "low"): N_("two of three %(units)s close to the lower limit"),
    ("shift", "high"): N_("%(count)s %(units)s in a row above the mean"),
    ("shift", "low"): N_("%(count)s %(units)s in a row below the mean"),
}
#: Plural units per frequency: (singular, plural).
UNITS = {
    Frequency.year: (N_("year"), N_("years")),
    Frequency.half: (N_("half year"), N_("half years")),
    Frequency.quarter: (N_("quarter"), N_("quarters")),
    Frequency.month: (N_("month"), N_("months")),
    Frequency.week: (N_("week"), N_("weeks")),
    Frequency.day: (N_("day"), N_("days")),
}
NUMBER_WORDS = {
    "nl": (
        "nul",
        "een",
        "twee",
        "drie",
        "vier",
        "vijf",
        "zes",
        "zeven",
        "acht",
        "negen",
        "tien",
        "elf",
        "twaalf",
    ),
    "en": (
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
    ),
}
MEANINGS = {
    ("improvement", Direction.up): N_("an improvement, as higher is better"),
    ("improvement", Direction.down): N_("an improvement, as lower is better"),
    ("concern", Direction.up): N_("a concern, as higher is better"),
    ("concern", Direction.down): N_("a concern, as lower is better"),
}
NEITHER = N_("special cause variation; neither higher nor lower is better in itself")


QUARTER_WORDS = N_("Q%(n)s %(year)s")
HALF_WORDS = {1: N_("first half of %(year)s"), 2: N_("second half of %(year)s")}
WEEK_WORDS = N_("week %(n)s of %(year)s")


@lru_cache(maxsize=8192)
def period_words(period: Period, lang: str) -> str:
    """A period as people say it, for every frequency: "maart 2024", "4e kwartaal 2025",
    "1e helft 2025", "week 5 van 2024", "15 maart 2024", "2024".

    Kept per period and language: Babel's ``format_date`` costs some 30 µs, and an
    indicator page names each of its hundreds of periods in its table on every visit
    (a fifth of its template's time)."""
    start = period.start
    if period.frequency == Frequency.month:
        return format_date(start, "MMMM y", locale=LOCALES[lang])
    if period.frequency == Frequency.quarter:
        return gettext(lang, QUARTER_WORDS, n=(start.month - 1) // 3 + 1, year=start.year)
    if period.frequency == Frequency.half:
        return gettext(lang, HALF_WORDS[1 if start.month < 7 else 2], year=start.year)
    if period.frequency == Frequency.week:
        year, week, _ = start.isocalendar()
        return gettext(lang, WEEK_WORDS, n=week, year=year)
    if period.frequency == Frequency.day:
        return format_date(start, "d MMMM y", locale=LOCALES[lang])
    return period.label


def plural(lang: str, one: str, many: str, n: int, **values) -> str:
    """``one`` or ``many`` by ``n``, translated (each form is its own message id: Dutch
    and English both have one plural form)."""
    return gettext(lang, one if n == 1 else many, num=n, **values)


def number_words(n: int, lang: str) -> str:
    """Small numbers as words ("zeven"), larger ones as digits."""
    words = NUMBER_WORDS[lang]
    return words[n] if 0 <= n < len(words) else str(n)


def rule_words(run: SignalRun, rule: str, frequency: Frequency, lang: str) -> str:
    """What ``rule`` saw in this signal, in plain words."""
    count = len(run.periods)
    if rule == "trend":
        count = max(count - 1, 1)  # seven rising points are six rises
    singular, many = UNITS[frequency]
    units = plural(lang, singular, many, 3 if rule == "two_of_three" else count)
    side = run.side or "high"
    return gettext(lang, RULE_WORDS[rule, side], count=number_words(count, lang), units=units)


def meaning_words(run: SignalRun, direction: Direction, lang: str) -> str:
    """What the signal means given the desired direction."""
    if run.meaning == "neither":
        return gettext(lang, NEITHER)
    return gettext(lang, MEANINGS[run.meaning, direction])


def state_words(run: SignalRun, lang: str) -> str:
    """Whether something explains the signal: "nog niet verklaard", "verklaard door 2
    verhalen", "verklaard door 1 verhaal en 1 reflectiesessie"."""
    if run.state != "explained":
        if run.state == "asked":
            return gettext(lang, N_("not explained yet; partners have been asked"))
        return gettext(lang, N_("not explained yet"))
    parts = []
    if run.stories:
        parts.append(plural(lang, N_("%(num)d story"), N_("%(num)d stories"), run.stories))
    if run.sessions:
        parts.append(
            plural(
                lang,
                N_("%(num)d reflection session"),
                N_("%(num)d reflection sessions"),
                run.sessions,
            )
        )
    return gettext(lang, N_("explained by %(what)s"), what=gettext(lang, N_(" and ")).join(parts))


def sentence(
    run: SignalRun,
    *,
    name: str,
    direction: Direction,
    frequency: Frequency,
    lang: str,
    state: bool,
    hidden: bool = False,
) -> str:
    """One signal in words: when, what each of its rules saw, what it means, and (when
    ``state``) whether something explains it."""
    if hidden and run.meaning == "neither":
        # a hidden small number of a neutral figure: its side would tell its value
        rules = [gettext(lang, N_("outside usual variation"))]
    else:
        rules = [rule_words(run, rule, frequency, lang) for rule in run.rules]
    what = gettext(lang, N_(" and ")).join(rules) + "; " + meaning_words(run, direction, lang)
    if state:
        what += "; " + state_words(run, lang)
    if len(run.periods) == 1:
        return gettext(lang, ONE_PERIOD, name=name, period=period_words(run.first, lang), what=what)
    return gettext(
        lang,
        PERIODS,
        name=name,
        first=period_words(run.first, lang),
        last=period_words(run.last, lang),
        what=what,
    )


def summary(context: IndicatorContext, lang: str) -> list[str]:
    """Sentences for the chart: one per signal in the periods shown, or that all of it
    stayed within usual variation. A panel without looked-up signals (a frozen session
    snapshot) is read from its points, without saying what explains them."""
    indicator = context.indicator
    rows = context.rows
    if not rows:
        return []
    runs, state = context.runs, True
    if not runs and any(row.point.signal != "common" for row in rows):
        runs = signal_runs(
            [row.point for row in rows], indicator.frequency, indicator_id=indicator.id or 0
        )
        state = False
    first, last = rows[0].period.start, rows[-1].period.start
    shown = [run for run in runs if run.last.start >= first and run.first.start <= last]
    if not shown:
        return [
            gettext(
                lang,
                STEADY,
                name=indicator.name,
                first=period_words(rows[0].period, lang),
                last=period_words(rows[-1].period, lang),
            )
        ]
    return [
        sentence(
            run,
            name=indicator.name,
            direction=indicator.direction,
            frequency=indicator.frequency,
            lang=lang,
            state=state,
            hidden=any(
                not isinstance(row.point.value, int | float)
                for row in rows
                if row.run is not None and row.run.first == run.first
            ),
        )
        for run in shown
    ]
