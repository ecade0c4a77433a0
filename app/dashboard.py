"""The dashboard's data: themes with their indicators, the latest stories, open actions,
unexplained signals and the open story requests that ask partners about them."""

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app.figures.icons import Variation
from app.figures.unexplained import UnexplainedSignal, latest_variations, unexplained_signals
from app.models import (
    Action,
    ActionStatus,
    Indicator,
    IndicatorTheme,
    Narrative,
    ReflectionSession,
    Theme,
)
from app.narratives.reach import Reach, published_for
from app.narratives.requests import RequestView, list_requests

LATEST_STORIES = 8
OPEN_ACTIONS = 10
UNEXPLAINED_SHOWN = 10
OPEN_REQUESTS = 10


@dataclass
class ThemeSummary:
    theme: Theme
    indicators: list[Indicator]


@dataclass
class DashboardPage:
    themes: list[ThemeSummary]
    stories: list[Narrative]
    actions: list[tuple[Action, ReflectionSession]]
    unexplained: list[tuple[UnexplainedSignal, RequestView | None]] = field(default_factory=list)
    unexplained_total: int = 0
    requests: list[RequestView] = field(default_factory=list)
    #: Indicator slug -> the variation icon of its latest municipality point.
    latest: dict[str, Variation] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)


def build_dashboard(*, session: Session, reach: Reach = Reach.all) -> DashboardPage:
    """Collect what the dashboard shows.

    ``reach`` is for anonymous readers and council members: they see only stories
    whose submitters allowed that reach, and no story requests.
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
    published = select(Narrative).where(*published_for(reach=reach))
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
    signals = unexplained_signals(session, reach=reach)
    requests = [] if reach != Reach.all else list_requests(session=session, open_only=True)[0]
    return DashboardPage(
        themes=[ThemeSummary(theme, by_theme.get(theme.id, [])) for theme in themes],
        stories=list(stories),
        actions=[(action, meeting) for action, meeting in actions],
        unexplained=[(s, asked(s, requests)) for s in signals[:UNEXPLAINED_SHOWN]],
        unexplained_total=len(signals),
        requests=requests[:OPEN_REQUESTS],
        latest=latest_variations(session),
    )


def asked(signal: UnexplainedSignal, requests: list[RequestView]) -> RequestView | None:
    """The open request already asking about ``signal`` (app/figures/explained.py found
    which requests cover it), as the dashboard lists it."""
    for view in requests:
        if view.request.id in signal.run.requests:
            return view
    return None
