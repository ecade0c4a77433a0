"""What a programme track expects: the problem it addresses, a shared end picture ("how do
we notice that it works?"), expected results with the indicators that follow each, and the
re-calibrations of the assignment over time (when, what changed, why, and the development
that prompted it).

The theme page's form and ``PATCH /api/v1/themes/{slug}`` send the same
:class:`ExpectationsPatch`; lists are replaced whole. Functions flush, never commit.
"""

from datetime import date

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict
from sqlalchemy import delete
from sqlmodel import Session, col, select

from app import audit
from app.i18n import N_
from app.models import (
    ContextEvent,
    Indicator,
    Theme,
    ThemeRecalibration,
    ThemeResult,
    ThemeResultIndicator,
    User,
)
from app.models.days import OUT_OF_RANGE, within_years
from app.problems import FieldError, Invalid

RESULT_MISSING = N_("Describe the expected result, or leave its figures empty.")
WHAT_MISSING = N_("Say what changed in the assignment.")
DAY_MISSING = N_("Enter the date of the re-calibration.")
UNKNOWN_INDICATOR = N_("Unknown indicator: %(slug)s.")
UNKNOWN_DEVELOPMENT = N_("Unknown development: %(id)s.")


class ResultIn(BaseModel):
    description: str = Field(max_length=2_000)
    indicators: list[str] = Field(default=[], description="Slugs of the figures following it.")


class RecalibrationIn(BaseModel):
    changed_on: date | None
    what: str = Field(max_length=5_000)
    why: str = Field(default="", max_length=5_000)
    development: int | None = Field(default=None, description="The development behind it.")


EXAMPLE: JsonDict = {
    "problem": "Te veel kinderen wachten lang op specialistische jeugdhulp.",
    "end_picture": "Gezinnen krijgen snel lichte hulp dichtbij; de wachtlijst krimpt.",
    "results": [
        {"description": "Minder kinderen op de wachtlijst", "indicators": ["jeugd-wachtlijst"]}
    ],
    "recalibrations": [
        {
            "changed_on": "2020-09-01",
            "what": "Hulp op afstand telt mee als lichte hulp.",
            "why": "Scholen en buurthuizen waren dicht.",
            "development": 1,
        }
    ],
}


class ExpectationsPatch(BaseModel):
    """The expectations to change; the theme's name and description stay."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    problem: str | None = Field(default=None, max_length=10_000)
    end_picture: str | None = Field(default=None, max_length=10_000)
    results: list[ResultIn] | None = None
    recalibrations: list[RecalibrationIn] | None = None


class ResultOut(BaseModel):
    description: str
    indicators: list[str]


class RecalibrationOut(BaseModel):
    changed_on: date
    what: str
    why: str
    development: int | None


class ThemeDetail(BaseModel):
    """A theme with its expectations, as ``GET /api/v1/themes/{slug}`` answers."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"slug": "jeugd", "name": "Jeugd", "description": "", **EXAMPLE}]
        }
    )

    slug: str
    name: str
    description: str
    problem: str
    end_picture: str
    results: list[ResultOut]
    recalibrations: list[RecalibrationOut]


def describe(*, session: Session, theme: Theme) -> ThemeDetail:
    """The theme with its results (and their figures) and re-calibrations, oldest first."""
    results = session.exec(
        select(ThemeResult)
        .where(ThemeResult.theme_id == theme.id)
        .order_by(col(ThemeResult.position), col(ThemeResult.id))
    ).all()
    slugs: dict[int, list[str]] = {}
    for result_id, slug in session.exec(
        select(ThemeResultIndicator.result_id, Indicator.slug)
        .join(Indicator)
        .where(col(ThemeResultIndicator.result_id).in_([r.id for r in results]))
        .order_by(Indicator.slug)
    ).all():
        slugs.setdefault(result_id, []).append(slug)
    recalibrations = session.exec(
        select(ThemeRecalibration)
        .where(ThemeRecalibration.theme_id == theme.id)
        .order_by(col(ThemeRecalibration.changed_on), col(ThemeRecalibration.id))
    ).all()
    return ThemeDetail(
        slug=theme.slug,
        name=theme.name,
        description=theme.description,
        problem=theme.problem,
        end_picture=theme.end_picture,
        results=[
            ResultOut(description=r.description, indicators=slugs.get(r.id or 0, []))
            for r in results
        ],
        recalibrations=[
            RecalibrationOut(
                changed_on=r.changed_on, what=r.what, why=r.why, development=r.event_id
            )
            for r in recalibrations
        ],
    )


def _check(session: Session, changes: ExpectationsPatch) -> dict[str, int]:
    """Raise Invalid naming every bad row; return the ids of the indicators named."""
    errors: list[FieldError] = []
    wanted = {slug for result in changes.results or [] for slug in result.indicators}
    ids = dict(
        session.exec(
            select(Indicator.slug, Indicator.id).where(col(Indicator.slug).in_(wanted))
        ).all()
    )
    for n, result in enumerate(changes.results or []):
        if not result.description.strip():
            errors.append(FieldError(f"results.{n}.description", RESULT_MISSING))
        unknown = [slug for slug in result.indicators if slug not in ids]
        if unknown:
            errors.append(
                FieldError(
                    f"results.{n}.indicators", UNKNOWN_INDICATOR, {"slug": ", ".join(unknown)}
                )
            )
    for n, step in enumerate(changes.recalibrations or []):
        if step.changed_on is None:
            errors.append(FieldError(f"recalibrations.{n}.changed_on", DAY_MISSING))
        elif not within_years(step.changed_on):
            text = {"text": step.changed_on.isoformat()}
            errors.append(FieldError(f"recalibrations.{n}.changed_on", OUT_OF_RANGE, text))
        if not step.what.strip():
            errors.append(FieldError(f"recalibrations.{n}.what", WHAT_MISSING))
        if step.development is not None and session.get(ContextEvent, step.development) is None:
            errors.append(
                FieldError(
                    f"recalibrations.{n}.development",
                    UNKNOWN_DEVELOPMENT,
                    {"id": str(step.development)},
                )
            )
    if errors:
        raise Invalid(*errors)
    return ids


def update_expectations(
    *, session: Session, theme: Theme, changes: ExpectationsPatch, user: User | None
) -> Theme:
    """Change what the theme expects; raise Invalid (nothing changed) on bad input."""
    ids = _check(session, changes)
    if changes.problem is not None:
        theme.problem = changes.problem
    if changes.end_picture is not None:
        theme.end_picture = changes.end_picture
    session.add(theme)
    if changes.results is not None:
        old = select(ThemeResult.id).where(ThemeResult.theme_id == theme.id)
        session.exec(
            delete(ThemeResultIndicator).where(col(ThemeResultIndicator.result_id).in_(old))
        )
        session.exec(delete(ThemeResult).where(col(ThemeResult.theme_id) == theme.id))
        for position, result in enumerate(changes.results):
            row = ThemeResult(
                theme_id=theme.id, position=position, description=result.description.strip()
            )
            session.add(row)
            session.flush()
            session.add_all(
                ThemeResultIndicator(result_id=row.id, indicator_id=ids[slug])
                for slug in dict.fromkeys(result.indicators)
            )
    if changes.recalibrations is not None:
        session.exec(delete(ThemeRecalibration).where(col(ThemeRecalibration.theme_id) == theme.id))
        session.add_all(
            ThemeRecalibration(
                theme_id=theme.id,
                changed_on=step.changed_on,
                what=step.what.strip(),
                why=step.why.strip(),
                event_id=step.development,
            )
            for step in changes.recalibrations
            if step.changed_on is not None
        )
    session.flush()
    audit.record(
        session=session,
        action="update",
        entity="theme_expectations",
        entity_id=theme.slug,
        user=user,
        detail=changes.model_dump(mode="json", exclude_unset=True),
    )
    return theme
