"""The published stories beside several figures, read once per page.

A figure shows the stories linked to its indicator, to one of its themes or to the
district shown. The related charts of an indicator page share their theme, and the
timeline's panels together cover most stories, so asking per panel (two queries each,
one counting and one ranking) read the same thousands of stories again and again: at
the bench's scale 14 queries and about 530 ms of the indicator page (issue 23). A pool
reads them once, in at most three queries (theme links, indicator links, the
district), and hands each panel its stories per period in memory. Stories of the same
themes are bucketed once for all panels that share those themes; what a panel adds
(its own indicator's links) is merged in per period.

Which stories a panel shows, and in which order, is what ``_stories`` asked the
database before: per period the stories linked to the indicator first, then by day and
id; a period counts every story once, however many of its links lead to it.
"""

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from heapq import merge
from itertools import chain, islice

from sqlmodel import Session, col, select

from app.figures.periods import period_of
from app.models import (
    Area,
    Frequency,
    Indicator,
    IndicatorTheme,
    Narrative,
    NarrativeIndicator,
    NarrativeTheme,
)
from app.narratives.reach import Reach, published_for


@dataclass(frozen=True, order=True, slots=True)
class StoryFact:
    """A published story as a figure needs it, ordered by day and then id."""

    occurred_on: date
    id: int
    title: str
    assessment: str | None


@dataclass
class PeriodStories:
    """The stories of one period of one panel: ``shared`` are those of its themes and the
    district (one list for every panel with the same themes), ``own`` those only its
    indicator's links add; ``direct`` are the ids linked to the indicator itself."""

    shared: Sequence[StoryFact] = ()
    own: list[StoryFact] = field(default_factory=list)
    direct: list[StoryFact] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.shared) + len(self.own)

    def every(self) -> Iterator[StoryFact]:
        """Every story of the period once, by day and id."""
        return merge(self.shared, self.own)

    def first(self, limit: int | None) -> list[tuple[StoryFact, bool]]:
        """The first ``limit`` stories (all when None) with whether each is linked to the
        indicator: those linked first, then the others, each by day and id."""
        linked = {story.id for story in self.direct}
        others = (story for story in self.every() if story.id not in linked)
        chosen = [(story, True) for story in self.direct[:limit]]
        if limit is None or len(chosen) < limit:
            rest = None if limit is None else limit - len(chosen)
            chosen.extend((story, False) for story in islice(others, rest))
        return chosen


class StoryPool:
    """The published stories of some indicators' links, themes and one district within one
    time window, for a reader's reach."""

    def __init__(
        self,
        *,
        themes_of: dict[int, frozenset[int]],
        by_theme: dict[int, list[StoryFact]],
        by_indicator: dict[int, list[StoryFact]],
        in_area: list[StoryFact],
    ) -> None:
        self._themes_of = themes_of
        self._by_theme = by_theme
        self._by_indicator = by_indicator
        self._in_area = in_area
        self._shared: dict[tuple[frozenset[int], Frequency], tuple[dict, set[int]]] = {}

    @classmethod
    def load(
        cls,
        session: Session,
        *,
        indicators: Sequence[Indicator],
        area: Area | None,
        start: date | None = None,
        end: date | None = None,
        reach: Reach = Reach.all,
    ) -> "StoryPool":
        """Read the stories of ``indicators`` (their links and themes) and of ``area``
        that occurred in [start, end] (None: unbounded), in at most three queries.

        Leave the window open when the pages want every year: with a range on the
        day, SQLite's planner guesses it selective and walks every published story by
        day, checking each one's themes, instead of the theme's own stories (2,000 of
        50,000 at the bench's scale: 3x the time)."""
        ids = [indicator.id for indicator in indicators]
        themes = themes_of(session, ids)
        visible = (
            *published_for(reach=reach),
            *([col(Narrative.occurred_on) >= start] if start is not None else []),
            *([col(Narrative.occurred_on) <= end] if end is not None else []),
        )
        story = (
            col(Narrative.occurred_on),
            col(Narrative.id),
            col(Narrative.title),
            col(Narrative.assessment),
        )
        theme_ids = sorted({theme for each in themes.values() for theme in each})
        run = session.connection().execute  # plain rows: thousands of them, no ORM needed
        by_theme = _grouped(
            run(
                # sqlmodel types select() for at most four columns
                select(col(NarrativeTheme.theme_id), *story)  # type: ignore[call-overload]
                .join(Narrative, col(Narrative.id) == NarrativeTheme.narrative_id)
                .where(col(NarrativeTheme.theme_id).in_(theme_ids), *visible)
            )
            if theme_ids
            else ()
        )
        by_indicator = _grouped(
            run(
                select(col(NarrativeIndicator.indicator_id), *story)  # type: ignore[call-overload]
                .join(Narrative, col(Narrative.id) == NarrativeIndicator.narrative_id)
                .where(col(NarrativeIndicator.indicator_id).in_(ids), *visible)
            )
        )
        in_area = (
            sorted(
                StoryFact(*row)
                for row in run(select(*story).where(col(Narrative.area_id) == area.id, *visible))
            )
            if area is not None
            else []
        )
        return cls(
            themes_of=themes,
            by_theme=by_theme,
            by_indicator=by_indicator,
            in_area=in_area,
        )

    def periods(self, indicator: Indicator) -> dict[date, PeriodStories]:
        """Period start -> the indicator's stories of that period."""
        frequency = Frequency(indicator.frequency)
        themes = self._themes_of.get(indicator.id or 0, frozenset())
        shared, shared_ids = self._shared_periods(themes, frequency)
        result = {start: PeriodStories(stories) for start, stories in shared.items()}
        linked = self._by_indicator.get(indicator.id or 0, [])
        for story in linked:
            start = period_of(story.occurred_on, frequency).start
            each = result.setdefault(start, PeriodStories())
            each.direct.append(story)
            if story.id not in shared_ids:
                each.own.append(story)
        return result

    def _shared_periods(
        self, themes: frozenset[int], frequency: Frequency
    ) -> tuple[dict[date, list[StoryFact]], set[int]]:
        """The stories of these themes and the district per period, once per pool."""
        key = (themes, frequency)
        if key not in self._shared:
            unique = {
                story.id: story
                for story in chain(self._in_area, *(self._by_theme.get(t, []) for t in themes))
            }
            periods: dict[date, list[StoryFact]] = {}
            starts: dict[date, date] = {}
            for story in sorted(unique.values()):
                day = story.occurred_on
                if day not in starts:
                    starts[day] = period_of(day, frequency).start
                periods.setdefault(starts[day], []).append(story)
            self._shared[key] = (periods, set(unique))
        return self._shared[key]


def tally(periods: Iterable[PeriodStories]) -> list[tuple[date, str | None, int]]:
    """(day, assessment, how many) of every story of these periods."""
    counts = Counter(
        (story.occurred_on, story.assessment) for each in periods for story in each.every()
    )
    return [(day, assessment, n) for (day, assessment), n in counts.items()]


def _grouped(rows: Iterable) -> dict[int, list[StoryFact]]:
    """Rows of (key, story columns...) as key -> stories by day and id."""
    grouped: dict[int, list[StoryFact]] = {}
    for key, *story in rows:
        grouped.setdefault(key, []).append(StoryFact(*story))
    for stories in grouped.values():
        stories.sort()
    return grouped


def themes_of(session: Session, ids: Sequence[int]) -> dict[int, frozenset[int]]:
    """Indicator id -> the ids of its themes."""
    themes: dict[int, set[int]] = {}
    for indicator_id, theme_id in session.exec(
        select(IndicatorTheme.indicator_id, IndicatorTheme.theme_id).where(
            col(IndicatorTheme.indicator_id).in_(ids)
        )
    ).all():
        themes.setdefault(indicator_id, set()).add(theme_id)
    return {indicator_id: frozenset(themes.get(indicator_id, ())) for indicator_id in ids}
