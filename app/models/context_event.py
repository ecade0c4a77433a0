"""Context events (ontwikkelingen): external developments that change what a figure means.

An event is dated by periods in any notation (``2020-03``, ``2022-Q1``): the first day
of its start period and the last day of its end period are stored with the frequency
of each, so the period typed is the period shown again. Themes, indicators and areas
narrow what it touches; none of a kind means all of that kind.
"""

from datetime import date

from sqlmodel import Field, SQLModel

from app.models._base import Frequency, enum_type


class ContextEvent(SQLModel, table=True):
    __tablename__ = "context_event"

    id: int = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    starts_on: date
    ends_on: date | None = None
    start_frequency: Frequency = Field(
        sa_type=enum_type(Frequency),
        default=Frequency.day,
        description="The notation of the start period (its first day is starts_on).",
    )
    end_frequency: Frequency | None = Field(
        sa_type=enum_type(Frequency),
        default=None,
        description="The notation of the end period (its last day is ends_on).",
    )
    description: str = Field(default="", max_length=10_000)
    is_break: bool = Field(
        default=False, description="Usual variation is recalculated from its start."
    )
    session_id: int | None = Field(
        default=None,
        foreign_key="reflection_session.id",
        index=True,
        ondelete="SET NULL",
        description="The reflection session in which the development was noted.",
    )


class ContextEventTheme(SQLModel, table=True):
    """Themes an event touches; an event without themes touches all."""

    __tablename__ = "context_event_theme"

    event_id: int = Field(foreign_key="context_event.id", primary_key=True, ondelete="CASCADE")
    theme_id: int = Field(foreign_key="theme.id", primary_key=True, ondelete="CASCADE")


class ContextEventIndicator(SQLModel, table=True):
    """Indicators an event touches, narrower than its themes; none means all of them."""

    __tablename__ = "context_event_indicator"

    event_id: int = Field(foreign_key="context_event.id", primary_key=True, ondelete="CASCADE")
    indicator_id: int = Field(foreign_key="indicator.id", primary_key=True, ondelete="CASCADE")


class ContextEventArea(SQLModel, table=True):
    """Districts an event touches; none means the whole municipality and every district."""

    __tablename__ = "context_event_area"

    event_id: int = Field(foreign_key="context_event.id", primary_key=True, ondelete="CASCADE")
    area_id: int = Field(foreign_key="area.id", primary_key=True, ondelete="CASCADE")
