"""JSON API for reflection sessions (DESIGN.md: GET/POST /api/v1/sessions); a session is
answered from the record its page is built on (``app.reflections.page``)."""

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.deps import EditorUser, Limit, Offset, SessionDep, ViewerUser, WriteSessionDep
from app.models.days import Day
from app.models.page import Page
from app.models.reflection import ReflectionSessionPublic, ReflectionSessionSummary
from app.reflections import service
from app.reflections.page import read_session, session_summary

router = APIRouter(prefix="/api/v1/sessions", tags=["sessions"])


class SessionIndicatorCreate(BaseModel):
    slug: str
    area: str | None = None


class ActionIn(BaseModel):
    description: str = Field(min_length=1, max_length=2_000)
    owner: str = Field(default="", max_length=200)
    due_on: Day | None = None


class SessionIn(BaseModel):
    held_on: Day
    title: str = Field(min_length=1, max_length=200)
    facilitator: str = Field(default="", max_length=200)
    participants: list[str] = []
    see: str = Field(default="", max_length=20_000)
    mean: str = Field(default="", max_length=20_000)
    do: str = Field(default="", max_length=20_000)
    indicators: list[SessionIndicatorCreate] = []
    narratives: list[int] = []
    actions: list[ActionIn] = []


@router.get("", response_model=Page[ReflectionSessionSummary])
def list_sessions(
    session: SessionDep,
    user: ViewerUser,
    limit: Limit = 100,
    offset: Offset = 0,
):
    """List sessions, latest first."""
    rows, total = service.list_sessions(session=session, limit=limit, offset=offset)
    return {"items": [session_summary(row) for row in rows], "total": total}


@router.post("", status_code=201, response_model=ReflectionSessionPublic)
def create_session(body: SessionIn, session: WriteSessionDep, user: EditorUser):
    """Log a session; the indicators' current values and signals are frozen with it."""
    data = service.SessionInput(
        held_on=body.held_on,
        title=body.title,
        facilitator=body.facilitator,
        participants=body.participants,
        see=body.see,
        mean=body.mean,
        do=body.do,
        indicators=[service.IndicatorChoice(item.slug, item.area) for item in body.indicators],
        narratives=body.narratives,
        actions=[service.ActionInput(a.description, a.owner, a.due_on) for a in body.actions],
    )
    reflection = service.create_session(session=session, data=data, user=user)
    return read_session(session=session, reflection=reflection).public()


@router.get("/{session_id}", response_model=ReflectionSessionPublic)
def get_session(session_id: int, session: SessionDep, user: ViewerUser):
    """One session with its frozen snapshot, stories and actions."""
    reflection = service.get_session(session=session, session_id=session_id)
    return read_session(session=session, reflection=reflection).public()
