"""Reflection sessions: what we see, what it means, what we will do; and their actions.

The indicators discussed are kept with a frozen snapshot of their values and signals
as they were seen that day, so later revisions never rewrite what a team concluded.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlmodel import JSON, Column, Field, SQLModel

from app.models._base import UtcDateTime, enum_type, utcnow


class ReflectionSession(SQLModel, table=True):
    __tablename__ = "reflection_session"

    id: int = Field(default=None, primary_key=True)
    held_on: date = Field(index=True)
    title: str = Field(max_length=200)
    facilitator: str = Field(default="", max_length=200)
    participants: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    see: str = Field(default="", max_length=20_000)
    mean: str = Field(default="", max_length=20_000)
    do: str = Field(default="", max_length=20_000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    created_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class SessionIndicator(SQLModel, table=True):
    """An indicator (optionally for one area) discussed in a session, frozen as seen."""

    __tablename__ = "session_indicator"

    id: int = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="reflection_session.id", index=True, ondelete="CASCADE")
    indicator_id: int = Field(foreign_key="indicator.id", index=True, ondelete="CASCADE")
    area_id: int | None = Field(default=None, foreign_key="area.id", ondelete="SET NULL")
    snapshot: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    snapshot_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class SessionNarrative(SQLModel, table=True):
    __tablename__ = "session_narrative"

    session_id: int = Field(
        foreign_key="reflection_session.id", primary_key=True, ondelete="CASCADE"
    )
    narrative_id: int = Field(foreign_key="narrative.id", primary_key=True, ondelete="CASCADE")


class SessionRevision(SQLModel, table=True):
    """A previous version of a session's text, kept on every edit."""

    __tablename__ = "session_revision"

    id: int = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="reflection_session.id", index=True, ondelete="CASCADE")
    content: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    edited_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    edited_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")


class ActionStatus(StrEnum):
    open = "open"
    done = "done"
    dropped = "dropped"


class Action(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="reflection_session.id", index=True, ondelete="CASCADE")
    description: str = Field(max_length=2_000)
    owner: str = Field(default="", max_length=200)
    due_on: date | None = None
    status: ActionStatus = Field(
        sa_type=enum_type(ActionStatus), default=ActionStatus.open, index=True
    )
    closed_in_session_id: int | None = Field(
        default=None, foreign_key="reflection_session.id", ondelete="SET NULL"
    )
    closed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class ReflectionSessionSummary(SQLModel):
    """A session as a list of sessions shows it."""

    id: int
    held_on: date
    title: str
    facilitator: str
    participants: list[str]


class SnapshotPublic(SQLModel):
    """One figure as it was read in the session: its points frozen that day."""

    indicator: str = Field(description="The figure's slug.")
    area: str | None = Field(description="The area's code; None for the whole municipality.")
    points: list[dict[str, Any]] = Field(description="Period, value, signal, limits.")


class ActionPublic(SQLModel):
    """What the session agreed to do."""

    id: int
    description: str
    owner: str
    due_on: date | None
    status: str
    closed_in_session: int | None = Field(description="The session that closed it, if one.")


class ReflectionSessionPublic(ReflectionSessionSummary):
    """A session with its notes, frozen figures, stories and actions."""

    see: str
    mean: str
    do: str
    snapshot: list[SnapshotPublic]
    narratives: list[int] = Field(description="Ids of the published stories it discussed.")
    actions: list[ActionPublic]
