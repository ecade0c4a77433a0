"""Indicators: the figures that are followed, with their reading guide.

There is deliberately no target field: a figure signals a movement, it is not a goal.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel, UniqueConstraint

from app.models._base import Direction, Frequency, UtcDateTime, enum_type, utcnow


class IndicatorBase(SQLModel):
    slug: str = Field(
        min_length=1, max_length=80, regex=r"^[a-z0-9][a-z0-9-]*$", unique=True, index=True
    )
    name: str = Field(min_length=1, max_length=200)
    unit: str = Field(default="", max_length=60)
    description: str = Field(
        default="", max_length=20_000, description="Reading guide in Markdown."
    )
    source: str = Field(default="", max_length=500)
    frequency: Frequency = Field(sa_type=enum_type(Frequency), default=Frequency.month)
    direction: Direction = Field(sa_type=enum_type(Direction), default=Direction.neutral)
    screen_outliers: bool = Field(default=True)


class Indicator(IndicatorBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class IndicatorTheme(SQLModel, table=True):
    __tablename__ = "indicator_theme"

    indicator_id: int = Field(foreign_key="indicator.id", primary_key=True, ondelete="CASCADE")
    theme_id: int = Field(foreign_key="theme.id", primary_key=True, ondelete="CASCADE")


class IndicatorBreak(SQLModel, table=True):
    """A period from which usual variation is recalculated (a new SPC segment)."""

    __tablename__ = "indicator_break"
    __table_args__ = (UniqueConstraint("indicator_id", "starts_on"),)

    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicator.id", index=True, ondelete="CASCADE")
    starts_on: date
    note: str = Field(default="", max_length=500)


class RelationKind(StrEnum):
    related = "related"
    waterbed = "waterbed"


class IndicatorRelation(SQLModel, table=True):
    """Two figures to be read side by side; `waterbed` marks a known side effect."""

    __tablename__ = "indicator_relation"

    indicator_id: int = Field(foreign_key="indicator.id", primary_key=True, ondelete="CASCADE")
    related_id: int = Field(foreign_key="indicator.id", primary_key=True, ondelete="CASCADE")
    kind: RelationKind = Field(sa_type=enum_type(RelationKind), default=RelationKind.related)
