"""Narratives: dated stories from partners, residents, professionals and staff.

Bodies from outside are untrusted Markdown. Contact details live in their own table so
that no view, report or export can leak them by accident.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from app.models._base import Frequency, UtcDateTime, enum_type, utcnow


class AuthorRole(StrEnum):
    resident = "resident"
    partner = "partner"
    professional = "professional"
    staff = "staff"


class Assessment(StrEnum):
    better = "better"
    worse = "worse"
    mixed = "mixed"
    unclear = "unclear"


class NarrativeStatus(StrEnum):
    pending = "pending"
    published = "published"
    hidden = "hidden"


class NarrativeSource(StrEnum):
    form = "form"
    invite = "invite"
    staff = "staff"
    import_ = "import"


class ConsentReach(StrEnum):
    """How far the submitter allows the story to travel."""

    internal = "internal"
    council = "council"
    public = "public"


class LinkRelation(StrEnum):
    """How a story relates to a figure."""

    explains = "explains"
    contradicts = "contradicts"
    context = "context"
    consequence = "consequence"


class Narrative(SQLModel, table=True):
    # "The latest published stories" (for staff, and for anonymous readers only the
    # public ones) is on every dashboard: read it from an index in date order instead
    # of sorting every published story.
    __table_args__ = (
        Index("ix_narrative_status_occurred", "status", "occurred_on"),
        Index("ix_narrative_status_reach_occurred", "status", "consent_reach", "occurred_on"),
    )

    id: int = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    body: str = Field(max_length=10_000)
    occurred_on: date = Field(index=True, description="Start of the period the story is about.")
    occurred_frequency: Frequency = Field(sa_type=enum_type(Frequency), default=Frequency.month)
    author_role: AuthorRole = Field(sa_type=enum_type(AuthorRole))
    organisation: str = Field(default="", max_length=200)
    area_id: int | None = Field(
        default=None, foreign_key="area.id", index=True, ondelete="SET NULL"
    )
    assessment: Assessment | None = Field(default=None, sa_type=enum_type(Assessment))
    significance: str = Field(
        default="", max_length=2_000, description="Why this is important to the submitter."
    )
    domain_id: int | None = Field(
        default=None, foreign_key="change_domain.id", index=True, ondelete="SET NULL"
    )
    status: NarrativeStatus = Field(
        sa_type=enum_type(NarrativeStatus), default=NarrativeStatus.pending, index=True
    )
    source: NarrativeSource = Field(
        sa_type=enum_type(NarrativeSource), default=NarrativeSource.staff
    )
    consent: bool = Field(default=False)
    consent_reach: ConsentReach = Field(
        sa_type=enum_type(ConsentReach), default=ConsentReach.internal
    )
    consent_version: str = Field(default="", max_length=40)
    consent_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    partner_id: int | None = Field(default=None, foreign_key="partner.id", ondelete="SET NULL")
    invite_id: int | None = Field(default=None, foreign_key="invite.id", ondelete="SET NULL")
    request_id: int | None = Field(
        default=None, foreign_key="story_request.id", index=True, ondelete="SET NULL"
    )
    submission_key: str | None = Field(
        default=None,
        max_length=80,
        unique=True,
        description="One-time key of the form that sent it: a resend stores nothing new.",
    )
    submitted_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    client_hash: str | None = Field(
        default=None,
        max_length=64,
        index=True,
        description="Keyed hash of the public form's client address, for the rate limit only.",
    )
    moderated_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    moderated_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    moderation_note: str = Field(
        default="",
        max_length=2_000,
        description="The editor's word to the submitter: why it was (not) published.",
    )


class NarrativeTheme(SQLModel, table=True):
    __tablename__ = "narrative_theme"

    narrative_id: int = Field(foreign_key="narrative.id", primary_key=True, ondelete="CASCADE")
    theme_id: int = Field(foreign_key="theme.id", primary_key=True, index=True, ondelete="CASCADE")


class NarrativeIndicator(SQLModel, table=True):
    __tablename__ = "narrative_indicator"

    narrative_id: int = Field(foreign_key="narrative.id", primary_key=True, ondelete="CASCADE")
    indicator_id: int = Field(
        foreign_key="indicator.id", primary_key=True, index=True, ondelete="CASCADE"
    )
    relation: LinkRelation = Field(sa_type=enum_type(LinkRelation), default=LinkRelation.context)


class NarrativeContact(SQLModel, table=True):
    """Contact details for a follow-up question, kept apart and deleted after retention."""

    __tablename__ = "narrative_contact"

    narrative_id: int = Field(foreign_key="narrative.id", primary_key=True, ondelete="CASCADE")
    contact: str = Field(max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, index=True)


class NarrativeLinkPublic(SQLModel):
    """A figure a story is linked to, and how."""

    indicator: str = Field(description="The figure's slug.")
    relation: LinkRelation


class NarrativePublic(SQLModel):
    """A story as the API answers it (never its contact details)."""

    id: int
    title: str
    body: str = Field(description="Markdown.")
    occurred: str = Field(description="A month (2024-03) or a day (2024-03-15).")
    author_role: AuthorRole
    organisation: str
    area: str | None = Field(description="The area's code; None for the whole municipality.")
    themes: list[str] = Field(description="Theme slugs.")
    indicators: list[str] = Field(description="Slugs of the figures it is linked to.")
    links: list[NarrativeLinkPublic]
    assessment: Assessment | None
    significance: str
    domain: int | None = Field(description="The id of its domain of change, if any.")
    status: NarrativeStatus
    source: NarrativeSource
    consent_reach: ConsentReach
    submitted_at: str = Field(description="When it was sent (ISO 8601, UTC).")
