"""The learning agenda: questions and hypotheses with their history and evidence."""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app import audit
from app.models import (
    Indicator,
    LearningQuestion,
    LearningQuestionIndicator,
    Narrative,
    QuestionStatusChange,
    ReflectionSession,
    SessionNarrative,
    User,
)


@dataclass
class QuestionView:
    question: LearningQuestion
    history: list[tuple[QuestionStatusChange, ReflectionSession | None]]
    indicators: list[Indicator]
    stories: list[Narrative]


def agenda(*, session: Session) -> list[QuestionView]:
    """Return all questions, newest first, with their steps and the evidence behind them.

    The stories are those discussed in the sessions that moved the question.
    """
    questions = session.exec(
        select(LearningQuestion).order_by(col(LearningQuestion.created_at).desc())
    ).all()
    views = []
    for question in questions:
        history = session.exec(
            select(QuestionStatusChange, ReflectionSession)
            .join(
                ReflectionSession,
                ReflectionSession.id == QuestionStatusChange.session_id,
                isouter=True,
            )
            .where(QuestionStatusChange.question_id == question.id)
            .order_by(col(QuestionStatusChange.changed_at), col(QuestionStatusChange.id))
        ).all()
        indicators = session.exec(
            select(Indicator)
            .join(LearningQuestionIndicator)
            .where(LearningQuestionIndicator.question_id == question.id)
            .order_by(Indicator.name)
        ).all()
        session_ids = [held.id for _, held in history if held is not None]
        stories = session.exec(
            select(Narrative)
            .where(
                col(Narrative.id).in_(
                    select(SessionNarrative.narrative_id).where(
                        col(SessionNarrative.session_id).in_(session_ids)
                    )
                )
            )
            .order_by(col(Narrative.occurred_on).desc())
        ).all()
        views.append(QuestionView(question, list(history), list(indicators), list(stories)))
    return views


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
    session.commit()
    session.refresh(question)
    return question
