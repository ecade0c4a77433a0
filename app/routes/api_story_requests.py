"""JSON API for story requests (DESIGN.md: GET/POST /api/v1/story-requests)."""

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.deps import EditorUser, Limit, Offset, SessionDep, ViewerUser, WriteSessionDep, has_role
from app.models import Role
from app.models.days import Day
from app.models.page import Page
from app.narratives.requests import (
    QUESTION_MAX,
    RequestView,
    answers,
    create_request,
    get_request,
    list_requests,
    request_view,
    validate_request,
)

router = APIRouter(prefix="/api/v1/story-requests", tags=["story requests"])


class StoryRequestIn(BaseModel):
    """A question to partners (or residents) about a signal."""

    question: str = Field(max_length=QUESTION_MAX)
    indicator: str = Field(description="Slug of the indicator the signal is in.")
    area: str | None = Field(default=None, description="Area code; none = whole municipality.")
    period: str | None = Field(default=None, description="Period of the signal, e.g. 2025-09.")
    partners: list[int] = Field(default=[], description="Partner ids; none = all partners.")
    public: bool = Field(default=False, description="Also shown on the public story form.")
    closes_on: Day | None = Field(default=None, description="Last day answers are accepted.")


class StoryRequestPublic(BaseModel):
    """A story request as the API answers it."""

    id: int
    question: str
    indicator: str = Field(description="Slug of the indicator.")
    area: str | None = Field(description="Area code; null: the whole municipality.")
    period: str | None
    partners: list[int] = Field(description="Partner ids; empty: all partners.")
    public: bool
    closes_on: str | None
    open: bool
    answers: int = Field(description="Stories that answer it, pending ones included.")
    published_answers: int
    created_at: str
    url: str


class StoryRequestWithAnswers(StoryRequestPublic):
    answer_ids: list[int] = Field(description="Its answers this reader may see.")


def request_data(view: RequestView) -> dict:
    """The JSON shape of one request."""
    row = view.request
    return {
        "id": row.id,
        "question": row.question,
        "indicator": view.indicator.slug,
        "area": view.area.code if view.area else None,
        "period": view.period.label if view.period else None,
        "partners": [p.id for p in view.partners],
        "public": row.public,
        "closes_on": row.closes_on.isoformat() if row.closes_on else None,
        "open": view.is_open(),
        "answers": view.answers,
        "published_answers": view.published,
        "created_at": row.created_at.isoformat(),
        "url": f"/requests/{row.id}",
    }


@router.get("", response_model=Page[StoryRequestPublic])
def list_story_requests(
    session: SessionDep,
    user: ViewerUser,
    open: bool = False,
    limit: Limit = 100,
    offset: Offset = 0,
):
    """List story requests, newest first; ``open=true`` leaves out closed ones."""
    items, total = list_requests(session=session, open_only=open, limit=limit, offset=offset)
    return {"items": [request_data(v) for v in items], "total": total}


@router.post("", status_code=201, response_model=StoryRequestPublic)
def create_story_request(body: StoryRequestIn, session: WriteSessionDep, user: EditorUser):
    """Ask partners for stories about a signal; 422 names each bad field."""
    data = body.model_dump(mode="json", exclude={"partners"})
    valid = validate_request(session=session, data=data, partners=body.partners)
    row = create_request(session=session, request=valid, user=user)
    return request_data(request_view(session, row))


@router.get("/{request_id}", response_model=StoryRequestWithAnswers)
def get_story_request(request_id: int, session: SessionDep, user: ViewerUser):
    """One request with the ids of its answers (pending ones to editors only)."""
    row = get_request(session=session, request_id=request_id)
    stories = answers(session, row, published_only=not has_role(user, Role.editor))
    return {
        **request_data(request_view(session, row)),
        "answer_ids": [s.id for s in stories],
    }
