"""The indicator page, its signals API and the timeline: figures always with their context."""

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import RedirectResponse
from sqlmodel import Session, col, select

from app.deps import (
    EditorUser,
    Limit,
    MaskingDep,
    Offset,
    Reader,
    SessionDep,
    WriteSessionDep,
    has_role,
)
from app.experiments.experiments import following
from app.figures import catalog
from app.figures.charts import shares_chart
from app.figures.context import (
    assessment_shares,
    indicator_context,
    related_indicators,
    small_multiples,
    timeline,
)
from app.figures.icons import variation_of
from app.figures.page_charts import (
    assessment_labels,
    chart_spec,
    make_chart,
    period_band,
    period_groups,
    period_url,
    value_scale,
)
from app.figures.periods import Period, PeriodError, parse_period, period_range
from app.figures.rebase import rebase, rebase_offers, segment_starts
from app.figures.signals import SIGNAL_LABELS
from app.figures.summary import RULE_LABELS, state_words
from app.figures.svg import chart_svg
from app.forms import check_csrf, refused
from app.i18n import N_, gettext
from app.models import Area, Indicator, IndicatorTheme, Role, Theme, User
from app.narratives.reach import Reach, reach_of
from app.narratives.rendering import render_markdown
from app.problems import Invalid
from app.security.small_numbers import Masking, plain, shown
from app.templating import render, request_language

router = APIRouter()

#: Indicators shown on the timeline when none are chosen.
MAX_PANELS = 6
#: Stories, sessions and events per page of the timeline (the API pages the same way).
ITEMS_PER_PAGE = 100

DIRECTION_LABELS = {
    "up": N_("Higher is better"),
    "down": N_("Lower is better"),
    "neutral": N_("Neither higher nor lower is better in itself"),
}


def _indicator(session: Session, slug: str) -> Indicator:
    return catalog.indicator_by_slug(session=session, slug=slug)


def _area(session: Session, code: str | None) -> Area | None:
    return catalog.existing_area(session=session, code=code) if code else None


def _range(start: str | None, end: str | None) -> tuple[date | None, date | None]:
    return period_range(start, end)


def _period(text: str, indicator: Indicator) -> Period:
    try:
        return parse_period(text, indicator.frequency)
    except PeriodError as error:
        raise error.at("period", part="query") from None


def _axis(text: str | None) -> tuple[date, date] | None:
    if not text:
        return None
    try:
        low, high = (date.fromisoformat(part) for part in text.split("/"))
    except ValueError:
        message = N_("expected YYYY-MM-DD/YYYY-MM-DD")
        raise Invalid.at("axis", message, part="query") from None
    return low, high


@router.get("/api/v1/indicators/{slug}/signals", tags=["indicators"])
def signals_api(
    slug: str, session: SessionDep, user: Reader, masking: MaskingDep, area: str | None = None
) -> dict:
    """The XmR chart of an indicator for the municipality or one area.

    For anonymous readers a district value below the small-numbers threshold is
    ``null`` with ``fewer_than`` set to the threshold, a value hidden beside it (so that
    the total minus the other districts cannot give it away) ``null`` with ``withheld``
    true, and a mean or limit below it, or of a segment whose values include a hidden
    one, is ``null``; signals are computed on the true values. ``baseline`` says whether a point
    is one its segment's limits are computed on; ``signals`` are the runs of special
    cause with their state (app/figures/explained.py)."""
    indicator = _indicator(session, slug)
    chosen = _area(session, area)
    context = indicator_context(
        session=session,
        indicator=indicator,
        area=chosen,
        details=False,
        masking=masking,
        reach=reach_of(user),
    )
    return {
        "indicator": indicator.slug,
        "area": chosen.code if chosen else None,
        "points": [
            {
                "period": row.period.label,
                **shown(row.point.value),
                "mean": plain(row.point.mean),
                "lpl": plain(row.point.lpl),
                "upl": plain(row.point.upl),
                "signal": row.point.signal,
                "rules": row.point.rules,
                "baseline": row.point.baseline,
            }
            for row in context.rows
        ],
        "signals": [run.api() for run in context.runs],
    }


@router.get("/indicators/{slug}", include_in_schema=False)
def indicator_page(
    request: Request,
    slug: str,
    session: SessionDep,
    user: Reader,
    masking: MaskingDep,
    area: str | None = None,
    start: Annotated[str | None, Query(alias="from")] = None,
    end: Annotated[str | None, Query(alias="to")] = None,
):
    """The reading guide, the chart and the periods with their stories and sessions."""
    return _page(request, session, user, masking, _indicator(session, slug), area, start, end)


def _page(
    request: Request,
    session: Session,
    user: User | None,
    masking: Masking,
    indicator: Indicator,
    area: str | None = None,
    start: str | None = None,
    end: str | None = None,
    *,
    rebase_form: dict | None = None,
    status: int = 200,
):
    chosen = _area(session, area)
    first, last = _range(start, end)
    context = indicator_context(
        session=session,
        indicator=indicator,
        area=chosen,
        start=first,
        end=last,
        masking=masking,
        reach=reach_of(user),
    )
    lang = request_language(request)
    area_code = chosen.code if chosen else None
    related = [
        make_chart(panel, lang, {"area": area_code}, small=True)
        for panel in small_multiples(
            session=session,
            indicators=related_indicators(session, indicator),
            area=chosen,
            masking=masking,
            reach=reach_of(user),
        )
    ]
    areas = session.exec(select(Area).order_by(col(Area.code))).all()
    shares = assessment_shares(context)
    return render(
        request,
        "indicators/detail.html",
        {
            "indicator": indicator,
            "context": context,
            "guide": render_markdown(indicator.description),
            "direction": DIRECTION_LABELS[indicator.direction],
            "signal_labels": SIGNAL_LABELS,
            "rule_labels": RULE_LABELS,
            "state_words": lambda run: state_words(run, lang),
            "chart": make_chart(context, lang, {"area": area_code, "from": start, "to": end}),
            "period_url": lambda row: period_url(context, row),
            "period_groups": period_groups(context),
            "variation_of": lambda point: variation_of(point, indicator.direction),
            "shares": shares,
            "shares_spec": shares_chart(
                shares, assessment_labels(lang), lang, gettext(lang, N_("What the stories say"))
            ),
            "related": related,
            # Experiments are staff reading (as sessions are), not for anonymous readers.
            "experiments": (
                following(session=session, indicator=indicator, area=chosen) if user else []
            ),
            "area_options": [(a.code, a.name) for a in areas],
            "filters": {"area": area or "", "from": start or "", "to": end or ""},
            # never automatic: editors are offered a rebase where a change has lasted
            "rebase_offers": (
                rebase_offers(
                    context.runs,
                    segment_starts(
                        session, indicator, chosen.id if chosen else None, context.breaks
                    ),
                )
                if has_role(user, Role.editor)
                else []
            ),
            "rebase_form": rebase_form or {"period": "", "reason": "", "errors": {}},
        },
        status_code=status,
    )


@router.post("/indicators/{slug}/rebase", include_in_schema=False)
def rebase_indicator(
    request: Request,
    slug: str,
    session: WriteSessionDep,
    user: EditorUser,
    masking: MaskingDep,
    period: Annotated[str, Form(max_length=100)] = "",
    reason: Annotated[str, Form(max_length=5000)] = "",
    area: Annotated[str, Form(max_length=100)] = "",
    csrf_token: Annotated[str, Form()] = "",
):
    """Compute usual variation again from ``period`` (a break with the editor's reason);
    on bad input the page comes back with the message and nothing is stored."""
    check_csrf(request, csrf_token)
    indicator = _indicator(session, slug)
    try:
        rebase(session=session, indicator=indicator, period=period, reason=reason, user=user)
    except Invalid as problem:
        errors = refused(request, session, problem)
        form = {"period": period, "reason": reason, "errors": errors}
        return _page(
            request, session, user, masking, indicator, area or None, rebase_form=form, status=422
        )
    target = f"/indicators/{slug}" + (f"?area={quote(area)}" if area else "")
    return RedirectResponse(target, status_code=303)


@router.get("/indicators/{slug}/chart.svg", include_in_schema=False)
def indicator_chart_svg(
    request: Request,
    slug: str,
    session: SessionDep,
    user: Reader,
    masking: MaskingDep,
    area: str | None = None,
    start: Annotated[str | None, Query(alias="from")] = None,
    end: Annotated[str | None, Query(alias="to")] = None,
    size: Literal["full", "small"] = "full",
    axis: str | None = None,
    period: str | None = None,
    scale: Annotated[str | None, Query(max_length=60)] = None,
) -> Response:
    """The chart as a static SVG for readers without JavaScript (see app/figures/svg.py);
    ``axis`` (YYYY-MM-DD/YYYY-MM-DD) shows and scales one stretch, as the timeline does;
    ``period`` marks one period (a story's, on the story's page); ``scale`` (LOW/HIGH)
    fixes the value axis, as the districts side by side share one."""
    indicator = _indicator(session, slug)
    lang = request_language(request)
    highlight = [period_band(_period(period, indicator), lang)] if period else None
    domain = _axis(axis)
    low, high = domain or (None, None)
    small = size == "small"
    first, last = _range(start, end)
    panel = indicator_context(
        session=session,
        indicator=indicator,
        area=_area(session, area),
        start=first or low,
        end=last or high,
        details=not small,
        markers=small,
        masking=masking,
        reach=reach_of(user),
    )
    width = 560 if small else 720
    spec = chart_spec(
        panel,
        lang,
        small=small,
        width=width,
        domain=domain,
        highlight=highlight,
        value_domain=value_scale(scale),
    )
    return Response(chart_svg(spec), media_type="image/svg+xml")


@dataclass
class TimelineQuery:
    """The timeline filters, resolved; the URL with them is a permalink."""

    indicators: list[Indicator]
    theme: Theme | None
    area: Area | None
    start: date | None
    end: date | None


def _timeline_query(
    session: Session,
    indicator: list[str],
    theme: str | None,
    area: str | None,
    start: str | None,
    end: str | None,
) -> TimelineQuery:
    chosen_theme = catalog.theme_by_slug(session=session, slug=theme) if theme else None
    if indicator:
        indicators = [_indicator(session, slug) for slug in dict.fromkeys(indicator)]
    else:
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
    low, high = _range(start, end)
    return TimelineQuery(indicators, chosen_theme, _area(session, area), low, high)


def _timeline(session: Session, query: TimelineQuery, masking: Masking, reach: Reach):
    return timeline(
        session=session,
        indicators=query.indicators,
        theme=query.theme,
        area=query.area,
        start=query.start,
        end=query.end,
        masking=masking,
        reach=reach,
    )


@router.get("/api/v1/timeline", tags=["timeline"])
def timeline_api(
    session: SessionDep,
    user: Reader,
    masking: MaskingDep,
    indicator: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI reads it, never mutated
    theme: str | None = None,
    area: str | None = None,
    start: Annotated[str | None, Query(alias="from")] = None,
    end: Annotated[str | None, Query(alias="to")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict:
    """Stories, sessions and context events in time order, with the indicators' signals."""
    query = _timeline_query(session, indicator, theme, area, start, end)
    result = _timeline(session, query, masking, reach=reach_of(user))
    return {
        "items": [
            {"kind": i.kind, "id": i.id, "date": i.day.isoformat(), "title": i.title, "url": i.url}
            for i in result.items[offset : offset + limit]
        ],
        "total": len(result.items),
        "indicators": [
            {
                "indicator": panel.indicator.slug,
                "area": panel.area.code if panel.area else None,
                "points": [
                    {
                        "period": row.period.label,
                        **shown(row.point.value),
                        "signal": row.point.signal,
                    }
                    for row in panel.rows
                ],
            }
            for panel in result.panels
        ],
    }


@router.get("/timeline", include_in_schema=False)
def timeline_page(
    request: Request,
    session: SessionDep,
    user: Reader,
    masking: MaskingDep,
    indicator: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI reads it, never mutated
    theme: str | None = None,
    area: str | None = None,
    start: Annotated[str | None, Query(alias="from")] = None,
    end: Annotated[str | None, Query(alias="to")] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
):
    """Several indicators on one shared time axis, with what happened around them, a
    page of ITEMS_PER_PAGE at a time (each page a permalink of its own)."""
    query = _timeline_query(session, indicator, theme, area, start, end)
    result = _timeline(session, query, masking, reach=reach_of(user))
    pages = max(1, -(-len(result.items) // ITEMS_PER_PAGE))
    page = min(page, pages)
    lang = request_language(request)
    days = [row.period.start for panel in result.panels for row in panel.rows]
    first, last = query.start or min(days, default=None), query.end or max(days, default=None)
    shared = (first, last) if first is not None and last is not None else None
    axis = f"{shared[0]}/{shared[1]}" if shared else None
    area_code = query.area.code if query.area else None
    charts = [
        make_chart(panel, lang, {"area": area_code, "axis": axis}, small=True, domain=shared)
        for panel in result.panels
    ]
    all_indicators = session.exec(select(Indicator).order_by(col(Indicator.name))).all()
    themes = session.exec(select(Theme).order_by(col(Theme.name))).all()
    areas = session.exec(select(Area).order_by(col(Area.code))).all()
    return render(
        request,
        "timeline.html",
        {
            "charts": charts,
            "items": result.items[(page - 1) * ITEMS_PER_PAGE : page * ITEMS_PER_PAGE],
            "page": page,
            "pages": pages,
            "page_url": lambda n: "?" + request.url.include_query_params(page=n).query,
            "indicator_options": [(i.slug, i.name) for i in all_indicators],
            "theme_options": [(t.slug, t.name) for t in themes],
            "area_options": [(a.code, a.name) for a in areas],
            "filters": {
                "indicator": [i.slug for i in query.indicators] if indicator else [],
                "theme": theme or "",
                "area": area or "",
                "from": start or "",
                "to": end or "",
            },
        },
    )
