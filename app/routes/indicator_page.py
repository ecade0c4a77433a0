"""The indicator page, its chart as an image and the rebase form: figures with their context.

The page itself is built in ``app.figures.indicator_page`` (``IndicatorPage``); here
the request is read and the page rendered."""

from datetime import date
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from app.audience import Audience
from app.deps import (
    AudienceDep,
    EditorUser,
    SessionDep,
    WriteSessionDep,
)
from app.figures.areas import get_area
from app.figures.context import indicator_context
from app.figures.indicator_page import RebaseForm, build_indicator_page
from app.figures.indicators import get_indicator
from app.figures.page_charts import chart_spec, period_band, value_scale
from app.figures.periods import Period, PeriodError, check_day, parse_period, period_range
from app.figures.rebase import rebase
from app.figures.signals import SIGNAL_LABELS
from app.figures.summary import RULE_LABELS
from app.figures.svg import chart_svg
from app.forms import FilterErrors, check_csrf, refused
from app.i18n import N_
from app.models import Area, Indicator
from app.models.days import END_BEFORE_START
from app.problems import Invalid
from app.templating import render, request_language

router = APIRouter()


def _indicator(session: Session, slug: str) -> Indicator:
    return get_indicator(session=session, slug=slug)


def _area(session: Session, code: str | None) -> Area | None:
    return get_area(session=session, code=code) if code else None


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
    try:  # the years every date lies in, as for ``from``/``to``
        check_day(low), check_day(high)
    except PeriodError as error:
        raise error.at("axis", part="query") from None
    if low > high:  # a reversed axis would draw time backwards
        raise Invalid.at("axis", END_BEFORE_START, part="query", start=str(low), end=str(high))
    return low, high


@router.get("/indicators/{slug}", include_in_schema=False)
def indicator_page(
    request: Request,
    slug: str,
    session: SessionDep,
    audience: AudienceDep,
    area: str | None = None,
    start: Annotated[str | None, Query(alias="from")] = None,
    end: Annotated[str | None, Query(alias="to")] = None,
):
    """The reading guide, the chart and the periods with their stories and sessions."""
    return _page(request, session, audience, _indicator(session, slug), area, start, end)


def _page(
    request: Request,
    session: Session,
    audience: Audience,
    indicator: Indicator,
    area: str | None = None,
    start: str | None = None,
    end: str | None = None,
    *,
    rebase_form: RebaseForm | None = None,
    status: int = 200,
):
    # a bad filter is left out and said at its field, the page itself answering (422)
    errors = FilterErrors(request)
    page = build_indicator_page(
        session=session,
        audience=audience,
        indicator=indicator,
        area=area,
        start=start,
        end=end,
        lang=request_language(request),
        filters=errors,
        rebase_form=rebase_form,
    )
    return render(
        request,
        "indicators/detail.html",
        {
            "page": page,
            # the template's names for the page's parts (its includes read them too)
            "indicator": page.indicator,
            "context": page.context,
            "guide": page.guide,
            "direction": page.direction,
            "chart": page.chart,
            "period_groups": page.period_groups,
            "shares": page.shares,
            "shares_spec": page.shares_spec,
            "related": page.related,
            "experiments": page.experiments,
            "area_options": page.area_options,
            "filters": page.filters,
            "rebase_offers": page.rebase_offers,
            "rebase_form": page.rebase_form,
            "signal_labels": SIGNAL_LABELS,
            "rule_labels": RULE_LABELS,
            "state_words": page.state_words,
            "period_url": page.period_url,
            "variation_of": page.variation_of,
            "filter_errors": errors,
        },
        status_code=errors.status if status == 200 else status,
    )


@router.post("/indicators/{slug}/rebase", include_in_schema=False)
def rebase_indicator(
    request: Request,
    slug: str,
    session: WriteSessionDep,
    user: EditorUser,
    audience: AudienceDep,
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
        form = RebaseForm(period, reason, errors)
        return _page(
            request, session, audience, indicator, area or None, rebase_form=form, status=422
        )
    target = f"/indicators/{slug}" + (f"?area={quote(area)}" if area else "")
    return RedirectResponse(target, status_code=303)


@router.get("/indicators/{slug}/chart.svg", include_in_schema=False)
def indicator_chart_svg(
    request: Request,
    slug: str,
    session: SessionDep,
    audience: AudienceDep,
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
        masking=audience.masking,
        reach=audience.reach,
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
