"""JSON API for external developments (DESIGN.md: /api/v1/context-events).

Handlers translate HTTP to ``app.context.events`` and its errors to 404 and 422; a 422
lists every bad field as ``{"loc": ["body", field], "msg", "type"}``, nothing stored.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query

from app.context import events
from app.context.events import EventIn, EventOut, EventPatch
from app.deps import EditorUser, Limit, Offset, Reader, SessionDep, WriteSessionDep
from app.models import ContextEvent
from app.routes.api_figures import Page

router = APIRouter(prefix="/api/v1/context-events", tags=["context"])


def event_by_id(event_id: int, session: SessionDep) -> ContextEvent:
    """Look up the development named in the path, or answer 404."""
    event = session.get(ContextEvent, event_id)
    if event is None:
        raise HTTPException(404, detail=f"No development with id {event_id}.")
    return event


EventDep = Annotated[ContextEvent, Depends(event_by_id)]


def invalid(errors: dict[str, tuple[str, dict]]) -> HTTPException:
    """A 422 naming every bad field, in English like the rest of the API."""
    detail = [
        {"loc": ["body", name], "msg": message % values, "type": "value_error"}
        for name, (message, values) in errors.items()
    ]
    return HTTPException(422, detail=detail)


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
    try:
        rows, total = events.list_events(
            session=session, theme=theme, start=start, end=end, limit=limit, offset=offset
        )
    except events.FilterInvalid as error:
        detail = [{"loc": ["query", error.field], "msg": str(error), "type": "value_error"}]
        raise HTTPException(422, detail=detail) from None
    return {"items": events.describe(session=session, events=rows), "total": total}


@router.post("", response_model=EventOut, status_code=201)
def create_event(data: EventIn, session: WriteSessionDep, user: EditorUser):
    """Record a development; ``is_break`` starts a new segment for every figure it touches."""
    try:
        event = events.create_event(session=session, data=data, user=user)
    except events.EventInvalid as error:
        raise invalid(error.errors) from None
    return events.describe(session=session, events=[event])[0]


@router.get("/{event_id}", response_model=EventOut)
def get_event(event: EventDep, session: SessionDep, reader: Reader):
    """One development."""
    return events.describe(session=session, events=[event])[0]


@router.patch("/{event_id}", response_model=EventOut)
def update_event(event_id: int, changes: EventPatch, session: WriteSessionDep, user: EditorUser):
    """Change the fields given; lists (themes, indicators, areas) are replaced whole."""
    event = event_by_id(event_id, session)
    try:
        events.update_event(session=session, event=event, changes=changes, user=user)
    except events.EventInvalid as error:
        session.rollback()
        raise invalid(error.errors) from None
    return events.describe(session=session, events=[event])[0]


@router.delete("/{event_id}", status_code=204)
def delete_event(event_id: int, session: WriteSessionDep, user: EditorUser) -> None:
    """Remove a development; the figures it broke go back to one segment there."""
    events.delete_event(session=session, event=event_by_id(event_id, session), user=user)
