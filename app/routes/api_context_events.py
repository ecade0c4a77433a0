"""JSON API for external developments (DESIGN.md: /api/v1/context-events).

Handlers translate HTTP to ``app.context.events``; its problems (``Invalid``: a 422 that
lists every bad field, nothing stored) are answered by the one error handler.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.context import events
from app.context.events import EventIn, EventOut, EventPatch
from app.deps import EditorUser, Limit, Offset, Reader, SessionDep, WriteSessionDep
from app.models import ContextEvent
from app.models.page import Page

router = APIRouter(prefix="/api/v1/context-events", tags=["context"])


def event_by_id(event_id: int, session: SessionDep) -> ContextEvent:
    """Look up the development named in the path, or answer 404."""
    return events.get_event(session=session, event_id=event_id)


EventDep = Annotated[ContextEvent, Depends(event_by_id)]


@router.get("", response_model=Page[EventOut])
def list_events(
    session: SessionDep,
    reader: Reader,
    theme: Annotated[str | None, Query(description="A theme slug.", max_length=60)] = None,
    start: Annotated[
        str | None, Query(alias="from", description="Overlapping from this period.", max_length=40)
    ] = None,
    end: Annotated[
        str | None, Query(alias="to", description="Overlapping up to this period.", max_length=40)
    ] = None,
    limit: Limit = 100,
    offset: Offset = 0,
):
    """List developments, latest start first, optionally of one theme and period range."""
    rows, total = events.list_events(
        session=session, theme=theme, start=start, end=end, limit=limit, offset=offset
    )
    return {"items": events.describe(session=session, events=rows), "total": total}


@router.post("", response_model=EventOut, status_code=201)
def create_event(data: EventIn, session: WriteSessionDep, user: EditorUser):
    """Record a development; ``is_break`` starts a new segment for every figure it touches."""
    event = events.create_event(session=session, data=data, user=user)
    return events.describe(session=session, events=[event])[0]


@router.get("/{event_id}", response_model=EventOut)
def get_event(event: EventDep, session: SessionDep, reader: Reader):
    """One development."""
    return events.describe(session=session, events=[event])[0]


@router.patch("/{event_id}", response_model=EventOut)
def update_event(event_id: int, changes: EventPatch, session: WriteSessionDep, user: EditorUser):
    """Change the fields given; lists (themes, indicators, areas) are replaced whole."""
    event = event_by_id(event_id, session)
    events.update_event(session=session, event=event, changes=changes, user=user)
    return events.describe(session=session, events=[event])[0]


@router.delete("/{event_id}", status_code=204)
def delete_event(event_id: int, session: WriteSessionDep, user: EditorUser) -> None:
    """Remove a development; the figures it broke go back to one segment there."""
    events.delete_event(session=session, event=event_by_id(event_id, session), user=user)
