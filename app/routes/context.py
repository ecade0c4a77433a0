"""Pages for external developments: /context (list with theme and period filters), one
development, and new, edit and delete for editors. Readable wherever figures are."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session, col, select

from app.context import events
from app.context.events import EventIn
from app.deps import EditorUser, Reader, SessionDep, WriteSessionDep, has_role
from app.forms import check_csrf, refused
from app.ids import posted_id
from app.models import Area, AreaKind, ContextEvent, Indicator, ReflectionSession, Role, Theme
from app.narratives.rendering import render_markdown
from app.problems import Invalid
from app.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)


def _event(session: Session, event_id: int) -> ContextEvent:
    return events.get_event(session=session, event_id=event_id)


def _names(session: Session) -> dict[str, dict[str, str]]:
    """Display names of themes, indicators and areas by the keys the API uses."""
    return {
        "themes": dict(session.exec(select(Theme.slug, Theme.name)).all()),
        "indicators": dict(session.exec(select(Indicator.slug, Indicator.name)).all()),
        "areas": dict(session.exec(select(Area.code, Area.name)).all()),
    }


def _shown(session: Session, rows: list[ContextEvent]) -> list[dict]:
    """Each development as the list and detail pages show it (description rendered safely)."""
    sessions = {
        s.id: s
        for s in session.exec(
            select(ReflectionSession).where(
                col(ReflectionSession.id).in_([row.session_id for row in rows if row.session_id])
            )
        ).all()
    }
    return [
        {
            "event": out,
            "description": render_markdown(out.description),
            "noted_in": sessions.get(out.session) if out.session is not None else None,
        }
        for out in events.describe(session=session, events=rows)
    ]


@router.get("/context")
def context_page(
    request: Request,
    session: SessionDep,
    user: Reader,
):
    """List the developments, latest first, filtered by theme and period (from, to)."""
    params = request.query_params
    filters = {key: params.get(key, "")[:60] for key in ("theme", "from", "to")}
    errors: dict[str, str] = {}
    try:
        rows, total = events.list_events(
            session=session,
            theme=filters["theme"],
            start=filters["from"],
            end=filters["to"],
            limit=1000,
        )
    except Invalid as problem:
        errors = refused(request, session, problem)
        rows, total = [], 0
    themes = session.exec(select(Theme.slug, Theme.name).order_by(Theme.name)).all()
    return render(
        request,
        "context/list.html",
        {
            "items": _shown(session, rows),
            "total": total,
            "filters": filters,
            "filter_errors": errors,
            "theme_options": list(themes),
            "names": _names(session),
            "can_edit": has_role(user, Role.editor),
        },
        status_code=422 if errors else 200,
    )


def _form_page(
    request: Request,
    session: Session,
    form: dict,
    errors: dict[str, str],
    *,
    action: str,
    event: ContextEvent | None = None,
    status: int = 200,
):
    themes = session.exec(select(Theme.slug, Theme.name).order_by(Theme.name)).all()
    indicators = session.exec(select(Indicator.slug, Indicator.name).order_by(Indicator.name))
    areas = session.exec(
        select(Area.code, Area.name).where(Area.kind != AreaKind.municipality).order_by(Area.name)
    ).all()
    meetings = session.exec(
        select(ReflectionSession).order_by(col(ReflectionSession.held_on).desc())
    ).all()
    return render(
        request,
        "context/form.html",
        {
            "form": form,
            "errors": errors,
            "action": action,
            "event": event,
            "theme_options": list(themes),
            "indicator_options": list(indicators.all()),
            "area_options": list(areas),
            "session_options": [(m.id, f"{m.held_on.isoformat()} {m.title}") for m in meetings],
        },
        status_code=status,
    )


class EventForm:
    """The posted fields, named as the API names them."""

    def __init__(
        self,
        title: Annotated[str, Form(max_length=10_000)] = "",
        start: Annotated[str, Form(max_length=200)] = "",
        end: Annotated[str, Form(max_length=200)] = "",
        description: Annotated[str, Form(max_length=40_000)] = "",
        themes: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies defaults)
        indicators: Annotated[list[str], Form()] = [],  # noqa: B006
        areas: Annotated[list[str], Form()] = [],  # noqa: B006
        is_break: Annotated[str, Form(max_length=10)] = "",
        session: Annotated[str, Form(max_length=40)] = "",
        csrf_token: Annotated[str, Form()] = "",
    ) -> None:
        self.csrf_token = csrf_token
        self.values = {
            "title": title,
            "start": start.strip(),
            "end": end.strip(),
            "description": description,
            "themes": themes,
            "indicators": indicators,
            "areas": areas,
            "is_break": bool(is_break),
            "session": session.strip(),
        }

    def data(self) -> EventIn:
        values = self.values
        return EventIn(
            **{**values, "end": values["end"] or None, "session": posted_id(values["session"])}
        )


@router.get("/context/new")
def new_event_page(request: Request, session: SessionDep, user: EditorUser):
    """The form for a new development."""
    form = {"themes": [], "indicators": [], "areas": [], "is_break": False, "session": ""}
    if (theme := request.query_params.get("theme")) is not None:
        form["themes"] = [theme]
    return _form_page(request, session, form, {}, action="/context")


@router.post("/context")
def create_event(
    request: Request,
    session: WriteSessionDep,
    user: EditorUser,
    form: Annotated[EventForm, Depends()],
):
    """Record a development; on bad input show the form again with the problems (422)."""
    check_csrf(request, form.csrf_token)
    try:
        event = events.create_event(session=session, data=form.data(), user=user)
    except Invalid as problem:
        errors = refused(request, session, problem)
        return _form_page(request, session, form.values, errors, action="/context", status=422)
    return RedirectResponse(f"/context/{event.id}", status_code=303)


@router.get("/context/{event_id}")
def event_page(request: Request, session: SessionDep, user: Reader, event_id: int):
    """One development with what it touches."""
    event = _event(session, event_id)
    return render(
        request,
        "context/detail.html",
        {
            "item": _shown(session, [event])[0],
            "names": _names(session),
            "can_edit": has_role(user, Role.editor),
        },
    )


@router.get("/context/{event_id}/edit")
def edit_event_page(request: Request, session: SessionDep, user: EditorUser, event_id: int):
    """The form of an existing development, with a button to delete it."""
    event = _event(session, event_id)
    form = events.as_input(session, event).model_dump()
    form["end"] = form["end"] or ""
    form["session"] = form["session"] or ""
    return _form_page(request, session, form, {}, action=f"/context/{event_id}", event=event)


@router.post("/context/{event_id}")
def update_event(
    request: Request,
    session: WriteSessionDep,
    user: EditorUser,
    event_id: int,
    form: Annotated[EventForm, Depends()],
):
    """Save a development; on bad input show the form again, nothing changed (422)."""
    check_csrf(request, form.csrf_token)
    event = _event(session, event_id)
    changes = events.EventPatch(**form.data().model_dump())
    try:
        events.update_event(session=session, event=event, changes=changes, user=user)
    except Invalid as problem:
        errors = refused(request, session, problem)
        action = f"/context/{event_id}"
        return _form_page(
            request, session, form.values, errors, action=action, event=event, status=422
        )
    return RedirectResponse(f"/context/{event_id}", status_code=303)


@router.post("/context/{event_id}/delete")
def delete_event(
    request: Request,
    session: WriteSessionDep,
    user: EditorUser,
    event_id: int,
    csrf_token: Annotated[str, Form()] = "",
):
    """Remove a development and go back to the list."""
    check_csrf(request, csrf_token)
    events.delete_event(session=session, event=_event(session, event_id), user=user)
    return RedirectResponse("/context", status_code=303)
