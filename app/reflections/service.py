"""Creating, editing and listing reflection sessions.

Input arrives from the HTML form and the JSON API in the same shape
(:class:`SessionInput`); :func:`validate` checks all of it against the database and
raises ``Invalid`` with every problem per field, so that nothing is stored from a
half-valid session. Functions flush and record the audit; the caller commits.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, func, select

from app import audit
from app.i18n import N_
from app.models import (
    Action,
    Area,
    Indicator,
    IndicatorTheme,
    LearningQuestion,
    Narrative,
    NarrativeStatus,
    QuestionStatus,
    QuestionStatusChange,
    QuestionVersion,
    ReflectionSession,
    SessionIndicator,
    SessionNarrative,
    SessionRevision,
    Theme,
    User,
    utcnow,
)
from app.models.days import OUT_OF_RANGE, within_years
from app.problems import FieldError, Invalid, NotFound
from app.reflections.snapshot import freeze

TEXT_FIELDS = ("held_on", "title", "facilitator", "participants", "see", "mean", "do")

TITLE_REQUIRED = N_("Enter a title.")
TITLE_TOO_LONG = N_("The title can be at most 200 characters.")
HELD_ON_REQUIRED = N_("Enter the date the session was held.")
UNKNOWN_INDICATOR = N_("Unknown indicator: %(slug)s.")
UNKNOWN_AREA = N_("Unknown area: %(code)s.")
UNKNOWN_NARRATIVE = N_("Unknown or unpublished story: %(id)s.")
ACTION_DESCRIPTION_REQUIRED = N_("Describe the action, or leave owner and due date empty.")
UNKNOWN_QUESTION = N_("Unknown learning question.")
QUESTION_STATUS_REQUIRED = N_("Choose the new status of the question.")
NOTES_TOO_LONG = N_("This text can be at most 20,000 characters.")
ACTION_TOO_LONG = N_("An action can be at most 2,000 characters, its owner 200.")
NAME_TOO_LONG = N_("A name can be at most 200 characters.")
QUESTION_TOO_LONG = N_("The question can be at most 2,000 characters, its reason 5,000.")


@dataclass
class IndicatorChoice:
    slug: str
    area: str | None = None


@dataclass
class ActionInput:
    description: str
    owner: str = ""
    due_on: date | None = None


@dataclass
class QuestionStep:
    """A learning question touched: an existing one (``question_id``) or a new text."""

    question_id: int | None
    text: str
    status: str
    reason: str


@dataclass
class SessionInput:
    held_on: date | None
    title: str
    facilitator: str = ""
    participants: list[str] = field(default_factory=list)
    see: str = ""
    mean: str = ""
    do: str = ""
    indicators: list[IndicatorChoice] = field(default_factory=list)
    narratives: list[int] = field(default_factory=list)
    actions: list[ActionInput] = field(default_factory=list)
    questions: list[QuestionStep] = field(default_factory=list)


NO_SESSION = N_("There is no reflection session %(id)s.")


def _refuse(errors: dict[str, tuple[str, dict]]) -> None:
    """Raise Invalid when ``errors`` (field -> message and its values) holds any."""
    if errors:
        raise Invalid(
            *(FieldError(name, message, values) for name, (message, values) in errors.items())
        )


def get_session(*, session: Session, session_id: int) -> ReflectionSession:
    """Return the reflection session ``session_id``; raise NotFound otherwise."""
    reflection = session.get(ReflectionSession, session_id)
    if reflection is None:
        raise NotFound(NO_SESSION, id=session_id)
    return reflection


@dataclass
class _Resolved:
    indicators: list[tuple[Indicator, Area | None]]
    narratives: list[Narrative]
    questions: list[tuple[LearningQuestion | None, QuestionStep]]


def _check_text(data: SessionInput, errors: dict) -> None:
    if data.held_on is None:
        errors["held_on"] = (HELD_ON_REQUIRED, {})
    elif not within_years(data.held_on):
        errors["held_on"] = (OUT_OF_RANGE, {"text": data.held_on.isoformat()})
    for action in data.actions:
        if action.due_on is not None and not within_years(action.due_on):
            errors["actions"] = (OUT_OF_RANGE, {"text": action.due_on.isoformat()})
    if not data.title.strip():
        errors["title"] = (TITLE_REQUIRED, {})
    elif len(data.title) > 200:
        errors["title"] = (TITLE_TOO_LONG, {})
    for name in ("see", "mean", "do"):
        if len(getattr(data, name)) > 20_000:
            errors[name] = (NOTES_TOO_LONG, {})
    if len(data.facilitator) > 200:
        errors["facilitator"] = (NAME_TOO_LONG, {})
    if any(len(name) > 200 for name in data.participants):
        errors["participants"] = (NAME_TOO_LONG, {})


def validate(*, session: Session, data: SessionInput) -> _Resolved:
    """Check everything and look up what the input refers to; raise Invalid on any error."""
    errors: dict[str, tuple[str, dict]] = {}
    _check_text(data, errors)
    indicators = []
    for choice in data.indicators:
        indicator = session.exec(select(Indicator).where(Indicator.slug == choice.slug)).first()
        area = None
        if indicator is None:
            errors.setdefault("indicators", (UNKNOWN_INDICATOR, {"slug": choice.slug}))
        if choice.area:
            area = session.exec(select(Area).where(Area.code == choice.area)).first()
            if area is None:
                errors.setdefault("area", (UNKNOWN_AREA, {"code": choice.area}))
        if indicator is not None:
            indicators.append((indicator, area))
    narratives = []
    for narrative_id in data.narratives:
        narrative = session.get(Narrative, narrative_id)
        if narrative is None or narrative.status != NarrativeStatus.published:
            errors.setdefault("narratives", (UNKNOWN_NARRATIVE, {"id": narrative_id}))
        else:
            narratives.append(narrative)
    for index, action in enumerate(data.actions):
        if not action.description.strip():
            errors[f"action_description_{index}"] = (ACTION_DESCRIPTION_REQUIRED, {})
        elif len(action.description) > 2_000 or len(action.owner) > 200:
            errors[f"action_description_{index}"] = (ACTION_TOO_LONG, {})
    questions = []
    for index, step in enumerate(data.questions):
        question = None
        if step.question_id is not None:
            question = session.get(LearningQuestion, step.question_id)
            if question is None:
                errors[f"question_{index}"] = (UNKNOWN_QUESTION, {})
        elif not step.text.strip():
            errors[f"question_{index}"] = (UNKNOWN_QUESTION, {})
        if len(step.text) > 2_000 or len(step.reason) > 5_000:
            errors[f"question_{index}"] = (QUESTION_TOO_LONG, {})
        if step.status not in QuestionStatus.__members__:
            errors[f"question_status_{index}"] = (QUESTION_STATUS_REQUIRED, {})
        questions.append((question, step))
    _refuse(errors)
    return _Resolved(indicators, narratives, questions)


def create_session(*, session: Session, data: SessionInput, user: User) -> ReflectionSession:
    """Store a session with its snapshot, stories, actions and question steps."""
    resolved = validate(session=session, data=data)
    assert data.held_on is not None  # validate() refused a session without its day
    reflection = ReflectionSession(
        held_on=data.held_on,
        title=data.title.strip(),
        facilitator=data.facilitator.strip(),
        participants=[name.strip() for name in data.participants if name.strip()],
        see=data.see,
        mean=data.mean,
        do=data.do,
        created_by_id=user.id,
    )
    session.add(reflection)
    session.flush()
    for indicator, area in resolved.indicators:
        session.add(
            SessionIndicator(
                session_id=reflection.id,
                indicator_id=indicator.id,
                area_id=area.id if area else None,
                snapshot=freeze(session=session, indicator=indicator, area=area),
            )
        )
    for narrative in resolved.narratives:
        session.add(SessionNarrative(session_id=reflection.id, narrative_id=narrative.id))
    for action in data.actions:
        session.add(
            Action(
                session_id=reflection.id,
                description=action.description.strip(),
                owner=action.owner.strip(),
                due_on=action.due_on,
            )
        )
    for question, step in resolved.questions:
        if question is None:
            question = LearningQuestion(text=step.text.strip())
            session.add(question)
            session.flush()
            session.add(
                QuestionVersion(
                    question_id=question.id,
                    text=question.text,
                    session_id=reflection.id,
                    changed_by=user.email,
                )
            )
        question.status = QuestionStatus(step.status)
        session.add(question)
        session.add(
            QuestionStatusChange(
                question_id=question.id,
                status=question.status,
                reason=step.reason.strip(),
                session_id=reflection.id,
                changed_by=user.email,
            )
        )
    audit.record(
        session=session,
        action="create",
        entity="reflection_session",
        entity_id=reflection.id,
        user=user,
        detail={"title": reflection.title, "indicators": len(resolved.indicators)},
    )
    session.flush()
    return reflection


def _text_of(reflection: ReflectionSession) -> dict:
    return {
        "held_on": reflection.held_on.isoformat(),
        "title": reflection.title,
        "facilitator": reflection.facilitator,
        "participants": list(reflection.participants),
        "see": reflection.see,
        "mean": reflection.mean,
        "do": reflection.do,
    }


def update_session(
    *, session: Session, reflection: ReflectionSession, data: SessionInput, user: User
) -> ReflectionSession:
    """Change a session's text, keeping the previous version with who and when.

    The snapshot, stories and actions are left as they were: what was seen that day
    does not change by editing the minutes.
    """
    errors: dict[str, tuple[str, dict]] = {}
    _check_text(data, errors)
    _refuse(errors)
    session.add(
        SessionRevision(
            session_id=reflection.id, content=_text_of(reflection), edited_by_id=user.id
        )
    )
    assert data.held_on is not None  # _check_text() refused a session without its day
    reflection.held_on = data.held_on
    reflection.title = data.title.strip()
    reflection.facilitator = data.facilitator.strip()
    reflection.participants = [name.strip() for name in data.participants if name.strip()]
    reflection.see, reflection.mean, reflection.do = data.see, data.mean, data.do
    reflection.updated_at = utcnow()
    session.add(reflection)
    audit.record(
        session=session,
        action="update",
        entity="reflection_session",
        entity_id=reflection.id,
        user=user,
        detail={"title": reflection.title},
    )
    session.flush()
    return reflection


@dataclass
class SessionFilter:
    theme: str | None = None
    start: date | None = None
    end: date | None = None
    participant: str | None = None


def list_sessions(
    *, session: Session, filters: SessionFilter | None = None, limit: int = 100, offset: int = 0
) -> tuple[list[ReflectionSession], int]:
    """Return sessions, latest first, with the total that match the filters.

    The participant filter is applied in Python because participants are a JSON list,
    which SQLite and PostgreSQL query differently.
    """
    filters = filters or SessionFilter()
    query = select(ReflectionSession)
    if filters.theme:
        query = query.where(
            col(ReflectionSession.id).in_(
                select(SessionIndicator.session_id)
                .join(
                    IndicatorTheme,
                    col(IndicatorTheme.indicator_id) == col(SessionIndicator.indicator_id),
                )
                .join(Theme, col(Theme.id) == col(IndicatorTheme.theme_id))
                .where(Theme.slug == filters.theme)
            )
        )
    if filters.start:
        query = query.where(ReflectionSession.held_on >= filters.start)
    if filters.end:
        query = query.where(ReflectionSession.held_on <= filters.end)
    query = query.order_by(col(ReflectionSession.held_on).desc(), col(ReflectionSession.id).desc())
    if not filters.participant:
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        return list(session.exec(query.offset(offset).limit(limit))), total
    needle = filters.participant.strip().casefold()
    rows = [
        row
        for row in session.exec(query)
        if any(needle in name.casefold() for name in row.participants)
    ]
    return rows[offset : offset + limit], len(rows)


def revisions_of(*, session: Session, reflection: ReflectionSession) -> list[tuple]:
    """Return earlier versions (newest first) with the email of who replaced them."""
    query = (
        select(SessionRevision, User.email)
        .join(User, col(User.id) == col(SessionRevision.edited_by_id), isouter=True)
        .where(SessionRevision.session_id == reflection.id)
        .order_by(col(SessionRevision.edited_at).desc(), col(SessionRevision.id).desc())
    )
    return list(session.exec(query))
