"""Most Significant Change: the domains of change per theme and the choices a
reflection session makes among the stories of one domain, each with its reason."""

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models._base import UtcDateTime, utcnow


class ChangeDomain(SQLModel, table=True):
    """A domain of change of one theme ("zelfredzaamheid", "meedoen"); taken out of use,
    it stays on the stories that named it."""

    __tablename__ = "change_domain"
    __table_args__ = (UniqueConstraint("theme_id", "name", name="uq_change_domain_theme_name"),)

    id: int = Field(default=None, primary_key=True)
    theme_id: int = Field(foreign_key="theme.id", index=True, ondelete="CASCADE")
    name: str = Field(min_length=1, max_length=200)
    in_use: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class SignificantChoice(SQLModel, table=True):
    """A story a reflection session chose as the most significant of its domain, and why."""

    __tablename__ = "significant_choice"
    __table_args__ = (
        UniqueConstraint(
            "session_id", "domain_id", "narrative_id", name="uq_significant_choice_story"
        ),
    )

    id: int = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="reflection_session.id", index=True, ondelete="CASCADE")
    domain_id: int = Field(foreign_key="change_domain.id", index=True, ondelete="CASCADE")
    narrative_id: int = Field(foreign_key="narrative.id", index=True, ondelete="CASCADE")
    reason: str = Field(max_length=5_000)
    chosen_by: str = Field(default="", max_length=320)
    chosen_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
