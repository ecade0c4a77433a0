"""The indicator page, its chart as an image and the rebase form: figures with their context."""

from datetime import date
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import RedirectResponse
from sqlmodel import Session, col, select

from app.audience import Audience
from app.deps import (
    AudienceDep,
    EditorUser,
    SessionDep,
    WriteSessionDep,
)
from app.experiments.experiments import following
from app.figures.areas import get_area
from app.figures.charts import shares_chart
from app.figures.context import (
    assessment_shares,
    indicator_context,
    related_indicators,
    small_multiples,
)
from app.figures.icons import variation_of
from app.figures.indicators import get_indicator
from app.figures.page_charts import (
    assessment_labels,
    chart_spec,
    make_chart,
    period_band,
    period_groups,
    period_url,
    value_scale,
)
from app.figures.periods import Period, PeriodError, check_day, parse_period, period_range
from app.figures.rebase import rebase, rebase_offers, segment_starts
from app.figures.signals import SIGNAL_LABELS
from app.figures.summary import RULE_LABELS, state_words
from app.figures.svg import chart_svg
from app.forms import FilterErrors, check_csrf, refused
from app.i18n import N_, gettext
from app.models import Area, Indicator, Role
from app.narratives.rendering import render_markdown
from app.problems import Invalid
from app.templating import render, request_language

router = APIRouter()

DIRECTION_LABELS = {
    "up": N_("Higher is better"),
    "down": N_("Lower is better"),
    "neutral": N_("Neither higher nor lower is better in itself"),
}


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
        return check_day(low), check_day(high)
    except PeriodError as error:
        raise error.at("axis", part="query") from None


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
    rebase_form: dict | None = None,
    status: int = 200,
):
    # a bad filter is left out and said at its field, the page itself answering (422)
    errors = FilterErrors(request)
    chosen = errors.read(lambda: _area(session, area), None, field="area")
    first, last = errors.period_range(start, end)
    context = indicator_context(
        session=session,
        indicator=indicator,
        area=chosen,
        start=first,
        end=last,
        masking=audience.masking,
        reach=audience.reach,
    )
    lang = request_language(request)
    area_code = chosen.code if chosen else None
    related = [
        make_chart(panel, lang, {"area": area_code}, small=True)
        for panel in small_multiples(
            session=session,
            indicators=related_indicators(session, indicator),
            area=chosen,
            masking=audience.masking,
            reach=audience.reach,
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
            "chart": make_chart(
                context,
                lang,
                {"area": area_code, "from": start if first else None, "to": end if last else None},
            ),
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
                following(session=session, indicator=indicator, area=chosen)
                if not audience.anonymous
                else []
            ),
            "area_options": [(a.code, a.name) for a in areas],
            "filters": {"area": area or "", "from": start or "", "to": end or ""},
            "filter_errors": errors,
            # never automatic: editors are offered a rebase where a change has lasted
            "rebase_offers": (
                rebase_offers(
                    context.runs,
                    segment_starts(
                        session, indicator, chosen.id if chosen else None, context.breaks
                    ),
                )
                if audience.has_role(Role.editor)
                else []
            ),
            "rebase_form": rebase_form or {"period": "", "reason": "", "errors": {}},
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
        form = {"period": period, "reason": reason, "errors": errors}
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
