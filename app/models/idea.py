"""Ideas: what partners, residents and staff would try, and how each was weighed.

An idea moves proposed → weighed → chosen, parked or declined; every step is kept with
its date and a reason the proposer can read. Choosing is a consent decision ("good
enough for now, safe enough to try"): the objections raised are recorded with how each
was met, never a vote count.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models._base import UtcDateTime, enum_type, utcnow
from app.models.narrative import AuthorRole


class IdeaState(StrEnum):
    proposed = "proposed"
    weighed = "weighed"
    chosen = "chosen"
    parked = "parked"
    declined = "declined"


class IdeaBase(SQLModel):
    title: str = Field(min_length=1, max_length=200, description="What would you try?")
    description: str = Field(
        min_length=1, max_length=5_000, description="The idea, in the proposer's words."
    )
    problem: str = Field(default="", max_length=2_000, description="For which problem.")
    target_group: str = Field(default="", max_length=200, description="For whom.")


class Idea(IdeaBase, table=True):
    id: int = Field(default=None, primary_key=True)
    state: IdeaState = Field(sa_type=enum_type(IdeaState), default=IdeaState.proposed, index=True)
    proposer_role: AuthorRole = Field(sa_type=enum_type(AuthorRole))
    proposer_name: str = Field(default="", max_length=200)
    partner_id: int | None = Field(
        default=None, foreign_key="partner.id", index=True, ondelete="SET NULL"
    )
    created_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class IdeaTheme(SQLModel, table=True):
    __tablename__ = "idea_theme"

    idea_id: int = Field(foreign_key="idea.id", primary_key=True, ondelete="CASCADE")
    theme_id: int = Field(foreign_key="theme.id", primary_key=True, ondelete="CASCADE")


class IdeaArea(SQLModel, table=True):
    __tablename__ = "idea_area"

    idea_id: int = Field(foreign_key="idea.id", primary_key=True, ondelete="CASCADE")
    area_id: int = Field(foreign_key="area.id", primary_key=True, ondelete="CASCADE")


class IdeaStep(SQLModel, table=True):
    """One dated step of an idea, with the reason its proposer reads."""

    __tablename__ = "idea_step"

    id: int = Field(default=None, primary_key=True)
    idea_id: int = Field(foreign_key="idea.id", index=True, ondelete="CASCADE")
    state: IdeaState = Field(sa_type=enum_type(IdeaState))
    reason: str = Field(default="", max_length=5_000)
    at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")


class WeighingCriterion(SQLModel, table=True):
    """A criterion ideas are scored on, configured per municipality by an admin."""

    __tablename__ = "weighing_criterion"

    id: int = Field(default=None, primary_key=True)
    name: str = Field(min_length=1, max_length=100, unique=True)
    description: str = Field(default="", max_length=1_000)
    position: int = Field(default=0)
    active: bool = Field(default=True)


class IdeaScore(SQLModel, table=True):
    """One editor's score of an idea on one criterion (1 low to 5 high), with a comment."""

    __tablename__ = "idea_score"
    __table_args__ = (UniqueConstraint("idea_id", "criterion_id", "by_id"),)

    id: int = Field(default=None, primary_key=True)
    idea_id: int = Field(foreign_key="idea.id", index=True, ondelete="CASCADE")
    criterion_id: int = Field(foreign_key="weighing_criterion.id", ondelete="CASCADE")
    score: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=2_000)
    by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class IdeaObjection(SQLModel, table=True):
    """An objection raised while weighing, and how it was met before consent."""

    __tablename__ = "idea_objection"

    id: int = Field(default=None, primary_key=True)
    idea_id: int = Field(foreign_key="idea.id", index=True, ondelete="CASCADE")
    objection: str = Field(min_length=1, max_length=2_000)
    resolution: str = Field(default="", max_length=2_000)
    raised_by: str = Field(default="", max_length=200)
    at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class IdeaCreate(IdeaBase):
    """An idea as proposed through the form or the API."""

    themes: list[str] = Field(default_factory=list, description="Theme slugs.")
    areas: list[str] = Field(default_factory=list, description="Area codes: where to try it.")
    proposer_name: str = Field(default="", max_length=200)

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "title": "Spreekuur schulden in de bibliotheek",
                    "description": "Een wekelijks inloopspreekuur waar bewoners zonder "
                    "afspraak met hun post terechtkunnen.",
                    "problem": "Mensen melden zich pas bij ons als de schuld al groot is.",
                    "target_group": "Bewoners met betalingsachterstanden",
                    "themes": ["schulden"],
                    "areas": ["WK990101"],
                }
            ]
        }
    }


class IdeaUpdate(SQLModel):
    """Weighing an idea: a new state with the reason its proposer will read."""

    state: IdeaState | None = None
    reason: str = Field(default="", max_length=5_000)
    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, min_length=1, max_length=5_000)

    model_config = {
        "json_schema_extra": {
            "examples": [{"state": "parked", "reason": "Eerst de evaluatie van de pilot."}]
        }
    }


class IdeaStepPublic(SQLModel):
    state: IdeaState
    reason: str
    at: datetime


class IdeaScorePublic(SQLModel):
    criterion: str
    score: int
    comment: str


class IdeaObjectionPublic(SQLModel):
    id: int
    objection: str
    resolution: str
    raised_by: str


class IdeaPublic(IdeaBase):
    id: int
    state: IdeaState
    proposer_role: AuthorRole
    partner: int | None
    themes: list[str]
    areas: list[str]
    created_at: datetime
    steps: list[IdeaStepPublic]
    scores: list[IdeaScorePublic]
    objections: list[IdeaObjectionPublic]


class IdeaList(SQLModel):
    items: list[IdeaPublic]
    total: int
