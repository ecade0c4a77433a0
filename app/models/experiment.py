"""Experiments: trying an idea small, in named districts, and deciding what comes next.

An experiment states its hypothesis ("if we do X for Y we expect Z because W"), where
it runs and where it is compared, which figures should move, the behaviour change it
relies on, and who implements it if it works ("prepared for success"). A decision to
scale, adjust or stop is always dated and reasoned; an adjustment keeps the hypothesis
it replaced.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlmodel import JSON, Column, Field, SQLModel

from app.models._base import Direction, UtcDateTime, enum_type, utcnow
from app.models.days import Day


class ExperimentStatus(StrEnum):
    planned = "planned"
    running = "running"
    scaled = "scaled"
    stopped = "stopped"


class AreaRole(StrEnum):
    pilot = "pilot"
    comparison = "comparison"


class DecisionKind(StrEnum):
    scale = "scale"
    adjust = "adjust"
    stop = "stop"


class Experiment(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    title: str = Field(min_length=1, max_length=200)
    hypothesis: str = Field(min_length=1, max_length=2_000)
    idea_id: int | None = Field(
        default=None, foreign_key="idea.id", index=True, ondelete="SET NULL"
    )
    learning_question_id: int | None = Field(
        default=None, foreign_key="learning_question.id", ondelete="SET NULL"
    )
    story_request_id: int | None = Field(
        default=None, foreign_key="story_request.id", ondelete="SET NULL"
    )
    target_group: str = Field(default="", max_length=200)
    starts_on: date
    review_on: date = Field(index=True)
    behaviour_change: str = Field(default="", max_length=2_000)
    prepared_for_success: str = Field(default="", max_length=2_000)
    status: ExperimentStatus = Field(
        sa_type=enum_type(ExperimentStatus), default=ExperimentStatus.planned, index=True
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    created_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")


class ExperimentTheme(SQLModel, table=True):
    __tablename__ = "experiment_theme"

    experiment_id: int = Field(foreign_key="experiment.id", primary_key=True, ondelete="CASCADE")
    theme_id: int = Field(foreign_key="theme.id", primary_key=True, ondelete="CASCADE")


class ExperimentArea(SQLModel, table=True):
    """A district where the experiment runs (pilot) or that it is compared with."""

    __tablename__ = "experiment_area"

    experiment_id: int = Field(foreign_key="experiment.id", primary_key=True, ondelete="CASCADE")
    area_id: int = Field(foreign_key="area.id", primary_key=True, ondelete="CASCADE")
    role: AreaRole = Field(sa_type=enum_type(AreaRole))
    added_by_decision_id: int | None = Field(
        default=None, foreign_key="experiment_decision.id", ondelete="SET NULL"
    )


class ExperimentIndicator(SQLModel, table=True):
    """A figure the experiment expects to move, and in which direction."""

    __tablename__ = "experiment_indicator"

    experiment_id: int = Field(foreign_key="experiment.id", primary_key=True, ondelete="CASCADE")
    indicator_id: int = Field(foreign_key="indicator.id", primary_key=True, ondelete="CASCADE")
    direction: Direction = Field(sa_type=enum_type(Direction))


class ExperimentDecision(SQLModel, table=True):
    """Scale (to which districts), adjust (new hypothesis, new review) or stop: with why."""

    __tablename__ = "experiment_decision"

    id: int = Field(default=None, primary_key=True)
    experiment_id: int = Field(foreign_key="experiment.id", index=True, ondelete="CASCADE")
    decision: DecisionKind = Field(sa_type=enum_type(DecisionKind))
    reason: str = Field(min_length=1, max_length=5_000)
    decided_on: date = Field(index=True)
    session_id: int | None = Field(
        default=None, foreign_key="reflection_session.id", ondelete="SET NULL"
    )
    areas: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    review_on: date | None = None
    previous_hypothesis: str = Field(default="", max_length=2_000)
    hypothesis: str = Field(default="", max_length=2_000)
    by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class SessionExperiment(SQLModel, table=True):
    """A reflection session that reviewed an experiment."""

    __tablename__ = "session_experiment"

    session_id: int = Field(
        foreign_key="reflection_session.id", primary_key=True, ondelete="CASCADE"
    )
    experiment_id: int = Field(foreign_key="experiment.id", primary_key=True, ondelete="CASCADE")


class PortfolioLimit(SQLModel, table=True):
    """How many experiments may run at once in a theme before the portfolio warns."""

    __tablename__ = "portfolio_limit"

    theme_id: int = Field(foreign_key="theme.id", primary_key=True, ondelete="CASCADE")
    max_running: int = Field(ge=1, le=100)


class ExperimentIndicatorIn(SQLModel):
    slug: str = Field(min_length=1, max_length=60)
    direction: Direction


class ExperimentBase(SQLModel):
    title: str = Field(min_length=1, max_length=200)
    hypothesis: str = Field(
        min_length=1,
        max_length=2_000,
        description="'If we do X for group or area Y, we expect Z, because W'.",
    )
    target_group: str = Field(default="", max_length=200)
    behaviour_change: str = Field(
        default="", max_length=2_000, description="Who will do what differently."
    )
    prepared_for_success: str = Field(
        default="",
        max_length=2_000,
        description="Who implements it if it works, with what capacity and budget.",
    )


class ExperimentCreate(ExperimentBase):
    idea: int | None = Field(default=None, ge=1, le=2**31 - 1)
    learning_question: int | None = Field(default=None, ge=1, le=2**31 - 1)
    themes: list[str] = Field(default_factory=list)
    areas: list[str] = Field(default_factory=list, description="Pilot districts (codes).")
    comparison_areas: list[str] = Field(default_factory=list)
    starts_on: Day
    review_on: Day
    indicators: list[ExperimentIndicatorIn] = Field(default_factory=list)
    story_question: str = Field(
        default="",
        max_length=1_000,
        description="A question for partners in the pilot area (becomes a story request).",
    )
    status: ExperimentStatus = ExperimentStatus.planned

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "title": "Schoolmaatschappelijk werk op twee basisscholen",
                    "hypothesis": "Als we schoolmaatschappelijk werk inzetten op de scholen "
                    "in Noord, verwachten we minder verzuimmeldingen, omdat problemen "
                    "thuis eerder in beeld komen.",
                    "areas": ["WK990101"],
                    "comparison_areas": ["WK990102"],
                    "starts_on": "2025-09-01",
                    "review_on": "2026-03-01",
                    "indicators": [{"slug": "meldingen-schoolverzuim", "direction": "down"}],
                    "behaviour_change": "Leerkrachten melden zorgen bij de schoolmaatschappelijk "
                    "werker in plaats van bij leerplicht.",
                    "prepared_for_success": "Het jeugdteam neemt het over; 0,8 fte begroot.",
                    "status": "running",
                }
            ]
        }
    }


class ExperimentUpdate(SQLModel):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    target_group: str | None = Field(default=None, max_length=200)
    behaviour_change: str | None = Field(default=None, max_length=2_000)
    prepared_for_success: str | None = Field(default=None, max_length=2_000)
    review_on: Day | None = None
    status: ExperimentStatus | None = Field(
        default=None, description="planned or running; scale and stop are decisions."
    )

    model_config = {"json_schema_extra": {"examples": [{"status": "running"}]}}


class DecisionCreate(SQLModel):
    decision: DecisionKind
    reason: str = Field(min_length=1, max_length=5_000)
    areas: list[str] = Field(
        default_factory=list, description="scale: the further districts (codes)."
    )
    review_on: Day | None = Field(default=None, description="adjust: the new review date.")
    hypothesis: str = Field(
        default="", max_length=2_000, description="adjust: the new wording of the hypothesis."
    )
    decided_on: Day | None = Field(default=None, description="Defaults to today.")
    session: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="The reflection session that decided."
    )

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "decision": "scale",
                    "reason": "Verzuim daalde in Noord en de scholen willen door.",
                    "areas": ["WK990103", "WK990104"],
                }
            ]
        }
    }


class DecisionPublic(SQLModel):
    id: int
    decision: DecisionKind
    reason: str
    decided_on: date
    session: int | None
    areas: list[str]
    review_on: date | None
    previous_hypothesis: str
    hypothesis: str


class ExperimentPublic(ExperimentBase):
    id: int
    idea: int | None
    learning_question: int | None
    story_request: int | None
    themes: list[str]
    areas: list[str]
    comparison_areas: list[str]
    starts_on: date
    review_on: date
    indicators: list[ExperimentIndicatorIn]
    status: ExperimentStatus
    review_overdue: bool
    sessions: list[int]
    decisions: list[DecisionPublic]


class ExperimentList(SQLModel):
    items: list[ExperimentPublic]
    total: int
