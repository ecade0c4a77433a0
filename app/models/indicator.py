"""Indicators: the figures that are followed, with their reading guide.

There is deliberately no target field: a figure signals a movement, it is not a goal.
One family, for the editor pages and the API alike: ``IndicatorBase``, the table
``Indicator``, ``IndicatorCreate``, ``IndicatorUpdate`` and ``IndicatorPublic`` (with
themes, breaks and related indicators by slug and period label).
"""

from datetime import date, datetime
from enum import StrEnum

from pydantic import ConfigDict
from pydantic.config import JsonDict
from sqlmodel import Field, SQLModel, UniqueConstraint

from app.models._base import Direction, Frequency, UtcDateTime, enum_type, utcnow


class IndicatorBase(SQLModel):
    slug: str = Field(
        min_length=1,
        max_length=80,
        schema_extra={"pattern": r"^[a-z0-9][a-z0-9-]*$"},
        unique=True,
        index=True,
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
    baseline_points: int | None = Field(
        default=None,
        ge=2,
        description="Fix each segment's mean and limits on its first this many points "
        "(none: all points).",
    )


class Indicator(IndicatorBase, table=True):
    id: int = Field(default=None, primary_key=True)
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

    id: int = Field(default=None, primary_key=True)
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


class BreakCreate(SQLModel):
    period: str = Field(
        description="First period of the new segment, in the indicator's frequency.",
        schema_extra={"examples": ["2020-03"]},
    )
    note: str = Field(
        default="", max_length=500, schema_extra={"examples": ["Start of the pandemic"]}
    )


class BreakPublic(SQLModel):
    period: str
    note: str


class RelatedIndicator(SQLModel):
    slug: str = Field(schema_extra={"examples": ["wmo-clients"]})
    kind: RelationKind = RelationKind.related


INDICATOR_EXAMPLE: JsonDict = {
    "slug": "jeugdhulp-trajecten",
    "name": "Jeugdhulptrajecten",
    "unit": "aantal",
    "description": "Lopende trajecten jeugdhulp aan het eind van de maand.",
    "source": "CBS StatLine 85099NED",
    "frequency": "month",
    "direction": "down",
    "screen_outliers": True,
    "themes": ["jeugd"],
    "breaks": [{"period": "2020-03", "note": "Start van de pandemie"}],
    "related": [{"slug": "wmo-clients", "kind": "waterbed"}],
}


class IndicatorCreate(IndicatorBase):
    model_config = ConfigDict(json_schema_extra={"examples": [INDICATOR_EXAMPLE]})  # type: ignore[assignment]

    themes: list[str] = Field(default=[], description="Theme slugs.")
    breaks: list[BreakCreate] = []
    related: list[RelatedIndicator] = []


class IndicatorUpdate(SQLModel):
    """Fields of an indicator that can be changed; absent fields stay as they are."""

    model_config = ConfigDict(  # type: ignore[assignment]
        json_schema_extra={
            "examples": [
                {
                    "unit": "trajecten",
                    "breaks": [{"period": "2020-03", "note": "Start van de pandemie"}],
                }
            ]
        }
    )

    name: str | None = Field(default=None, min_length=1, max_length=200)
    unit: str | None = Field(default=None, max_length=60)
    description: str | None = Field(
        default=None, max_length=20_000, description="Reading guide in Markdown."
    )
    source: str | None = Field(default=None, max_length=500)
    frequency: Frequency | None = None
    direction: Direction | None = None
    screen_outliers: bool | None = None
    baseline_points: int | None = Field(
        default=None,
        ge=2,
        description="Fix each segment's mean and limits on its first this many points; "
        "null: on all points.",
    )
    themes: list[str] | None = Field(default=None, description="Theme slugs.")
    breaks: list[BreakCreate] | None = None
    related: list[RelatedIndicator] | None = None


class IndicatorPublic(SQLModel):
    model_config = ConfigDict(json_schema_extra={"examples": [INDICATOR_EXAMPLE]})  # type: ignore[assignment]

    slug: str
    name: str
    unit: str
    description: str
    source: str
    frequency: Frequency
    direction: Direction
    screen_outliers: bool
    baseline_points: int | None = None
    themes: list[str]
    breaks: list[BreakPublic]
    related: list[RelatedIndicator]
