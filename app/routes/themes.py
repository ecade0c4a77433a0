"""A theme's own page (/themes/{slug}): what it expects beside its figures, with a form for
editors; and its API twin GET/PATCH /api/v1/themes/{slug}."""

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session, col, select

from app.context import events, expectations
from app.context.expectations import ExpectationsPatch, RecalibrationIn, ResultIn, ThemeDetail
from app.deps import EditorUser, Reader, SessionDep, WriteSessionDep, has_role
from app.figures import themes
from app.forms import FormDep, check_csrf
from app.ids import posted_id
from app.models import ContextEvent, Indicator, IndicatorTheme, Role, Theme
from app.narratives.rendering import render_markdown
from app.problems import Invalid
from app.templating import render, say

router = APIRouter(tags=["themes"])
pages = APIRouter(tags=["pages"], include_in_schema=False)

#: Empty rows the form offers below the stored ones.
BLANK_RESULTS, BLANK_RECALIBRATIONS = 2, 1


@router.get("/api/v1/themes/{slug}", response_model=ThemeDetail)
def get_theme(slug: str, session: SessionDep, reader: Reader):
    """One theme with its problem, end picture, expected results and re-calibrations."""
    theme = themes.get_theme(session=session, slug=slug)
    return expectations.describe(session=session, theme=theme)


@router.patch("/api/v1/themes/{slug}", response_model=ThemeDetail)
def update_theme(slug: str, changes: ExpectationsPatch, session: WriteSessionDep, user: EditorUser):
    """Change what the theme expects; ``results`` and ``recalibrations`` are replaced whole."""
    theme = themes.get_theme(session=session, slug=slug)
    expectations.update_expectations(session=session, theme=theme, changes=changes, user=user)
    return expectations.describe(session=session, theme=theme)


def _figures(session: Session, theme: Theme) -> list[Indicator]:
    return list(
        session.exec(
            select(Indicator)
            .join(IndicatorTheme, col(IndicatorTheme.indicator_id) == Indicator.id)
            .where(IndicatorTheme.theme_id == theme.id)
            .order_by(Indicator.name)
        ).all()
    )


@pages.get("/themes/{slug}")
def theme_page(request: Request, session: SessionDep, user: Reader, slug: str):
    """The theme's expectations beside its figures and the developments that touch it."""
    theme = themes.get_theme(session=session, slug=slug)
    detail = expectations.describe(session=session, theme=theme)
    rows, _ = events.list_events(session=session, theme=slug, limit=10)
    names = dict(session.exec(select(Indicator.slug, Indicator.name)).all())
    titles = dict(session.exec(select(ContextEvent.id, ContextEvent.title)).all())
    return render(
        request,
        "themes/show.html",
        {
            "theme": theme,
            "detail": detail,
            "html": {
                "description": render_markdown(theme.description),
                "problem": render_markdown(theme.problem),
                "end_picture": render_markdown(theme.end_picture),
            },
            "figures": _figures(session, theme),
            "names": names,
            "titles": titles,
            "developments": events.describe(session=session, events=rows),
            "can_edit": has_role(user, Role.editor),
        },
    )


def _form_page(request: Request, session: Session, theme: Theme, form: dict, errors, status=200):
    indicators = session.exec(select(Indicator.slug, Indicator.name).order_by(Indicator.name))
    developments = session.exec(
        select(ContextEvent.id, ContextEvent.title).order_by(col(ContextEvent.starts_on))
    )
    return render(
        request,
        "themes/edit.html",
        {
            "theme": theme,
            "form": form,
            "errors": errors,
            "indicator_options": list(indicators.all()),
            "development_options": list(developments.all()),
        },
        status_code=status,
    )


def _form_of(detail: ThemeDetail) -> dict:
    """The stored expectations as form rows, with blank rows to add more."""
    blank_result = {"description": "", "indicators": []}
    blank_step = {"changed_on": "", "what": "", "why": "", "development": ""}
    return {
        "problem": detail.problem,
        "end_picture": detail.end_picture,
        "results": [r.model_dump() for r in detail.results] + [blank_result] * BLANK_RESULTS,
        "recalibrations": [
            {
                **r.model_dump(),
                "changed_on": r.changed_on.isoformat(),
                "development": r.development or "",
            }
            for r in detail.recalibrations
        ]
        + [blank_step] * BLANK_RECALIBRATIONS,
    }


@pages.get("/themes/{slug}/edit")
def edit_theme_page(request: Request, session: SessionDep, user: EditorUser, slug: str):
    """The form of the theme's expectations."""
    theme = themes.get_theme(session=session, slug=slug)
    return _form_page(
        request, session, theme, _form_of(expectations.describe(session=session, theme=theme)), {}
    )


def _rows(posted, prefix: str, names: tuple[str, ...]) -> list[dict]:
    """Numbered form rows (``results.0.description``...), in order; blank rows dropped."""
    rows = []
    n = 0
    while any(f"{prefix}.{n}.{name}" in posted for name in names):
        row = {
            name: (
                posted.getlist(f"{prefix}.{n}.{name}")
                if name == "indicators"
                else posted.get(f"{prefix}.{n}.{name}", "")
            )
            for name in names
        }
        rows.append(row)
        n += 1
    return rows


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


@pages.post("/themes/{slug}/edit")
def save_theme(
    request: Request, session: WriteSessionDep, user: EditorUser, slug: str, posted: FormDep
):
    """Save the expectations; on bad input show the form again at the bad rows (422)."""
    check_csrf(request, str(posted.get("csrf_token", "")))
    theme = themes.get_theme(session=session, slug=slug)
    results = _rows(posted, "results", ("description", "indicators"))
    steps = _rows(posted, "recalibrations", ("changed_on", "what", "why", "development"))
    # Keep row numbers as posted, so a message lands at the row that was typed.
    kept_results = [r for r in results if r["description"].strip() or r["indicators"]]
    kept_steps = [s for s in steps if any(str(v).strip() for v in s.values())]
    form = {
        "problem": str(posted.get("problem", "")),
        "end_picture": str(posted.get("end_picture", "")),
        "results": kept_results + [{"description": "", "indicators": []}] * BLANK_RESULTS,
        "recalibrations": kept_steps
        + [{"changed_on": "", "what": "", "why": "", "development": ""}] * BLANK_RECALIBRATIONS,
    }
    try:
        changes = ExpectationsPatch(
            problem=form["problem"][:10_000],
            end_picture=form["end_picture"][:10_000],
            results=[
                ResultIn(description=r["description"][:2_000], indicators=r["indicators"])
                for r in kept_results
            ],
            recalibrations=[
                RecalibrationIn(
                    changed_on=_day(s["changed_on"]),
                    what=s["what"][:5_000],
                    why=s["why"][:5_000],
                    development=posted_id(s["development"]),
                )
                for s in kept_steps
            ],
        )
        expectations.update_expectations(session=session, theme=theme, changes=changes, user=user)
    except Invalid as problem:
        session.rollback()
        errors = {
            error.field.replace(".", "-"): say(request, error.message) for error in problem.errors
        }
        return _form_page(request, session, theme, form, errors, status=422)
    return RedirectResponse(f"/themes/{slug}", status_code=303)
