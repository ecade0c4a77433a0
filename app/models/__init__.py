"""All tables, imported in one place so that Alembic and the app see the same metadata."""

from app.models._base import Direction, Frequency, Role, utcnow
from app.models.area import Area, AreaCreate, AreaKind, AreaPublic
from app.models.audit import AuditEntry
from app.models.context_event import (
    ContextEvent,
    ContextEventArea,
    ContextEventIndicator,
    ContextEventTheme,
)
from app.models.expectation import ThemeRecalibration, ThemeResult, ThemeResultIndicator
from app.models.import_mapping import ImportMapping
from app.models.indicator import (
    Indicator,
    IndicatorBreak,
    IndicatorRelation,
    IndicatorTheme,
    RelationKind,
)
from app.models.learning import (
    ExpectedMovement,
    LearningQuestion,
    LearningQuestionIndicator,
    LearningQuestionTheme,
    QuestionStatus,
    QuestionStatusChange,
    QuestionVersion,
)
from app.models.narrative import (
    Assessment,
    AuthorRole,
    ConsentReach,
    LinkRelation,
    Narrative,
    NarrativeContact,
    NarrativeIndicator,
    NarrativeSource,
    NarrativeStatus,
    NarrativeTheme,
)
from app.models.observation import Observation, ObservationRevision, ObservationStatus
from app.models.partner import Invite, Partner, PartnerCreate
from app.models.reflection import (
    Action,
    ActionStatus,
    ReflectionSession,
    SessionIndicator,
    SessionNarrative,
    SessionRevision,
)
from app.models.report import FrozenReport, ReportIntro, ReportStory
from app.models.story_request import StoryRequest, StoryRequestPartner
from app.models.theme import Theme, ThemeCreate, ThemePublic
from app.models.user import ApiToken, LoginFailure, User

__all__ = [
    "Action",
    "ActionStatus",
    "ApiToken",
    "Area",
    "AreaCreate",
    "AreaKind",
    "AreaPublic",
    "Assessment",
    "AuditEntry",
    "AuthorRole",
    "ConsentReach",
    "ContextEvent",
    "ContextEventArea",
    "ContextEventIndicator",
    "ContextEventTheme",
    "Direction",
    "ExpectedMovement",
    "Frequency",
    "FrozenReport",
    "ImportMapping",
    "Indicator",
    "IndicatorBreak",
    "IndicatorRelation",
    "IndicatorTheme",
    "Invite",
    "LearningQuestion",
    "LearningQuestionIndicator",
    "LearningQuestionTheme",
    "LinkRelation",
    "LoginFailure",
    "Narrative",
    "NarrativeContact",
    "NarrativeIndicator",
    "NarrativeSource",
    "NarrativeStatus",
    "NarrativeTheme",
    "Observation",
    "ObservationRevision",
    "ObservationStatus",
    "Partner",
    "PartnerCreate",
    "QuestionStatus",
    "QuestionStatusChange",
    "QuestionVersion",
    "ReflectionSession",
    "RelationKind",
    "ReportIntro",
    "ReportStory",
    "Role",
    "SessionIndicator",
    "SessionNarrative",
    "SessionRevision",
    "StoryRequest",
    "StoryRequestPartner",
    "Theme",
    "ThemeCreate",
    "ThemePublic",
    "ThemeRecalibration",
    "ThemeResult",
    "ThemeResultIndicator",
    "User",
    "utcnow",
]
