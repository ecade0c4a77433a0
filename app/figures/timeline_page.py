"""The timeline page as one typed object (``TimelinePage``), built by one function.

The route only parses the request and renders; the filters are resolved, the shared
time axis chosen and the items paged here, where tests can assert on them without
reading HTML. The JSON twin (``/api/v1/timeline``) serves the same ``Timeline`` the page
is built on, through ``TimelinePage.public`` / ``app.figures.public.timeline_public``.
"""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from app.audience import Audience
from app.figures.areas import get_area
from app.figures.context import Timeline, TimelineItem, timeline
from app.figures.indicators import get_indicator
from app.figures.page_charts import Chart, make_chart
from app.figures.periods import filter_range
from app.figures.public import TimelinePublic, timeline_public
from app.figures.themes import get_theme
from app.models import Area, Indicator, IndicatorTheme, Theme
from app.problems import STRICT, Filters

#: Indicators shown on the timeline when none are chosen.
MAX_PANELS = 6
#: Stories, sessions and events per page of the timeline (the API pages the same way).
ITEMS_PER_PAGE = 100


@dataclass
class TimelineQuery:
    """The timeline filters, resolved; the URL with them is a permalink."""

    indicators: list[Indicator]
    theme: Theme | None
    area: Area | None
    start: date | None
    end: date | None


@dataclass
class TimelinePage:
    """What the timeline page shows: the charts on one axis and one page of items."""

    query: TimelineQuery
    timeline: Timeline
    charts: list[Chart]
    #: This page's stories, sessions, events and decisions, in time order.
    items: list[TimelineItem]
    page: int
    pages: int
    #: The days every chart shares (the filter's, else the data's first and last).
    axis: tuple[date, date] | None
    indicator_options: list[tuple[str, str]]
    theme_options: list[tuple[str, str]]
    area_options: list[tuple[str, str]]

    def public(self, *, limit: int, offset: int) -> TimelinePublic:
        """The page's timeline as its JSON twin answers it."""
        return timeline_public(self.timeline, limit=limit, offset=offset)


def resolve_timeline(
    *,
    session: Session,
    indicator: list[str],
    theme: str | None,
    area: str | None,
    start: str | None,
    end: str | None,
    filters: Filters = STRICT,
) -> TimelineQuery:
    """Resolve the filters (an unknown slug or code raises NotFound, a bad period
    Invalid, unless ``filters`` keeps them for the page's fields and leaves the filter
    out); with no indicator chosen, or none known, the first MAX_PANELS by name (of the
    theme, when one is chosen)."""
    chosen_theme = filters.read(
        lambda: get_theme(session=session, slug=theme) if theme else None, None, field="theme"
    )

    def known(slug: str) -> Indicator | None:
        found = lambda: get_indicator(session=session, slug=slug)  # noqa: E731
        return filters.read(found, None, field="indicator")

    chosen = [known(slug) for slug in dict.fromkeys(indicator)]
    indicators = [one for one in chosen if one is not None]
    if not indicators:
        query = select(Indicator).order_by(col(Indicator.name)).limit(MAX_PANELS)
        if chosen_theme is not None:
            query = query.where(
                col(Indicator.id).in_(
                    select(IndicatorTheme.indicator_id).where(
                        IndicatorTheme.theme_id == chosen_theme.id
                    )
                )
            )
        indicators = list(session.exec(query).all())
    low, high = filter_range(start, end, filters=filters)
    chosen_area = filters.read(
        lambda: get_area(session=session, code=area) if area else None, None, field="area"
    )
    return TimelineQuery(indicators, chosen_theme, chosen_area, low, high)


def read_timeline(*, session: Session, query: TimelineQuery, audience: Audience) -> Timeline:
    """The panels and items for ``audience`` (their masking and consent reach)."""
    return timeline(
        session=session,
        indicators=query.indicators,
        theme=query.theme,
        area=query.area,
        start=query.start,
        end=query.end,
        masking=audience.masking,
        reach=audience.reach,
    )


def build_timeline_page(
    *, session: Session, query: TimelineQuery, audience: Audience, page: int, lang: str
) -> TimelinePage:
    """Build the page: ``page`` beyond the last shows the last."""
    result = read_timeline(session=session, query=query, audience=audience)
    pages = max(1, -(-len(result.items) // ITEMS_PER_PAGE))
    page = min(page, pages)
    days = [row.period.start for panel in result.panels for row in panel.rows]
    first, last = query.start or min(days, default=None), query.end or max(days, default=None)
    shared = (first, last) if first is not None and last is not None else None
    axis = f"{shared[0]}/{shared[1]}" if shared else None
    area_code = query.area.code if query.area else None
    charts = [
        make_chart(panel, lang, {"area": area_code, "axis": axis}, small=True, domain=shared)
        for panel in result.panels
    ]
    indicators = session.exec(select(Indicator).order_by(col(Indicator.name))).all()
    themes = session.exec(select(Theme).order_by(col(Theme.name))).all()
    areas = session.exec(select(Area).order_by(col(Area.code))).all()
    return TimelinePage(
        query=query,
        timeline=result,
        charts=charts,
        items=result.items[(page - 1) * ITEMS_PER_PAGE : page * ITEMS_PER_PAGE],
        page=page,
        pages=pages,
        axis=shared,
        indicator_options=[(i.slug, i.name) for i in indicators],
        theme_options=[(t.slug, t.name) for t in themes],
        area_options=[(a.code, a.name) for a in areas],
    )
