"""Story requests: a question to partners (or residents) raised by a signal."""

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from app.models._base import UtcDateTime, utcnow


class StoryRequest(SQLModel, table=True):
    __tablename__ = "story_request"

    id: int = Field(default=None, primary_key=True)
    question: str = Field(max_length=1_000)
    indicator_id: int = Field(foreign_key="indicator.id", index=True, ondelete="CASCADE")
    area_id: int | None = Field(default=None, foreign_key="area.id", ondelete="SET NULL")
    period_start: date | None = None
    public: bool = Field(default=False)
    closes_on: date | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    created_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")


class StoryRequestPartner(SQLModel, table=True):
    """Partners a request is addressed to; none means all partners."""

    __tablename__ = "story_request_partner"

    request_id: int = Field(foreign_key="story_request.id", primary_key=True, ondelete="CASCADE")
    partner_id: int = Field(foreign_key="partner.id", primary_key=True, ondelete="CASCADE")
