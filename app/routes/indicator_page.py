"""The indicator page, its signals API and the timeline: figures always with their context."""

import json
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from sqlmodel import Session, col, select

from app.deps import Limit, MaskingDep, Offset, Reader, SessionDep
from app.figures.charts import chart_rows, indicator_chart
from app.figures.context import (
    IndicatorContext,
    assessment_shares,
    indicator_context,
    related_indicators,
    shown_signals,
    timeline,
)
from app.figures.periods import Period, PeriodError, parse_period
from app.figures.signals import SIGNAL_LABELS
from app.i18n import N_, gettext
from app.models import Area, Indicator, IndicatorTheme, Theme
from app.narratives.rendering import render_markdown
from app.security.small_numbers import Masking, display, plain, shown
from app.templating import render, request_language

router = APIRouter()

#: Indicators shown on the timeline when none are chosen.
MAX_PANELS = 6

DIRECTION_LABELS = {
    "up": N_("Higher is better"),
    "down": N_("Lower is better"),
    "neutral": N_("Neither higher nor lower is better in itself"),
}


def _indicator(session: Session, slug: str) -> Indicator:
    indicator = session.exec(select(Indicator).where(Indicator.slug == slug)).first()
    if indicator is None:
        raise HTTPException(404, detail=f"Unknown indicator: {slug}")
    return indicator


def _area(session: Session, code: str | None) -> Area | None:
    if not code:
        return None
    area = session.exec(select(Area).where(Area.code == code)).first()
    if area is None:
        raise HTTPException(404, detail=f"Unknown area: {code}")
    return area


def _period_bound(text: str | None, indicator: Indicator, name: str) -> date | None:
    if not text:
        return None
    try:
        return parse_period(text, indicator.frequency).start
    except PeriodError as error:
        raise HTTPException(422, detail=f"{name}: {error}") from error


def _spec_json(spec: dict) -> str:
    """The spec as JSON that is safe inside a <script type="application/json"> element."""
    return json.dumps(spec).replace("</", "<\\/")


def _small_chart(
    panel: IndicatorContext,
    labels: dict[str, str],
    lang: str,
    domain: tuple[date, date] | None = None,
) -> str:
    return _spec_json(
        indicator_chart(
            chart_rows(panel, labels, lang),
            [],
            title=panel.indicator.name,
            value_title=panel.indicator.unit or panel.indicator.name,
            height=120,
            domain=domain,
        )
    )


@router.get("/api/v1/indicators/{slug}/signals", tags=["indicators"])
def signals_api(
    slug: str, session: SessionDep, user: Reader, masking: MaskingDep, area: str | None = None
) -> dict:
    """The XmR chart of an indicator for the municipality or one area.

    For anonymous readers a district value below the small-numbers threshold is
    ``null`` with ``fewer_than`` set to the threshold, and a mean or limit below it is
    ``null``; signals are computed on the true values."""
    indicator = _indicator(session, slug)
    chosen = _area(session, area)
    return {
        "indicator": indicator.slug,
        "area": chosen.code if chosen else None,
        "points": [
            {
                "period": Period(p.period_start, indicator.frequency).label,
                **shown(p.value),
                "mean": plain(p.mean),
                "lpl": plain(p.lpl),
                "upl": plain(p.upl),
                "signal": p.signal,
                "rules": p.rules,
            }
            for p in shown_signals(
                session=session, indicator=indicator, area=chosen, masking=masking
            )
        ],
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
    indicator = _indicator(session, slug)
    chosen = _area(session, area)
    context = indicator_context(
        session=session,
        indicator=indicator,
        area=chosen,
        start=_period_bound(start, indicator, "from"),
        end=_period_bound(end, indicator, "to"),
        masking=masking,
    )
    lang = request_language(request)
    labels = {key: gettext(lang, label) for key, label in SIGNAL_LABELS.items()}
    events = [
        {
            "title": e.title,
            "start": e.starts_on.isoformat(),
            "end": (e.ends_on or e.starts_on).isoformat(),
        }
        for e in context.events
    ]
    spec = indicator_chart(
        chart_rows(context, labels, lang),
        events,
        title=indicator.name,
        value_title=indicator.unit or indicator.name,
    )
    areas = session.exec(select(Area).order_by(col(Area.code))).all()
    return render(
        request,
        "indicators/detail.html",
        {
            "indicator": indicator,
            "context": context,
            "guide": render_markdown(indicator.description),
            "direction": DIRECTION_LABELS[indicator.direction],
            "signal_labels": SIGNAL_LABELS,
            "spec": _spec_json(spec),
            "shares": assessment_shares(context),
            "related": [
                (panel, _small_chart(panel, labels, lang))
                for panel in (
                    indicator_context(
                        session=session, indicator=other, area=chosen, masking=masking
                    )
                    for other in related_indicators(session, indicator)
                )
            ],
            "area_options": [(a.code, a.name) for a in areas],
            "filters": {"area": area or "", "from": start or "", "to": end or ""},
            "summary": summary(context, labels, lang),
        },
    )


def summary(context: IndicatorContext, labels: dict[str, str], lang: str) -> list[str]:
    """A text summary of the chart: each special-cause period in words."""
    lines = []
    for row in context.rows:
        if row.point.signal != "common":
            lines.append(
                gettext(
                    lang,
                    N_("%(period)s: %(value)s, %(signal)s"),
                    period=row.period.label,
                    value=display(row.point.value, lang),
                    signal=labels[row.point.signal],
                )
            )
    return lines


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
    chosen_theme = None
    if theme:
        chosen_theme = session.exec(select(Theme).where(Theme.slug == theme)).first()
        if chosen_theme is None:
            raise HTTPException(404, detail=f"Unknown theme: {theme}")
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
    try:
        low = parse_period(start).start if start else None
        high = parse_period(end).end if end else None
    except PeriodError as error:
        raise HTTPException(422, detail=str(error)) from error
    return TimelineQuery(indicators, chosen_theme, _area(session, area), low, high)


def _timeline(session: Session, query: TimelineQuery, masking: Masking):
    return timeline(
        session=session,
        indicators=query.indicators,
        theme=query.theme,
        area=query.area,
        start=query.start,
        end=query.end,
        masking=masking,
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
    result = _timeline(session, query, masking)
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
):
    """Several indicators on one shared time axis, with what happened around them."""
    query = _timeline_query(session, indicator, theme, area, start, end)
    result = _timeline(session, query, masking)
    lang = request_language(request)
    labels = {key: gettext(lang, label) for key, label in SIGNAL_LABELS.items()}
    days = [row.period.start for panel in result.panels for row in panel.rows]
    domain = (query.start or min(days, default=None), query.end or max(days, default=None))
    shared = domain if None not in domain else None
    charts = [(panel, _small_chart(panel, labels, lang, shared)) for panel in result.panels]
    all_indicators = session.exec(select(Indicator).order_by(col(Indicator.name))).all()
    themes = session.exec(select(Theme).order_by(col(Theme.name))).all()
    areas = session.exec(select(Area).order_by(col(Area.code))).all()
    return render(
        request,
        "timeline.html",
        {
            "charts": charts,
            "items": result.items,
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
