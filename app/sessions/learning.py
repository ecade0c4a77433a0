"""The learning agenda: questions and hypotheses with their history and evidence."""

from collections import defaultdict
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app import audit
from app.models import (
    Area,
    Indicator,
    LearningQuestion,
    LearningQuestionIndicator,
    Narrative,
    NarrativeStatus,
    QuestionStatusChange,
    ReflectionSession,
    SessionIndicator,
    SessionNarrative,
    User,
)


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
            ReflectionSession.id == QuestionStatusChange.session_id,
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
        .join(Indicator, Indicator.id == SessionIndicator.indicator_id)
        .join(Area, Area.id == SessionIndicator.area_id, isouter=True)
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


def add_question(
    *, session: Session, text: str, indicators: list[Indicator], user: User
) -> LearningQuestion:
    """Put a new open question or hypothesis on the agenda."""
    question = LearningQuestion(text=text.strip())
    session.add(question)
    session.flush()
    for indicator in indicators:
        session.add(LearningQuestionIndicator(question_id=question.id, indicator_id=indicator.id))
    audit.record(
        session=session,
        action="create",
        entity="learning_question",
        entity_id=question.id,
        user=user,
    )
    session.flush()
    return question
