"""The indicator page, its signals API and the timeline: figures always with their context."""

import json
from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from sqlmodel import Session, col, select

from app.deps import Reader, SessionDep
from app.figures.charts import chart_rows, indicator_chart
from app.figures.context import IndicatorContext, indicator_context
from app.figures.periods import Period, PeriodError, parse_period
from app.figures.signals import signals_for
from app.i18n import N_, gettext
from app.models import Area, Indicator
from app.narratives.rendering import render_markdown
from app.templating import render, request_language

router = APIRouter()

SIGNAL_LABELS = {
    "improvement": N_("improvement"),
    "concern": N_("concern"),
    "neither": N_("special cause"),
    "common": N_("usual variation"),
}
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


@router.get("/api/v1/indicators/{slug}/signals", tags=["indicators"])
def signals_api(slug: str, session: SessionDep, user: Reader, area: str | None = None) -> dict:
    """The XmR chart of an indicator for the municipality or one area."""
    indicator = _indicator(session, slug)
    chosen = _area(session, area)
    return {
        "indicator": indicator.slug,
        "area": chosen.code if chosen else None,
        "points": [
            {
                "period": Period(p.period_start, indicator.frequency).label,
                "value": p.value,
                "mean": p.mean,
                "lpl": p.lpl,
                "upl": p.upl,
                "signal": p.signal,
                "rules": p.rules,
            }
            for p in signals_for(session=session, indicator=indicator, area=chosen)
        ],
    }


@router.get("/indicators/{slug}", include_in_schema=False)
def indicator_page(
    request: Request,
    slug: str,
    session: SessionDep,
    user: Reader,
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
        chart_rows(context, labels),
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
            "spec": json.dumps(spec).replace("</", "<\\/"),
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
                    value=f"{row.point.value:g}",
                    signal=labels[row.point.signal],
                )
            )
    return lines
