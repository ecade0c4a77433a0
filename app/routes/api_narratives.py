"""JSON API for stories (DESIGN.md: GET/POST /api/v1/narratives, GET/PATCH /{id})."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from app.deps import (
    AudienceDep,
    EditorUser,
    Limit,
    Offset,
    Reader,
    SessionDep,
    WriteSessionDep,
)
from app.figures.periods import period_range
from app.models import Narrative, Role
from app.models.narrative import (
    AuthorRole,
    LinkRelation,
    NarrativePublic,
    NarrativeSource,
    NarrativeStatus,
)
from app.models.page import Page
from app.narratives.export import list_stories, stories_data, story_data
from app.narratives.moderation import Decision, moderate, pending_story
from app.narratives.reach import may_read
from app.narratives.submission import NO_STORY, format_period, store_story, validate_story
from app.problems import NotFound

router = APIRouter(prefix="/api/v1/narratives", tags=["narratives"])


class NarrativeIn(BaseModel):
    """A story written or imported by staff."""

    title: str
    body: str
    occurred: str = Field(description="A month (2024-03) or a day (2024-03-15).")
    author_role: AuthorRole
    organisation: str = ""
    area: str | None = None
    themes: list[str] = []
    indicators: list[str] = []
    relation: LinkRelation = LinkRelation.context
    assessment: Literal["better", "worse", "mixed", "unclear"] | None = None
    significance: str = Field(
        default="", max_length=2_000, description="Why this is important to the submitter."
    )
    domain: int | None = Field(
        default=None, description="The id of a domain of change (see the theme's domains)."
    )
    status: Literal["pending", "published"] = "pending"
    consent_reach: Literal["internal", "council", "public"] = "internal"


class NarrativePatch(BaseModel):
    """A moderation decision, optionally with a redacted text and new links."""

    status: Literal["published", "hidden"]
    title: str | None = None
    body: str | None = None
    occurred: str | None = None
    area: str | None = None
    themes: list[str] | None = None
    indicators: list[str] | None = None
    relation: LinkRelation | None = None
    reason: str | None = Field(
        default=None,
        max_length=2_000,
        description="The editor's note to the submitter (why it is or is not published); "
        "the submitting partner reads it on their own page.",
    )


def _validated(session, data: dict, themes: list[str], indicators: list[str]):
    return validate_story(
        session=session,
        data=data,
        themes=themes,
        indicators=indicators,
        require_consent=False,
        roles=list(AuthorRole),
    )


def _visible(session, narrative_id: int, user) -> Narrative:
    story = session.get(Narrative, narrative_id)
    if story is None or not may_read(story, user):
        raise NotFound(NO_STORY, id=narrative_id)
    return story


@router.get("", response_model=Page[NarrativePublic])
def list_narratives(
    session: SessionDep,
    audience: AudienceDep,
    status: NarrativeStatus | None = None,
    theme: str | None = None,
    area: str | None = None,
    indicator: str | None = None,
    from_: Annotated[str | None, Query(alias="from")] = None,
    to: str | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
):
    """List stories; only editors see pending and hidden ones, and anonymous readers
    (``DUIDING_PUBLIC_READ``) only those whose submitters allowed public reach."""
    if not audience.has_role(Role.editor):
        status = NarrativeStatus.published
    start, end = period_range(from_, to)
    stories, total = list_stories(
        session=session,
        status=status,
        reach=audience.reach,
        theme=theme,
        area=area,
        indicator=indicator,
        start=start,
        end=end,
        limit=limit,
        offset=offset,
    )
    return {"items": stories_data(session, stories), "total": total}


@router.post("", status_code=201, response_model=NarrativePublic)
def create_narrative(body: NarrativeIn, session: WriteSessionDep, user: EditorUser):
    """Store a staff story (pending, or published at once)."""
    data = body.model_dump(mode="json", exclude={"themes", "indicators", "relation"})
    story = _validated(session, {k: v or "" for k, v in data.items()}, body.themes, body.indicators)
    narrative, _ = store_story(
        session=session,
        story=story,
        source=NarrativeSource.staff,
        status=NarrativeStatus(body.status),
        relation=body.relation,
        user=user,
    )
    return story_data(session, narrative)


@router.get("/{narrative_id}", response_model=NarrativePublic)
def get_narrative(narrative_id: int, session: SessionDep, user: Reader):
    """Return one story (pending and hidden ones to editors only; to anonymous readers
    only a published story with public reach)."""
    return story_data(session, _visible(session, narrative_id, user))


@router.patch("/{narrative_id}", response_model=NarrativePublic)
def patch_narrative(
    narrative_id: int, body: NarrativePatch, session: WriteSessionDep, user: EditorUser
):
    """Moderate a story: publish or hide it, with an optional redaction and links."""
    story = _visible(session, narrative_id, user)
    current = pending_story(session, story)
    data = {
        "title": body.title if body.title is not None else story.title,
        "body": body.body if body.body is not None else story.body,
        "occurred": body.occurred or format_period(story.occurred_on, story.occurred_frequency),
        "area": body.area if body.area is not None else current.area_code,
        "author_role": story.author_role.value,
    }
    edited = _validated(
        session,
        data,
        body.themes if body.themes is not None else current.theme_slugs,
        body.indicators if body.indicators is not None else current.indicator_slugs,
    )
    decision = Decision.publish if body.status == "published" else Decision.hide
    moderate(
        session=session,
        story=story,
        decision=decision,
        edited=edited,
        relation=body.relation or current.relation,
        user=user,
        note=body.reason,
    )
    return story_data(session, story)
