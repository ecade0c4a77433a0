"""Editor pages for indicators: the list (readers), the create and edit forms (editors).

The detail page ``/indicators/{slug}`` lives in ``indicator_page``. The forms name
their inputs as the API names its fields and go through the same domain functions.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session, select

from app.deps import (
    AudienceDep,
    EditorUser,
    SessionDep,
    WriteSessionDep,
)
from app.figures import indicators
from app.figures.catalog import FIELD_HINTS
from app.figures.overview import overview, spark_chart, spark_text
from app.forms import check_csrf, choices, refused, validated
from app.i18n import N_
from app.models import (
    BreakCreate,
    Direction,
    Frequency,
    Indicator,
    IndicatorCreate,
    IndicatorPublic,
    IndicatorUpdate,
    RelatedIndicator,
    RelationKind,
    Role,
    Theme,
)
from app.problems import Conflict, Invalid
from app.templating import render, request_language, say

router = APIRouter(tags=["pages"], include_in_schema=False)

FREQUENCIES = {
    Frequency.year: N_("Year"),
    Frequency.half: N_("Half year"),
    Frequency.quarter: N_("Quarter"),
    Frequency.month: N_("Month"),
    Frequency.week: N_("Week"),
    Frequency.day: N_("Day"),
}
DIRECTIONS = {
    Direction.up: N_("Higher is better"),
    Direction.down: N_("Lower is better"),
    Direction.neutral: N_("Neither higher nor lower is better in itself"),
}


@router.get("/indicators")
def indicators_page(
    request: Request,
    session: SessionDep,
    audience: AudienceDep,
    theme: Annotated[str | None, Query(max_length=200)] = None,
    area: Annotated[str | None, Query(max_length=200)] = None,
):
    """The overview: per indicator its latest value and state, a sparkline, its stories
    of the last twelve months and whether a signal is unexplained, by theme and district.

    An unknown theme or district shows the page anyway, with a message (status 422)."""
    seen = overview(
        session=session,
        theme=theme or None,
        area=area or None,
        masking=audience.masking,
        reach=audience.reach,
    )
    lang = request_language(request)
    return render(
        request,
        "indicators/list.html",
        {
            "overview": seen,
            "sparks": {row.indicator.slug: spark_chart(row, lang) for row in seen.rows},
            "spark_texts": {row.indicator.slug: spark_text(row, lang) for row in seen.rows},
            "problems": [say(request, problem) for problem in seen.problems],
            "theme_options": [(t.slug, t.name) for t in seen.themes],
            "area_options": [(a.code, a.name) for a in seen.areas],
            "frequencies": FREQUENCIES,
            "can_edit": audience.has_role(Role.editor),
        },
        status_code=422 if seen.problems else 200,
    )


def _form_page(request, session: Session, form: dict, errors: dict, *, action: str, status=200):
    lang = request_language(request)
    themes = session.exec(select(Theme.slug, Theme.name).order_by(Theme.name)).all()
    others = session.exec(
        select(Indicator.slug, Indicator.name)
        .where(Indicator.slug != form.get("slug", ""))
        .order_by(Indicator.name)
    ).all()
    return render(
        request,
        "indicators/form.html",
        {
            "form": form,
            "errors": errors,
            "action": action,
            "creating": action == "/indicators/new",
            "theme_options": list(themes),
            "indicator_options": list(others),
            "frequency_options": choices(lang, FREQUENCIES),
            "direction_options": choices(lang, DIRECTIONS),
        },
        status_code=status,
    )


def _form_of(indicator: IndicatorPublic) -> dict:
    data = indicator.model_dump(mode="json")
    return {
        **data,
        "breaks": "\n".join(f"{b['period']} {b['note']}".strip() for b in data["breaks"]),
        "related": [r["slug"] for r in data["related"] if r["kind"] == "related"],
        "waterbed": [r["slug"] for r in data["related"] if r["kind"] == "waterbed"],
    }


def _parse_breaks(text: str) -> list[BreakCreate]:
    """One break a line: the period, then an optional note (``2020-03 pandemie``)."""
    breaks = []
    for line in text.splitlines():
        period, _, note = line.strip().partition(" ")
        if period:
            breaks.append(BreakCreate(period=period, note=note.strip()[:500]))
    return breaks


class IndicatorForm:
    """The posted form fields, as the API names them (``waterbed``: related, side effect)."""

    def __init__(
        self,
        new_slug: Annotated[str, Form(alias="slug", max_length=200)] = "",
        name: Annotated[str, Form(max_length=1000)] = "",
        unit: Annotated[str, Form(max_length=1000)] = "",
        description: Annotated[str, Form(max_length=40_000)] = "",
        source: Annotated[str, Form(max_length=2000)] = "",
        frequency: Annotated[str, Form(max_length=20)] = "",
        direction: Annotated[str, Form(max_length=20)] = "",
        screen_outliers: Annotated[str, Form(max_length=10)] = "",
        baseline_points: Annotated[str, Form(max_length=40)] = "",
        themes: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies defaults)
        breaks: Annotated[str, Form(max_length=10_000)] = "",
        related: Annotated[list[str], Form()] = [],  # noqa: B006
        waterbed: Annotated[list[str], Form()] = [],  # noqa: B006
        csrf_token: Annotated[str, Form()] = "",
    ) -> None:
        self.csrf_token = csrf_token
        self.values = {
            "slug": new_slug.strip(),
            "name": name.strip(),
            "unit": unit.strip(),
            "description": description,
            "source": source.strip(),
            "frequency": frequency,
            "direction": direction,
            "screen_outliers": bool(screen_outliers),
            # empty: limits on every point (a number is checked by the model and catalog)
            "baseline_points": baseline_points.strip() or None,
            "themes": themes,
        }
        self.breaks, self.related, self.waterbed = breaks, related, waterbed

    def form(self) -> dict:
        """Return the values to show again in the form."""
        return {
            **self.values,
            "breaks": self.breaks,
            "related": self.related,
            "waterbed": self.waterbed,
        }

    def links(self) -> dict:
        """Return the breaks and relations as the API models them."""
        return {
            "breaks": _parse_breaks(self.breaks),
            "related": [RelatedIndicator(slug=s) for s in self.related]
            + [RelatedIndicator(slug=s, kind=RelationKind.waterbed) for s in self.waterbed],
        }


IndicatorFormDep = Annotated[IndicatorForm, Depends()]


@router.get("/indicators/new")
def new_indicator_page(request: Request, session: SessionDep, user: EditorUser):
    """Show an empty indicator form."""
    form = {"frequency": "month", "direction": "neutral", "screen_outliers": True}
    return _form_page(request, session, form, {}, action="/indicators/new")


@router.post("/indicators/new")
def create_indicator(
    request: Request, session: WriteSessionDep, user: EditorUser, posted: IndicatorFormDep
):
    """Add an indicator; on any error show the form again with every problem."""
    check_csrf(request, posted.csrf_token)
    try:
        data = validated(IndicatorCreate, FIELD_HINTS, **posted.values, **posted.links())
        indicators.create_indicator(session=session, data=data, user=user)
    except (Invalid, Conflict) as problem:
        errors = refused(request, session, problem)
        return _form_page(
            request, session, posted.form(), errors, action="/indicators/new", status=422
        )
    return RedirectResponse(f"/indicators/{data.slug}", status_code=303)


@router.get("/indicators/{slug}/edit")
def edit_indicator_page(request: Request, session: SessionDep, user: EditorUser, slug: str):
    """Show the form filled with the indicator's current fields."""
    indicator = indicators.get_indicator(session=session, slug=slug)
    described = indicators.describe(session=session, indicators=[indicator])[0]
    return _form_page(request, session, _form_of(described), {}, action=f"/indicators/{slug}/edit")


@router.post("/indicators/{slug}/edit")
def update_indicator(
    request: Request,
    session: WriteSessionDep,
    user: EditorUser,
    slug: str,
    posted: IndicatorFormDep,
):
    """Save changes to an indicator (its slug stays); on error show every problem."""
    check_csrf(request, posted.csrf_token)
    indicator = indicators.get_indicator(session=session, slug=slug)
    values = {k: v for k, v in posted.values.items() if k != "slug"}
    try:
        changes = validated(IndicatorUpdate, FIELD_HINTS, **values, **posted.links())
        indicators.update_indicator(
            session=session, indicator=indicator, changes=changes, user=user
        )
    except Invalid as problem:
        errors = refused(request, session, problem)
        form = {**posted.form(), "slug": slug}
        return _form_page(
            request, session, form, errors, action=f"/indicators/{slug}/edit", status=422
        )
    return RedirectResponse(f"/indicators/{slug}", status_code=303)
