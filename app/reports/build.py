"""Assemble the live half-year report from the database.

Per theme: its indicators with the signals of the half year (limits computed on the
values up to the half year's end, so later periods never recolour it), the stories
that explain them, the sessions held, actions done and open at the end of the half
year, and the learning questions that moved. Only stories whose submitters allowed
them to reach the council (or the public) are ever taken into a report.
"""

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, or_, select

from app.context import events as developments
from app.context import expectations
from app.experiments.report import experiments_in_half
from app.figures.explained import SignalRun, signal_runs, with_states
from app.figures.periods import Period, PeriodError, parse_period, within_years
from app.figures.signals import breaks_by_indicator, signals_for
from app.figures.svg import stored_svg
from app.figures.versions import PerVersion
from app.i18n import N_
from app.models import (
    Action,
    ActionStatus,
    ConsentReach,
    ContextEvent,
    Frequency,
    Indicator,
    IndicatorTheme,
    LearningQuestion,
    LearningQuestionIndicator,
    LearningQuestionTheme,
    Narrative,
    NarrativeIndicator,
    NarrativeStatus,
    NarrativeTheme,
    QuestionStatusChange,
    ReflectionSession,
    ReportIntro,
    ReportStory,
    SessionIndicator,
    SessionNarrative,
    Theme,
    utcnow,
)
from app.narratives.significance import choices_between
from app.problems import NotFound
from app.reports.charts import chart_key, render_chart
from app.reports.content import (
    ActionPart,
    DevelopmentPart,
    ExpectationPart,
    IndicatorPart,
    Point,
    QuestionPart,
    QuestionStep,
    RecalibrationPart,
    Report,
    ResultPart,
    RunPart,
    SessionPart,
    SignificantPart,
    StoryPart,
    ThemePart,
)

#: Years of figures shown before the half year, so a signal is read against its past.
CHART_YEARS_BEFORE = 2
#: Stories per theme when editors chose none: the most linked ones.
MOST_LINKED = 5
#: How far a story must be allowed to travel to appear in a report to the council.
COUNCIL_REACH = (ConsentReach.council, ConsentReach.public)


BAD_HALF_YEAR = N_("A report covers a half year, written as 2024-H1 or 2024-H2.")


def half_year(text: str) -> Period:
    """The half year a report's URL names: written as ``2024-H1`` (one URL per report)
    and within the years 1900 to 2100; any other text names no report (NotFound)."""
    try:
        period = parse_period(text, Frequency.half)
    except PeriodError:
        raise NotFound(BAD_HALF_YEAR) from None
    if period.label != text or not within_years(period.start):
        raise NotFound(BAD_HALF_YEAR)
    return period


#: Each indicator's figure in recent reports, per half year, for one data version of the
#: figures (app/figures/versions.py): reading and computing 200 series and rendering
#: their charts is most of a large report, and none of it changes until the figures do.
#: The figures are the same in every language; their charts are not, so each figure
#: keeps the data version of its chart per language (``_Figure.chart``).
_figures = PerVersion(keep=8)


@dataclass(frozen=True)
class _Figure:
    """An indicator's part of a report as its figures give it: the points of the chart
    window, the signals that touch the half year (what explains them is looked up for
    every report) and, per language asked for, the data version of its chart
    (app/figures/svg.py)."""

    part: IndicatorPart
    runs: list[SignalRun]
    #: Language -> the chart's data version in it; filled as readers ask.
    charts: dict[str, str] = field(default_factory=dict)

    def chart(self, half: Period, lang: str) -> str:
        """The data version of the chart in ``lang`` ("" when there is no chart)."""
        found = self.charts.get(lang)
        if found is None:
            # two requests may both compute it: the same key, so either may be kept
            found = self.charts[lang] = chart_key(self.part, half, lang)
        return found


def _figure(session: Session, indicator: Indicator, half: Period, breaks: list[date]) -> _Figure:
    window_start = date(half.start.year - CHART_YEARS_BEFORE, half.start.month, 1)
    series = signals_for(session=session, indicator=indicator, end=half.end, breaks=breaks)
    points = [p for p in series if p.period_start >= window_start]
    runs = [
        run
        for run in signal_runs(series, indicator.frequency, indicator_id=indicator.id or 0)
        if run.last.start >= half.start and run.first.start <= half.end
    ]
    part = IndicatorPart(
        slug=indicator.slug,
        name=indicator.name,
        unit=indicator.unit,
        direction=indicator.direction,
        provisional=any(p.provisional for p in points),
        points=[
            Point(
                period=Period(p.period_start, indicator.frequency).label,
                start=p.period_start,
                value=p.value,
                mean=p.mean,
                lpl=p.lpl,
                upl=p.upl,
                signal=p.signal,
                side=p.side,
                in_half=p.period_start >= half.start,
            )
            for p in points
        ],
        frequency=indicator.frequency,
    )
    return _Figure(part, runs)


def _indicator_parts(
    session: Session,
    indicators: Sequence[Indicator],
    half: Period,
    breaks: dict[int, list[date]],
    kept: dict[Hashable, Any],
    lang: str,
) -> list[IndicatorPart]:
    """The indicators' parts: their figures as kept for this data version (computed when
    the figures changed), the state of their signals looked up now in one go by the one
    rule every page uses, and their charts in ``lang`` from the chart store (rendered
    only when this data version of a chart was never rendered). ``kept`` holds the
    figures of this half year for the data version as it is now (``_figures.entries``,
    asked once a report)."""
    figures = []
    for indicator in indicators:
        key = (indicator.id, indicator.slug, indicator.name, indicator.unit)
        if key not in kept:
            kept[key] = _figure(session, indicator, half, breaks[indicator.id])
        figures.append(kept[key])
    stated = iter(with_states(session, [run for figure in figures for run in figure.runs]))
    parts = []
    for figure in figures:
        # an indicator without values has no chart: its key is "", never stored
        svg = stored_svg(figure.chart(half, lang)) or render_chart(figure.part, half, lang)
        runs = [_run_part(next(stated)) for _ in figure.runs]
        parts.append(figure.part.model_copy(update={"runs": runs, "svg": svg}))
    return parts


def _run_part(run: SignalRun) -> RunPart:
    return RunPart(
        periods=[period.label for period in run.periods],
        meaning=run.meaning,
        side=run.side,
        rules=list(run.rules),
        state=run.state,
        explained_by=[{"kind": e.kind, "id": e.id} for e in run.explained_by],
    )


def _story_links(session: Session, ids: list[int]) -> dict[int, int]:
    """Per story, how many figures and sessions it is linked to."""
    counts: dict[int, int] = dict.fromkeys(ids, 0)
    for table in (NarrativeIndicator, SessionNarrative):
        for story_id, count in session.exec(
            select(col(table.narrative_id), func.count())
            .where(col(table.narrative_id).in_(ids))
            .group_by(col(table.narrative_id))
        ):
            counts[story_id] += count
    return counts


def _stories(
    session: Session, theme: Theme, indicator_ids: list[int], half: Period
) -> list[StoryPart]:
    """Stories an editor chose for this theme, otherwise the most linked ones."""
    # choose on ids and days only: a large municipality has hundreds of candidates per
    # theme and half year, of which a report shows five; only those are read in full
    candidates = session.exec(
        select(col(Narrative.id), col(Narrative.occurred_on)).where(
            *_candidates(theme, indicator_ids, half)
        )
    ).all()
    links = _story_links(session, [story_id for story_id, _ in candidates])
    chosen_ids = set(
        session.exec(
            select(ReportStory.narrative_id).where(
                ReportStory.period == half.label, ReportStory.theme_id == theme.id
            )
        ).all()
    )
    chosen = [story_id for story_id, _ in candidates if story_id in chosen_ids]
    picked = chosen or [
        story_id
        for story_id, day in sorted(
            candidates, key=lambda row: (-links[row[0]], -row[1].toordinal(), -row[0])
        )[:MOST_LINKED]
    ]
    stories = session.exec(
        select(Narrative)
        .where(col(Narrative.id).in_(picked))
        .order_by(col(Narrative.occurred_on), col(Narrative.id))
    ).all()
    return [
        StoryPart(
            id=story.id,
            title=story.title,
            occurred=Period(story.occurred_on, story.occurred_frequency).label,
            author_role=story.author_role,
            organisation=story.organisation,
            assessment=story.assessment,
            body=story.body,
            consent_reach=story.consent_reach,
            links=links[story.id],
            chosen=bool(chosen),
        )
        for story in stories
    ]


def candidate_stories(session: Session, theme: Theme, half: Period) -> list[Narrative]:
    """Every story an editor may choose for a theme in a half year."""
    return list(
        session.exec(
            select(Narrative)
            .where(*_candidates(theme, _indicator_ids(session, theme), half))
            .order_by(col(Narrative.occurred_on), col(Narrative.id))
        ).all()
    )


def _candidates(theme: Theme, indicator_ids: list[int], half: Period) -> list[Any]:
    """What makes a story a candidate: published, of the half year, about the theme or
    one of its figures, and allowed by its submitter to reach the council."""
    # EXISTS, not IN: the planner then walks the half year's published stories by their
    # index and probes the links of each (SQLite otherwise visits every story linked to
    # the theme, about 8,000 per theme for a large municipality, 2.5x slower)
    themed = (
        select(NarrativeTheme.narrative_id)
        .where(NarrativeTheme.narrative_id == Narrative.id, NarrativeTheme.theme_id == theme.id)
        .exists()
    )
    linked = (
        select(NarrativeIndicator.narrative_id)
        .where(
            col(NarrativeIndicator.narrative_id) == Narrative.id,
            col(NarrativeIndicator.indicator_id).in_(indicator_ids),
        )
        .exists()
    )
    return [
        Narrative.status == NarrativeStatus.published,
        col(Narrative.consent_reach).in_(COUNCIL_REACH),
        col(Narrative.occurred_on) >= half.start,
        col(Narrative.occurred_on) <= half.end,
        or_(themed, linked),
    ]


def _indicator_ids(session: Session, theme: Theme) -> list[int]:
    return list(
        session.exec(
            select(IndicatorTheme.indicator_id).where(IndicatorTheme.theme_id == theme.id)
        ).all()
    )


def _theme_sessions(session: Session, indicator_ids: list[int]):
    """A query for the sessions that discussed one of the theme's figures."""
    return select(ReflectionSession).where(
        col(ReflectionSession.id).in_(
            select(SessionIndicator.session_id).where(
                col(SessionIndicator.indicator_id).in_(indicator_ids)
            )
        )
    )


def _sessions(session: Session, indicator_ids: list[int], half: Period) -> list[SessionPart]:
    held = session.exec(
        _theme_sessions(session, indicator_ids)
        .where(
            col(ReflectionSession.held_on) >= half.start,
            col(ReflectionSession.held_on) <= half.end,
        )
        .order_by(col(ReflectionSession.held_on), col(ReflectionSession.id))
    ).all()
    return [
        SessionPart(id=m.id, title=m.title, held_on=m.held_on, mean=m.mean, do=m.do) for m in held
    ]


def _actions(session: Session, indicator_ids: list[int], half: Period) -> list[ActionPart]:
    """Actions closed as done in the half year, and those still open at its end."""
    sessions = _theme_sessions(session, indicator_ids).where(
        col(ReflectionSession.held_on) <= half.end
    )
    agreed = {m.id: m for m in session.exec(sessions).all()}
    closing = {
        m.id: m.held_on
        for m in session.exec(
            select(ReflectionSession).where(
                col(ReflectionSession.id).in_(
                    select(Action.closed_in_session_id).where(
                        col(Action.session_id).in_(list(agreed))
                    )
                )
            )
        ).all()
    }
    parts = []
    for action in session.exec(
        select(Action)
        .where(col(Action.session_id).in_(list(agreed)))
        .order_by(col(Action.due_on).asc().nulls_last(), col(Action.id))
    ).all():
        closed_on = closing.get(action.closed_in_session_id or 0) or (
            action.closed_at.date() if action.closed_at else None
        )
        still_open = action.status == ActionStatus.open or (
            closed_on is not None and closed_on > half.end
        )
        done = action.status == ActionStatus.done and closed_on is not None
        if not still_open and not (done and closed_on is not None and closed_on >= half.start):
            continue
        parts.append(
            ActionPart(
                id=action.id,
                description=action.description,
                owner=action.owner,
                due_on=action.due_on,
                done=not still_open,
                session_title=agreed[action.session_id].title,
            )
        )
    return parts


def _questions(
    session: Session, theme: Theme, indicator_ids: list[int], half: Period
) -> list[QuestionPart]:
    """Learning questions of the theme whose status changed in the half year."""
    of_theme = or_(
        col(LearningQuestion.id).in_(
            select(LearningQuestionTheme.question_id).where(
                LearningQuestionTheme.theme_id == theme.id
            )
        ),
        col(LearningQuestion.id).in_(
            select(LearningQuestionIndicator.question_id).where(
                col(LearningQuestionIndicator.indicator_id).in_(indicator_ids)
            )
        ),
    )
    rows = session.exec(
        select(LearningQuestion, QuestionStatusChange, col(ReflectionSession.held_on))
        .join(QuestionStatusChange, col(QuestionStatusChange.question_id) == LearningQuestion.id)
        .join(
            ReflectionSession,
            col(ReflectionSession.id) == col(QuestionStatusChange.session_id),
            isouter=True,
        )
        .where(of_theme)
        .order_by(col(QuestionStatusChange.changed_at), col(QuestionStatusChange.id))
    ).all()
    parts: dict[int, QuestionPart] = {}
    for question, change, held_on in rows:
        day = held_on or change.changed_at.date()
        if not half.start <= day <= half.end:
            continue
        part = parts.setdefault(
            question.id, QuestionPart(id=question.id, text=question.text, steps=[])
        )
        part.steps.append(QuestionStep(status=change.status, reason=change.reason, day=day))
    return list(parts.values())


def _theme_part(
    session: Session, theme: Theme, half: Period, kept: dict[Hashable, Any], lang: str
) -> ThemePart:
    indicators = session.exec(
        select(Indicator)
        .join(IndicatorTheme, col(IndicatorTheme.indicator_id) == col(Indicator.id))
        .where(IndicatorTheme.theme_id == theme.id)
        .order_by(Indicator.name)
    ).all()
    ids = [indicator.id for indicator in indicators]
    breaks = breaks_by_indicator(session, indicators)
    intro = session.exec(
        select(ReportIntro.text).where(
            ReportIntro.period == half.label, ReportIntro.theme_id == theme.id
        )
    ).first()
    return ThemePart(
        slug=theme.slug,
        name=theme.name,
        intro=intro or "",
        expectations=_expectations(session, theme),
        indicators=_indicator_parts(session, indicators, half, breaks, kept, lang),
        stories=_stories(session, theme, ids, half),
        sessions=_sessions(session, ids, half),
        actions=_actions(session, ids, half),
        questions=_questions(session, theme, ids, half),
        experiments=experiments_in_half(session=session, theme=theme, half=half),
        significant=_significant(session, theme, half),
    )


def _significant(session: Session, theme: Theme, half: Period) -> list[SignificantPart]:
    """The most significant changes chosen for the theme's domains in the sessions held
    in the half year, with their reasons."""
    return [
        SignificantPart(
            domain=choice.domain.name,
            story_id=choice.story.id or 0,
            title=choice.story.title,
            reason=choice.choice.reason,
            session_title=choice.reflection.title,
            held_on=choice.reflection.held_on,
            consent_reach=choice.story.consent_reach.value,
        )
        for choice in choices_between(session=session, start=half.start, end=half.end)
        if choice.domain.theme_id == theme.id
    ]


def _expectations(session: Session, theme: Theme) -> ExpectationPart | None:
    """The opening of a theme's part: what it expects (None when nothing is written)."""
    detail = expectations.describe(session=session, theme=theme)
    if not (detail.problem or detail.end_picture or detail.results or detail.recalibrations):
        return None
    names = dict(session.exec(select(Indicator.slug, Indicator.name)).all())
    titles = dict(session.exec(select(ContextEvent.id, ContextEvent.title)).all())
    return ExpectationPart(
        problem=detail.problem,
        end_picture=detail.end_picture,
        results=[
            ResultPart(description=r.description, indicators=[names[s] for s in r.indicators])
            for r in detail.results
        ],
        recalibrations=[
            RecalibrationPart(
                changed_on=r.changed_on,
                what=r.what,
                why=r.why,
                development=titles.get(r.development, "") if r.development else "",
            )
            for r in detail.recalibrations
        ],
    )


def _developments(session: Session, half: Period, theme: Theme | None) -> list[DevelopmentPart]:
    """Ontwikkelingen in deze periode: the developments overlapping the half year (of the
    theme when the report covers one), earliest first."""
    rows, _ = developments.list_events(
        session=session,
        theme=theme.slug if theme else None,
        start=half.label,
        end=half.label,
        limit=1000,
    )
    names = dict(session.exec(select(Theme.slug, Theme.name)).all())
    return [
        DevelopmentPart(
            id=out.id,
            title=out.title,
            start=out.start,
            end=out.end,
            description=out.description,
            is_break=out.is_break,
            themes=[names[slug] for slug in out.themes],
        )
        for out in reversed(developments.describe(session=session, events=rows))
    ]


def build_report(
    *, session: Session, half: Period, lang: str, theme: Theme | None = None
) -> Report:
    """The live report of ``half`` for every theme, or for ``theme`` only, with its
    charts drawn in ``lang`` (the reader's language; the rest of a report is data that
    the page and its downloads put into words in the reader's language when they show
    it)."""
    themes = [theme] if theme else session.exec(select(Theme).order_by(Theme.name)).all()
    kept = _figures.entries(session, half.label)
    return Report(
        period=half.label,
        theme=theme.slug if theme else None,
        built_at=utcnow(),
        themes=[_theme_part(session, each, half, kept, lang) for each in themes],
        developments=_developments(session, half, theme),
    )
