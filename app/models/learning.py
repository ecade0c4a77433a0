"""The learning agenda: open questions and hypotheses, how their wording and status moved,
and the movements of figures each hypothesis expects."""

from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.models._base import Direction, UtcDateTime, enum_type, utcnow


class QuestionStatus(StrEnum):
    open = "open"
    supported = "supported"
    contradicted = "contradicted"
    adjusted = "adjusted"
    closed = "closed"


class LearningQuestion(SQLModel, table=True):
    __tablename__ = "learning_question"

    id: int = Field(default=None, primary_key=True)
    text: str = Field(max_length=2_000, description="'If we do X we expect Y because Z'.")
    status: QuestionStatus = Field(
        sa_type=enum_type(QuestionStatus), default=QuestionStatus.open, index=True
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class LearningQuestionTheme(SQLModel, table=True):
    __tablename__ = "learning_question_theme"

    question_id: int = Field(
        foreign_key="learning_question.id", primary_key=True, ondelete="CASCADE"
    )
    theme_id: int = Field(foreign_key="theme.id", primary_key=True, ondelete="CASCADE")


class LearningQuestionIndicator(SQLModel, table=True):
    __tablename__ = "learning_question_indicator"

    question_id: int = Field(
        foreign_key="learning_question.id", primary_key=True, ondelete="CASCADE"
    )
    indicator_id: int = Field(foreign_key="indicator.id", primary_key=True, ondelete="CASCADE")


class QuestionStatusChange(SQLModel, table=True):
    """One step in a question's history, with the session that took it and why."""

    __tablename__ = "question_status_change"

    id: int = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="learning_question.id", index=True, ondelete="CASCADE")
    status: QuestionStatus = Field(sa_type=enum_type(QuestionStatus))
    reason: str = Field(default="", max_length=5_000)
    session_id: int | None = Field(
        default=None, foreign_key="reflection_session.id", ondelete="SET NULL"
    )
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    changed_by: str = Field(
        default="", max_length=254, description="Who took the step (an email; kept as text)."
    )


class QuestionVersion(SQLModel, table=True):
    """One wording of a question: the first as it was put on the agenda, then each change.

    The newest version's text is the question's ``text``; earlier ones are never lost.
    """

    __tablename__ = "question_version"

    id: int = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="learning_question.id", index=True, ondelete="CASCADE")
    text: str = Field(max_length=2_000)
    reason: str = Field(default="", max_length=5_000)
    session_id: int | None = Field(
        default=None, foreign_key="reflection_session.id", ondelete="SET NULL"
    )
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    changed_by: str = Field(default="", max_length=254)


class ExpectedMovement(SQLModel, table=True):
    """ "We expect figure X (in district Y) to fall within 12 months": one testable part of
    a hypothesis, stated on a day from which its signals are read."""

    __tablename__ = "expected_movement"

    id: int = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="learning_question.id", index=True, ondelete="CASCADE")
    indicator_id: int = Field(foreign_key="indicator.id", index=True, ondelete="CASCADE")
    area_id: int | None = Field(default=None, foreign_key="area.id", ondelete="CASCADE")
    direction: Direction = Field(sa_type=enum_type(Direction), description="up or down")
    within_months: int = Field(ge=1, le=120)
    stated_on: date
