"""Observations: one value of an indicator for a period and area, with its history.

An observation row always holds the current value. When a value changes, the old one
moves to ``observation_revision`` with the moment it stopped being true, so that the
figures "as known on date D" can be rebuilt and nothing is ever lost.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from app.models._base import UtcDateTime, utcnow


class ObservationStatus(StrEnum):
    """How final a published value is, as its publisher (CBS) says; "" when not stated.

    CBS publishes a figure first as provisional ("Voorlopig"), may revise it
    ("Nader voorlopig") and finally declares it definitive ("Definitief"); a later
    status for the same value is a revision like a changed value.
    """

    unstated = ""
    provisional = "provisional"
    revised_provisional = "revised_provisional"
    definitive = "definitive"


STATUS_LENGTH = 20


class Observation(SQLModel, table=True):
    __table_args__ = (
        # One value per indicator, area and period. Area NULL means the whole
        # municipality; NULLs never collide in a unique index, hence the second one.
        Index(
            "uq_observation_area_period",
            "indicator_id",
            "area_id",
            "period_start",
            unique=True,
            sqlite_where=text("area_id IS NOT NULL"),
            postgresql_where=text("area_id IS NOT NULL"),
        ),
        Index(
            "uq_observation_total_period",
            "indicator_id",
            "period_start",
            unique=True,
            sqlite_where=text("area_id IS NULL"),
            postgresql_where=text("area_id IS NULL"),
        ),
    )

    id: int = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicator.id", ondelete="CASCADE")
    area_id: int | None = Field(default=None, foreign_key="area.id", ondelete="RESTRICT")
    period_start: date = Field(description="First day of the period.")
    value: float
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    source: str = Field(default="", max_length=300, description="File name, 'api' or 'form'.")
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    status: str = Field(
        default="",
        max_length=STATUS_LENGTH,
        sa_column_kwargs={"server_default": ""},
        description="An ObservationStatus: provisional, revised_provisional, definitive or ''.",
    )


class ObservationRevision(SQLModel, table=True):
    """A value that was true from ``recorded_at`` until ``superseded_at``."""

    __tablename__ = "observation_revision"

    id: int = Field(default=None, primary_key=True)
    observation_id: int = Field(foreign_key="observation.id", index=True, ondelete="CASCADE")
    value: float
    recorded_at: datetime = Field(sa_type=UtcDateTime)
    superseded_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    source: str = Field(default="", max_length=300)
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    status: str = Field(
        default="", max_length=STATUS_LENGTH, sa_column_kwargs={"server_default": ""}
    )


class ObservationRemoved(SQLModel, table=True):
    """A value of an observation that an editor deleted, kept with its indicator, area
    and period (its observation row is gone): true from ``recorded_at`` until
    ``superseded_at``. Deleting moves the current value here (superseded at the
    deletion) and every revision of it too, so the values "as known on date D" still
    show it before it was deleted."""

    __tablename__ = "observation_removed"

    id: int = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicator.id", index=True, ondelete="CASCADE")
    area_id: int | None = Field(default=None, foreign_key="area.id", ondelete="CASCADE")
    period_start: date
    value: float
    recorded_at: datetime = Field(sa_type=UtcDateTime)
    superseded_at: datetime = Field(sa_type=UtcDateTime)
    source: str = Field(default="", max_length=300)
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    status: str = Field(
        default="", max_length=STATUS_LENGTH, sa_column_kwargs={"server_default": ""}
    )
