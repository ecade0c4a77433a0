"""Half-year reports: editors' introductions and frozen, published versions."""

from datetime import datetime
from typing import Any

from sqlmodel import JSON, Column, Field, SQLModel, UniqueConstraint

from app.models._base import UtcDateTime, utcnow


class ReportIntro(SQLModel, table=True):
    """An editor's introduction to one theme in one half-year report."""

    __tablename__ = "report_intro"
    __table_args__ = (UniqueConstraint("period", "theme_id"),)

    id: int = Field(default=None, primary_key=True)
    period: str = Field(max_length=7, description="'2024-H1'.")
    theme_id: int = Field(foreign_key="theme.id", ondelete="CASCADE")
    text: str = Field(default="", max_length=20_000)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    updated_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")


class ReportStory(SQLModel, table=True):
    """A story an editor chose to explain a theme in a report."""

    __tablename__ = "report_story"

    period: str = Field(max_length=7, primary_key=True)
    theme_id: int = Field(foreign_key="theme.id", primary_key=True, ondelete="CASCADE")
    narrative_id: int = Field(foreign_key="narrative.id", primary_key=True, ondelete="CASCADE")


class FrozenReport(SQLModel, table=True):
    """A report exactly as published; later revisions of figures never change it."""

    __tablename__ = "frozen_report"

    id: int = Field(default=None, primary_key=True)
    period: str = Field(max_length=7, index=True)
    theme_slug: str | None = Field(default=None, max_length=60)
    content: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    frozen_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    frozen_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")


class ReportQuestion(SQLModel, table=True):
    """A council member's question to a half-year report, and the staff's answer.

    A question asked on the live report belongs to its half year and scope (all themes,
    or one theme) until the report is frozen, then to that frozen version; one asked on
    a frozen version stays with that version. The next report lists them.
    """

    __tablename__ = "report_question"

    id: int = Field(default=None, primary_key=True)
    period: str = Field(max_length=7, index=True, description="'2024-H1'.")
    theme_slug: str | None = Field(default=None, max_length=60)
    frozen_report_id: int | None = Field(
        default=None, foreign_key="frozen_report.id", index=True, ondelete="CASCADE"
    )
    question: str = Field(max_length=2000)
    asked_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    asked_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    answer: str = Field(default="", max_length=20_000)
    answered_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    answered_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
