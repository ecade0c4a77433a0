"""Context events (ontwikkelingen): external developments that change what a figure means."""

from datetime import date

from sqlmodel import Field, SQLModel


class ContextEvent(SQLModel, table=True):
    __tablename__ = "context_event"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    starts_on: date
    ends_on: date | None = None
    description: str = Field(default="", max_length=10_000)
    is_break: bool = Field(
        default=False, description="Usual variation is recalculated from its start."
    )


class ContextEventTheme(SQLModel, table=True):
    """Themes an event touches; an event without themes touches all."""

    __tablename__ = "context_event_theme"

    event_id: int = Field(foreign_key="context_event.id", primary_key=True, ondelete="CASCADE")
    theme_id: int = Field(foreign_key="theme.id", primary_key=True, ondelete="CASCADE")
