"""A chart in words: one sentence per stretch of special-cause variation.

Every chart carries this text (under it, and as the alternative text of its SVG), so a
reader without sight or without JavaScript learns what the picture shows.
"""

from babel.dates import format_date

from app.figures.context import IndicatorContext, PeriodRow
from app.figures.periods import Period
from app.i18n import LOCALES, N_, gettext
from app.models import Direction, Frequency

SENTENCES = {
    ("high", True): N_("%(name)s rose above usual variation in %(period)s: %(signal)s."),
    ("low", True): N_("%(name)s fell below usual variation in %(period)s: %(signal)s."),
    ("high", False): N_(
        "%(name)s rose above usual variation from %(first)s to %(last)s: %(signal)s."
    ),
    ("low", False): N_(
        "%(name)s fell below usual variation from %(first)s to %(last)s: %(signal)s."
    ),
    ("out", True): N_("%(name)s left usual variation in %(period)s: %(signal)s."),
    ("out", False): N_("%(name)s left usual variation from %(first)s to %(last)s: %(signal)s."),
}
STEADY = N_("%(name)s stayed within usual variation from %(first)s to %(last)s.")


def period_words(period: Period, lang: str) -> str:
    """A period as people say it: "March 2024" for a month, the label otherwise."""
    if period.frequency == Frequency.month:
        return format_date(period.start, "MMMM y", locale=LOCALES[lang])
    return period.label


def _side(row: PeriodRow, direction: Direction) -> str:
    """Which way a special-cause period went: "high", "low", or "out" when a hidden small
    number (app/security/small_numbers.py) and a neutral direction leave it unsaid."""
    value, mean = row.point.value, row.point.mean
    if isinstance(value, int | float) and isinstance(mean, int | float):
        return "high" if value > mean else "low"
    good = {Direction.up: "high", Direction.down: "low"}.get(direction)
    bad = {Direction.up: "low", Direction.down: "high"}.get(direction)
    return {"improvement": good, "concern": bad}.get(row.point.signal) or "out"


def summary(context: IndicatorContext, labels: dict[str, str], lang: str) -> list[str]:
    """Sentences for the chart: each stretch of neighbouring special-cause periods with
    the same signal on the same side, or that all of it stayed within usual variation."""
    name = context.indicator.name
    direction = context.indicator.direction
    rows = context.rows
    if not rows:
        return []
    stretches: list[list[PeriodRow]] = []
    for before, row in zip([None, *rows], rows, strict=False):
        if row.point.signal == "common":
            continue
        same = (
            before is not None
            and stretches
            and stretches[-1][-1] is before
            and before.point.signal == row.point.signal
            and _side(before, direction) == _side(row, direction)
        )
        if same:
            stretches[-1].append(row)
        else:
            stretches.append([row])
    if not stretches:
        return [
            gettext(
                lang,
                STEADY,
                name=name,
                first=period_words(rows[0].period, lang),
                last=period_words(rows[-1].period, lang),
            )
        ]
    return [
        gettext(
            lang,
            SENTENCES[_side(stretch[0], direction), len(stretch) == 1],
            name=name,
            period=period_words(stretch[0].period, lang),
            first=period_words(stretch[0].period, lang),
            last=period_words(stretch[-1].period, lang),
            signal=labels[stretch[0].point.signal],
        )
        for stretch in stretches
    ]
