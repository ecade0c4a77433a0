"""The learning agenda: questions and hypotheses with their history and evidence."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import delete
from sqlmodel import Session, col, func, select

from app import audit
from app.figures.periods import period_of
from app.figures.signals import signals_for
from app.i18n import N_
from app.models import (
    Area,
    Direction,
    ExpectedMovement,
    Indicator,
    LearningQuestion,
    LearningQuestionIndicator,
    LearningQuestionTheme,
    Narrative,
    NarrativeStatus,
    QuestionStatus,
    QuestionStatusChange,
    QuestionVersion,
    ReflectionSession,
    SessionIndicator,
    SessionNarrative,
    Theme,
    User,
    utcnow,
)
from app.models.days import Day
from app.problems import FieldError, Invalid, NotFound


@dataclass(frozen=True)
class SeenSignal:
    """The latest point of a figure as a session saw it: the signal evidence of a step."""

    indicator: Indicator
    area: Area | None
    period: str
    value: float
    signal: str


@dataclass
class Step:
    """One move of a question, with the evidence on the table when it was made."""

    change: QuestionStatusChange
    held: ReflectionSession | None
    stories: list[Narrative] = field(default_factory=list)
    signals: list[SeenSignal] = field(default_factory=list)


@dataclass
class QuestionView:
    question: LearningQuestion
    steps: list[Step]
    indicators: list[Indicator]


def agenda(*, session: Session) -> list[QuestionView]:
    """Return all questions, newest first, each step with the evidence behind it.

    A step's evidence is what its session had on the table: the published stories it
    discussed and, for the question's own indicators, the signals as frozen in that
    session's snapshot (what the team saw then, not what the figures say today). The
    whole agenda is read in a handful of queries, whatever its length.
    """
    questions = session.exec(
        select(LearningQuestion).order_by(col(LearningQuestion.created_at).desc())
    ).all()
    changes = session.exec(
        select(QuestionStatusChange, ReflectionSession)
        .join(
            ReflectionSession,
            col(ReflectionSession.id) == col(QuestionStatusChange.session_id),
            isouter=True,
        )
        .order_by(col(QuestionStatusChange.changed_at), col(QuestionStatusChange.id))
    ).all()
    linked = session.exec(
        select(LearningQuestionIndicator.question_id, Indicator).join(Indicator)
    ).all()
    indicators_of: dict[int, list[Indicator]] = defaultdict(list)
    for question_id, indicator in sorted(linked, key=lambda row: row[1].name):
        indicators_of[question_id].append(indicator)
    session_ids = {held.id for _, held in changes if held is not None}
    stories_of = _published_stories_of(session, session_ids)
    snapshots_of = _snapshots_of(session, session_ids)

    wanted_of = {
        question_id: {indicator.id for indicator in figures}
        for question_id, figures in indicators_of.items()
    }
    steps_of: dict[int, list[Step]] = defaultdict(list)
    for change, held in changes:
        step = Step(change, held)
        if held is not None:
            step.stories = stories_of.get(held.id, [])
            wanted = wanted_of.get(change.question_id, set())
            step.signals = [
                seen for seen in snapshots_of.get(held.id, []) if seen.indicator.id in wanted
            ]
        steps_of[change.question_id].append(step)
    return [
        QuestionView(question, steps_of[question.id], indicators_of[question.id])
        for question in questions
    ]


def _published_stories_of(session: Session, session_ids: set[int]) -> dict[int, list[Narrative]]:
    """The published stories each session discussed; hidden or pending ones stay out."""
    rows = session.exec(
        select(SessionNarrative.session_id, Narrative)
        .join(Narrative)
        .where(col(SessionNarrative.session_id).in_(session_ids))
        .where(Narrative.status == NarrativeStatus.published)
        .order_by(col(Narrative.occurred_on).desc())
    ).all()
    stories: dict[int, list[Narrative]] = defaultdict(list)
    for session_id, story in rows:
        stories[session_id].append(story)
    return stories


def _snapshots_of(session: Session, session_ids: set[int]) -> dict[int, list[SeenSignal]]:
    """The last frozen point of every figure each session discussed."""
    rows = session.exec(
        select(SessionIndicator, Indicator, Area)
        .join(Indicator, col(Indicator.id) == col(SessionIndicator.indicator_id))
        .join(Area, col(Area.id) == col(SessionIndicator.area_id), isouter=True)
        .where(col(SessionIndicator.session_id).in_(session_ids))
        # Only figures some question follows: other snapshots are never shown here.
        .where(
            col(SessionIndicator.indicator_id).in_(select(LearningQuestionIndicator.indicator_id))
        )
        .order_by(Indicator.name)
    ).all()
    seen: dict[int, list[SeenSignal]] = defaultdict(list)
    for frozen, indicator, area in rows:
        if frozen.snapshot:
            last = frozen.snapshot[-1]
            seen[frozen.session_id].append(
                SeenSignal(indicator, area, last["period"], last["value"], last["signal"])
            )
    return seen


# --- Versions, status steps and expected movements (issue 17) -----------------------

TEXT_MISSING = N_("Enter the question or hypothesis.")
TEXT_LONG = N_("The question can be at most 2,000 characters.")
REASON_MISSING = N_("Say why: every version and every status keeps its reason.")
REASON_LONG = N_("The reason can be at most 5,000 characters.")
STATUS_BAD = N_("Choose open, supported, contradicted, adjusted or closed.")
UNKNOWN_THEME = N_("Unknown theme: %(slug)s.")
UNKNOWN_INDICATOR = N_("Unknown indicator: %(slug)s.")
UNKNOWN_AREA = N_("Unknown area: %(code)s.")
DIRECTION_BAD = N_("Choose whether the figure is expected to rise or fall.")
MONTHS_BAD = N_("Give the time in months, from 1 to 120.")
NO_QUESTION = N_("There is no learning question with id %(id)s.")


class MovementIn(BaseModel):
    """'We expect figure X (in district Y) to fall within 12 months.'"""

    indicator: str = Field(max_length=200)
    area: str | None = Field(default=None, max_length=200)
    direction: str = Field(max_length=20, description="up or down")
    within_months: int = Field(description="1 to 120")
    stated_on: Day | None = Field(default=None, description="Default: today.")


class QuestionIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "text": "Als jeugdprofessionals in de wijkteams zitten, verwachten we "
                    "kortere wachttijden, omdat lichte hulp eerder start.",
                    "themes": ["jeugd"],
                    "indicators": ["wachttijd-specialistische-jeugdhulp"],
                    "expected": [
                        {
                            "indicator": "wachttijd-specialistische-jeugdhulp",
                            "area": None,
                            "direction": "down",
                            "within_months": 12,
                        }
                    ],
                }
            ]
        }
    )

    text: str = Field(max_length=10_000)
    themes: list[str] = []
    indicators: list[str] = []
    expected: list[MovementIn] = []


class QuestionPatch(BaseModel):
    """A new wording or status (each with its ``reason``), or replaced links."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"status": "adjusted", "reason": "De wachttijd daalde alleen in Noord."}]
        }
    )

    text: str | None = Field(default=None, max_length=10_000)
    status: str | None = Field(default=None, max_length=20)
    reason: str = Field(default="", max_length=10_000)
    themes: list[str] | None = None
    indicators: list[str] | None = None
    expected: list[MovementIn] | None = None


class StepOut(BaseModel):
    """Who did what when, and why: one version or one status step."""

    text: str | None = None
    status: str | None = None
    reason: str
    by: str
    at: datetime
    session: int | None


class EvidenceOut(BaseModel):
    """What the figure's signals did since the hypothesis was stated; never a verdict."""

    points: int = Field(description="Periods measured since the statement, within the term.")
    expected_signals: int = Field(description="Special-cause points in the expected direction.")
    opposite_signals: int = Field(description="Special-cause points against it.")
    first: float | None = None
    latest: float | None = None
    latest_period: str | None = None
    term_ends_on: date
    term_over: bool


class MovementOut(BaseModel):
    indicator: str
    area: str | None
    direction: str
    within_months: int
    stated_on: date
    evidence: EvidenceOut


class QuestionOut(BaseModel):
    id: int
    text: str
    status: str
    themes: list[str]
    indicators: list[str]
    expected: list[MovementOut]
    versions: list[StepOut]
    statuses: list[StepOut]


def get_question(*, session: Session, question_id: int) -> LearningQuestion:
    """The question with ``question_id``; raise NotFound when there is none."""
    question = session.get(LearningQuestion, question_id)
    if question is None:
        raise NotFound(NO_QUESTION, id=str(question_id))
    return question


def _resolve_links(session: Session, themes, indicators, expected, errors: list) -> tuple:
    found_themes = _lookup(
        session, Theme, Theme.slug, themes or [], "themes", UNKNOWN_THEME, "slug", errors
    )
    found_indicators = _lookup(
        session,
        Indicator,
        Indicator.slug,
        indicators or [],
        "indicators",
        UNKNOWN_INDICATOR,
        "slug",
        errors,
    )
    movements = []
    for n, item in enumerate(expected or []):
        where = f"expected.{n}"
        figure = session.exec(select(Indicator).where(Indicator.slug == item.indicator)).first()
        if figure is None:
            errors.append(
                FieldError(f"{where}.indicator", UNKNOWN_INDICATOR, {"slug": item.indicator})
            )
        area = None
        if item.area:
            area = session.exec(select(Area).where(Area.code == item.area)).first()
            if area is None:
                errors.append(FieldError(f"{where}.area", UNKNOWN_AREA, {"code": item.area}))
        if item.direction not in ("up", "down"):
            errors.append(FieldError(f"{where}.direction", DIRECTION_BAD))
        if not 1 <= item.within_months <= 120:
            errors.append(FieldError(f"{where}.within_months", MONTHS_BAD))
        movements.append((figure, area, item))
    return found_themes, found_indicators, movements


def _lookup(session, model, column, keys, field, message, name, errors) -> list:
    keys = list(dict.fromkeys(k.strip() for k in keys if k.strip()))
    rows = session.exec(select(model).where(col(column).in_(keys))).all() if keys else []
    by_key = {getattr(row, column.key): row for row in rows}
    unknown = [k for k in keys if k not in by_key]
    if unknown:
        errors.append(FieldError(field, message, {name: ", ".join(unknown)}))
    return [by_key[k] for k in keys if k in by_key]


def _check_text(text: str, errors: list) -> None:
    if not text.strip():
        errors.append(FieldError("text", TEXT_MISSING))
    elif len(text.strip()) > 2_000:
        errors.append(FieldError("text", TEXT_LONG))


def _check_reason(reason: str, errors: list) -> None:
    if not reason.strip():
        errors.append(FieldError("reason", REASON_MISSING))
    elif len(reason.strip()) > 5_000:
        errors.append(FieldError("reason", REASON_LONG))


def _replace_links(session: Session, question: LearningQuestion, themes, indicators, movements):
    if themes is not None:
        session.exec(
            delete(LearningQuestionTheme).where(
                col(LearningQuestionTheme.question_id) == question.id
            )
        )
        session.add_all(
            LearningQuestionTheme(question_id=question.id, theme_id=t.id) for t in themes
        )
    if indicators is not None:
        session.exec(
            delete(LearningQuestionIndicator).where(
                col(LearningQuestionIndicator.question_id) == question.id
            )
        )
        session.add_all(
            LearningQuestionIndicator(question_id=question.id, indicator_id=i.id)
            for i in indicators
        )
    if movements is not None:
        session.exec(
            delete(ExpectedMovement).where(col(ExpectedMovement.question_id) == question.id)
        )
        session.add_all(
            ExpectedMovement(
                question_id=question.id,
                indicator_id=figure.id,
                area_id=area.id if area else None,
                direction=Direction(item.direction),
                within_months=item.within_months,
                stated_on=item.stated_on or utcnow().date(),
            )
            for figure, area, item in movements
        )


def create_question(*, session: Session, data: QuestionIn, user: User) -> LearningQuestion:
    """Put a question on the agenda with its first version; raise Invalid on bad input."""
    errors: list[FieldError] = []
    _check_text(data.text, errors)
    themes, indicators, movements = _resolve_links(
        session, data.themes, data.indicators, data.expected, errors
    )
    if errors:
        raise Invalid(*errors)
    question = LearningQuestion(text=data.text.strip())
    session.add(question)
    session.flush()
    session.add(QuestionVersion(question_id=question.id, text=question.text, changed_by=user.email))
    _replace_links(session, question, themes, indicators, movements)
    session.flush()
    audit.record(
        session=session,
        action="create",
        entity="learning_question",
        entity_id=question.id,
        user=user,
        detail=data.model_dump(mode="json"),
    )
    return question


def update_question(
    *,
    session: Session,
    question: LearningQuestion,
    changes: QuestionPatch,
    user: User,
    session_id: int | None = None,
) -> LearningQuestion:
    """Reword (a new version), move the status (a new step), or replace links; a wording
    or status change needs its reason. Raise Invalid, nothing changed, on bad input."""
    errors: list[FieldError] = []
    reworded = changes.text is not None and changes.text.strip() != question.text
    moved = changes.status is not None and changes.status != question.status
    if changes.text is not None:
        _check_text(changes.text, errors)
    if changes.status is not None and changes.status not in set(QuestionStatus):
        errors.append(FieldError("status", STATUS_BAD))
    if reworded or moved:
        _check_reason(changes.reason, errors)
    themes, indicators, movements = _resolve_links(
        session, changes.themes, changes.indicators, changes.expected, errors
    )
    if errors:
        raise Invalid(*errors)
    reason = changes.reason.strip()
    if reworded and changes.text is not None:
        question.text = changes.text.strip()
        session.add(
            QuestionVersion(
                question_id=question.id,
                text=question.text,
                reason=reason,
                changed_by=user.email,
                session_id=session_id,
            )
        )
    if moved and changes.status is not None:
        question.status = QuestionStatus(changes.status)
        session.add(
            QuestionStatusChange(
                question_id=question.id,
                status=question.status,
                reason=reason,
                changed_by=user.email,
                session_id=session_id,
            )
        )
    session.add(question)
    _replace_links(
        session,
        question,
        themes if changes.themes is not None else None,
        indicators if changes.indicators is not None else None,
        movements if changes.expected is not None else None,
    )
    session.flush()
    audit.record(
        session=session,
        action="update",
        entity="learning_question",
        entity_id=question.id,
        user=user,
        detail=changes.model_dump(mode="json", exclude_unset=True),
    )
    return question


def evidence(*, session: Session, movement: ExpectedMovement) -> EvidenceOut:
    """What the figure's signals did from the period of the statement to the end of its
    term: how many points, and how many special-cause points lay on the expected side
    (low for a fall, high for a rise) or against it. A person still judges the question."""
    indicator = session.get(Indicator, movement.indicator_id)
    area = session.get(Area, movement.area_id) if movement.area_id else None
    assert indicator is not None
    month = movement.stated_on.month - 1 + movement.within_months
    term_ends_on = date(movement.stated_on.year + month // 12, month % 12 + 1, 1)
    since = period_of(movement.stated_on, indicator.frequency).start
    points = [
        p
        for p in signals_for(session=session, indicator=indicator, area=area)
        if since <= p.period_start < term_ends_on
    ]
    wanted = "low" if movement.direction == Direction.down else "high"
    special = [p for p in points if p.signal != "common" and p.side is not None]
    return EvidenceOut(
        points=len(points),
        expected_signals=sum(1 for p in special if p.side == wanted),
        opposite_signals=sum(1 for p in special if p.side != wanted),
        first=points[0].value if points else None,
        latest=points[-1].value if points else None,
        latest_period=period_of(points[-1].period_start, indicator.frequency).label
        if points
        else None,
        term_ends_on=term_ends_on,
        term_over=term_ends_on <= utcnow().date(),
    )


def describe_question(*, session: Session, question: LearningQuestion) -> QuestionOut:
    """The question with its links, expected movements and evidence, and full history."""
    themes = session.exec(
        select(Theme.slug)
        .join(LearningQuestionTheme)
        .where(LearningQuestionTheme.question_id == question.id)
        .order_by(Theme.slug)
    ).all()
    indicators = session.exec(
        select(Indicator.slug)
        .join(LearningQuestionIndicator)
        .where(LearningQuestionIndicator.question_id == question.id)
        .order_by(Indicator.slug)
    ).all()
    movements = session.exec(
        select(ExpectedMovement)
        .where(ExpectedMovement.question_id == question.id)
        .order_by(col(ExpectedMovement.id))
    ).all()
    slugs = dict(
        session.exec(
            select(Indicator.id, Indicator.slug).where(
                col(Indicator.id).in_([m.indicator_id for m in movements])
            )
        ).all()
    )
    codes = dict(
        session.exec(
            select(Area.id, Area.code).where(
                col(Area.id).in_([m.area_id for m in movements if m.area_id])
            )
        ).all()
    )
    versions = session.exec(
        select(QuestionVersion)
        .where(QuestionVersion.question_id == question.id)
        .order_by(col(QuestionVersion.changed_at), col(QuestionVersion.id))
    ).all()
    statuses = session.exec(
        select(QuestionStatusChange)
        .where(QuestionStatusChange.question_id == question.id)
        .order_by(col(QuestionStatusChange.changed_at), col(QuestionStatusChange.id))
    ).all()
    assert question.id is not None
    return QuestionOut(
        id=question.id,
        text=question.text,
        status=str(question.status),
        themes=list(themes),
        indicators=list(indicators),
        expected=[
            MovementOut(
                indicator=slugs[m.indicator_id],
                area=codes.get(m.area_id) if m.area_id else None,
                direction=str(m.direction),
                within_months=m.within_months,
                stated_on=m.stated_on,
                evidence=evidence(session=session, movement=m),
            )
            for m in movements
        ],
        versions=[
            StepOut(
                text=v.text, reason=v.reason, by=v.changed_by, at=v.changed_at, session=v.session_id
            )
            for v in versions
        ],
        statuses=[
            StepOut(
                status=str(s.status),
                reason=s.reason,
                by=s.changed_by,
                at=s.changed_at,
                session=s.session_id,
            )
            for s in statuses
        ],
    )


def list_questions(
    *, session: Session, limit: int = 100, offset: int = 0
) -> tuple[list[LearningQuestion], int]:
    """Questions, newest first."""
    total = session.exec(select(func.count()).select_from(LearningQuestion)).one()
    rows = session.exec(
        select(LearningQuestion)
        .order_by(col(LearningQuestion.created_at).desc(), col(LearningQuestion.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return list(rows), total


def moved_in(
    *, session: Session, session_id: int
) -> list[tuple[LearningQuestion, QuestionStatusChange]]:
    """The questions a reflection session moved, with the status it set and why."""
    return [
        (question, change)
        for change, question in session.exec(
            select(QuestionStatusChange, LearningQuestion)
            .join(LearningQuestion)
            .where(QuestionStatusChange.session_id == session_id)
            .order_by(col(QuestionStatusChange.id))
        ).all()
    ]
