"""The dashboard's data: themes with their indicators, the latest stories, open actions."""

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app.models import (
    Action,
    ActionStatus,
    ConsentReach,
    Indicator,
    IndicatorTheme,
    Narrative,
    NarrativeStatus,
    ReflectionSession,
    Theme,
)

LATEST_STORIES = 8
OPEN_ACTIONS = 10


@dataclass
class ThemeSummary:
    theme: Theme
    indicators: list[Indicator]


@dataclass
class DashboardPage:
    themes: list[ThemeSummary]
    stories: list[Narrative]
    actions: list[tuple[Action, ReflectionSession]]
    extra: dict = field(default_factory=dict)


def build_dashboard(*, session: Session, public_only: bool = False) -> DashboardPage:
    """Collect what the dashboard shows, in four queries.

    ``public_only`` is for anonymous readers: they see only stories whose submitters
    allowed them to be public.
    """
    themes = session.exec(select(Theme).order_by(Theme.name)).all()
    links = session.exec(
        select(IndicatorTheme.theme_id, Indicator)
        .join(Indicator, col(Indicator.id) == IndicatorTheme.indicator_id)
        .order_by(Indicator.name)
    ).all()
    by_theme: dict[int, list[Indicator]] = {}
    for theme_id, indicator in links:
        by_theme.setdefault(theme_id, []).append(indicator)
    published = select(Narrative).where(Narrative.status == NarrativeStatus.published)
    if public_only:
        published = published.where(Narrative.consent_reach == ConsentReach.public)
    stories = session.exec(
        published.order_by(col(Narrative.occurred_on).desc(), col(Narrative.id).desc()).limit(
            LATEST_STORIES
        )
    ).all()
    actions = session.exec(
        select(Action, ReflectionSession)
        .join(ReflectionSession, col(ReflectionSession.id) == Action.session_id)
        .where(Action.status == ActionStatus.open)
        .order_by(col(Action.due_on).asc().nulls_last(), col(Action.id))
        .limit(OPEN_ACTIONS)
    ).all()
    return DashboardPage(
        themes=[ThemeSummary(theme, by_theme.get(theme.id, [])) for theme in themes],
        stories=list(stories),
        actions=[(action, meeting) for action, meeting in actions],
    )
