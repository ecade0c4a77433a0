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

The stories of a theme, an indicator or a district are read once per process for every
reader and every year, and kept until the stories version (migration 0020) changes:
a page picks its reader's reach and its window from them in memory. Read per request,
a theme's 8,000 stories cost the indicator page and the timeline 100-700 ms.
"""

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from heapq import merge
from itertools import islice
from operator import attrgetter
from typing import Any, NamedTuple

from sqlmodel import Session, col, select

from app.figures.periods import period_of
from app.figures.versions import PerVersion, current_stories_version
from app.models import (
    Area,
    Frequency,
    Indicator,
    IndicatorTheme,
    Narrative,
    NarrativeIndicator,
    NarrativeTheme,
    Theme,
)
from app.models.narrative import LinkRelation
from app.narratives.reach import REACHES, Reach, published_for


class StoryFact(NamedTuple):
    """A published story as a figure needs it, ordered by day and then id (a tuple:
    made from a row and compared without Python code, for thousands per page)."""

    occurred_on: date
    id: int
    title: str
    assessment: str | None
    consent_reach: str = ""
    area_id: int | None = None


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
        """The stories of ``indicators`` (their links and themes) and of ``area`` that
        occurred in [start, end] (None: unbounded) and that a reader of ``reach`` may
        see: from those kept for the current stories version, else read in at most
        three queries (each without a window: with a range on the day, SQLite's planner
        walked every published story by day instead of a theme's own stories)."""
        ids = [indicator.id or 0 for indicator in indicators]
        themes = themes_of(session, ids)
        theme_ids = sorted({theme for each in themes.values() for theme in each})

        window = (reach, start, end)
        return cls(
            themes_of=themes,
            by_theme=_kept(session, "theme", theme_ids, *window),
            by_indicator=_kept(session, "indicator", ids, *window),
            in_area=_kept(session, "area", [area.id or 0], *window)[area.id or 0] if area else [],
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
            ordered = _merged([self._in_area, *(self._by_theme.get(t, []) for t in themes)])
            periods: dict[date, list[StoryFact]] = {}
            starts: dict[date, date] = {}
            for story in ordered:
                day = story.occurred_on
                if day not in starts:
                    starts[day] = period_of(day, frequency).start
                periods.setdefault(starts[day], []).append(story)
            self._shared[key] = (periods, {story.id for story in ordered})
        return self._shared[key]


def tally(periods: Iterable[PeriodStories]) -> list[tuple[date, str | None, int]]:
    """(day, assessment, how many) of every story of these periods."""
    counts = Counter(
        (story.occurred_on, story.assessment) for each in periods for story in each.every()
    )
    return [(day, assessment, n) for (day, assessment), n in counts.items()]


#: A story's day, to bisect lists of stories by.
OCCURRED = attrgetter("occurred_on")

#: Published stories per link, for every reader and year, per stories version.
_KEPT = PerVersion(keep=8, version=current_stories_version)

#: How each kind of link leads to a story: the column holding the key, and the join.
_LINKS = {
    "theme": (col(NarrativeTheme.theme_id), NarrativeTheme.narrative_id),
    "indicator": (col(NarrativeIndicator.indicator_id), NarrativeIndicator.narrative_id),
    "area": (col(Narrative.area_id), None),
}


def _read(
    session: Session, link: str, relations: tuple[LinkRelation, ...], keys: list[int]
) -> dict[int, list[StoryFact]]:
    """Key -> every published story linked that way (an indicator's links: those with
    one of ``relations``, any when empty), by day and id, in one query of plain rows
    (thousands of them: no ORM objects needed)."""
    key, linked = _LINKS[link]
    # sqlmodel types select() for at most four columns
    query = select(  # type: ignore[call-overload]
        key,
        col(Narrative.occurred_on),
        col(Narrative.id),
        col(Narrative.title),
        col(Narrative.assessment),
        col(Narrative.consent_reach),
        col(Narrative.area_id),
    ).where(key.in_(keys), *published_for())
    if linked is not None:
        query = query.join(Narrative, col(Narrative.id) == linked)
    if relations:
        query = query.where(col(NarrativeIndicator.relation).in_(relations))
    # One fact per story, whichever links lead to it, and one object per repeated day,
    # assessment and reach: kept for every theme, indicator and district, a story
    # reached by several links was kept as that many copies with their own strings and
    # dates (150,000 facts at the bench's scale: 42 MB, shared 16 MB).
    facts = _KEPT.entries(session, "facts")  # story id -> its fact
    shared: dict[Any, Any] = {}
    grouped: dict[int, list[StoryFact]] = {each: [] for each in keys}
    for found, day, story_id, title, assessment, reach, area_id in session.connection().execute(
        query
    ):
        fact = facts.get(story_id)
        if fact is None:
            fact = facts.setdefault(
                story_id,
                StoryFact(
                    shared.setdefault(day, day),
                    story_id,
                    title,
                    shared.setdefault(assessment, assessment),
                    shared.setdefault(reach, reach),
                    area_id,
                ),
            )
        grouped[found].append(fact)
    for stories in grouped.values():
        stories.sort()
    return grouped


def _kept(
    session: Session,
    link: str,
    keys: list[int],
    reach: Reach,
    start: date | None,
    end: date | None,
    relations: tuple[LinkRelation, ...] = (),
) -> dict[int, list[StoryFact]]:
    """Key -> the stories linked that way that a reader of ``reach`` may see and that
    occurred in [start, end], from those kept for the current stories version."""
    found = _KEPT.remember_each(
        session, (link, relations), keys, lambda missing: _read(session, link, relations, missing)
    )
    return {key: _within(found[key], reach, start, end) for key in keys}


def linked_to(
    session: Session,
    indicator_ids: Sequence[int],
    *,
    relations: tuple[LinkRelation, ...],
    reach: Reach,
    start: date | None,
    end: date | None,
) -> dict[int, list[StoryFact]]:
    """Indicator id -> its stories linked with one of ``relations`` that a reader of
    ``reach`` may see and that occurred in [start, end], by day and id."""
    return _kept(session, "indicator", list(indicator_ids), reach, start, end, relations)


def _within(
    stories: list[StoryFact], reach: Reach, start: date | None, end: date | None
) -> list[StoryFact]:
    """The stories a reader of ``reach`` may see that occurred in [start, end]."""
    low = 0 if start is None else bisect_left(stories, start, key=OCCURRED)
    high = len(stories) if end is None else bisect_right(stories, end, key=OCCURRED)
    if reach not in REACHES:
        return stories[low:high]
    allowed = set(REACHES[reach])
    return [story for story in stories[low:high] if story.consent_reach in allowed]


def _merged(lists: Iterable[list[StoryFact]]) -> list[StoryFact]:
    """Lists of stories by day and id as one such list, each story once."""
    filled = [stories for stories in lists if stories]
    if len(filled) <= 1:
        return filled[0] if filled else []
    unique = {story.id: story for stories in filled for story in stories}
    return sorted(unique.values())


def linked_stories(
    session: Session,
    *,
    indicator_ids: Sequence[int],
    theme: Theme | None,
    area: Area | None,
    start: date | None,
    end: date | None,
    reach: Reach,
) -> list[StoryFact]:
    """The stories linked to one of the indicators, to the theme or in the district,
    that a reader of ``reach`` may see and that occurred in [start, end], by day and
    id, each once."""
    window = (reach, start, end)
    return _merged(
        [
            *_kept(session, "indicator", list(indicator_ids), *window).values(),
            *(_kept(session, "theme", [theme.id or 0], *window).values() if theme else []),
            *(_kept(session, "area", [area.id or 0], *window).values() if area else []),
        ]
    )


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
