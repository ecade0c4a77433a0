"""Partners (organisations that submit stories) and their personal invite links."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models._base import UtcDateTime, utcnow


class PartnerBase(SQLModel):
    name: str = Field(min_length=1, max_length=200, unique=True)
    email: str | None = Field(
        default=None,
        max_length=254,
        description="Where notifications go: new story requests, what became of a story.",
    )


class Partner(PartnerBase, table=True):
    id: int = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class PartnerCreate(PartnerBase):
    pass


class Invite(SQLModel, table=True):
    """A signed link that opens the story form for one partner; revocable, may expire."""

    id: int = Field(default=None, primary_key=True)
    partner_id: int = Field(foreign_key="partner.id", index=True, ondelete="CASCADE")
    name: str = Field(default="", max_length=200, description="What the link is for.")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
