"""Story request pages: editors ask partners about a signal; staff read the answers."""

from datetime import date, timedelta

from fastapi import APIRouter, Request
from sqlmodel import Session, select
from starlette.responses import RedirectResponse

from app.deps import EditorUser, SessionDep, ViewerUser, WriteSessionDep, has_role
from app.forms import FormDep, check_csrf, refused
from app.models import Area, Indicator, Partner, Role
from app.narratives.requests import (
    answers,
    create_request,
    get_request,
    list_requests,
    request_view,
    validate_request,
)
from app.problems import Invalid
from app.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)

#: A new request stays open this long unless the editor picks another end date.
DEFAULT_OPEN = timedelta(days=28)
MAX_LISTED = 200


def _form(request: Request, session: Session, values: dict, errors: dict, status: int = 200):
    context = {
        "values": values,
        "errors": errors,
        "indicators": [
            (i.slug, i.name) for i in session.exec(select(Indicator).order_by(Indicator.name))
        ],
        "areas": [(a.code, a.name) for a in session.exec(select(Area).order_by(Area.name))],
        "partners": [(p.id, p.name) for p in session.exec(select(Partner).order_by(Partner.name))],
    }
    return render(request, "requests/new.html", context, status_code=status)


@router.get("/requests")
def requests_page(request: Request, session: SessionDep, user: ViewerUser):
    """List story requests, newest first, with how many answers came in."""
    items, total = list_requests(session=session, limit=MAX_LISTED)
    return render(request, "requests/list.html", {"items": items, "total": total})


@router.get("/requests/new")
def new_request(
    request: Request,
    session: SessionDep,
    user: EditorUser,
    indicator: str = "",
    area: str = "",
    period: str = "",
):
    """Show the request form, filled in from the signal it was opened from."""
    values = {
        "indicator": indicator,
        "area": area,
        "period": period,
        "closes_on": (date.today() + DEFAULT_OPEN).isoformat(),
        "partners": [],
    }
    return _form(request, session, values, {})


@router.post("/requests/new")
def add_request(request: Request, session: WriteSessionDep, user: EditorUser, form: FormDep):
    """Store a request and show it; bad input keeps what was typed, with messages."""
    check_csrf(request, form.get("csrf_token"))
    data = {k: v for k, v in form.items() if isinstance(v, str)}
    partners = form.getlist("partners")
    try:
        valid = validate_request(session=session, data=data, partners=partners)
    except Invalid as problem:
        errors = refused(request, session, problem)
        return _form(request, session, {**data, "partners": partners}, errors, 422)
    row = create_request(session=session, request=valid, user=user)
    return RedirectResponse(f"/requests/{row.id}", status_code=303)


@router.get("/requests/{request_id}")
def show_request(request: Request, request_id: int, session: SessionDep, user: ViewerUser):
    """Show a request with its answers (pending ones to editors only)."""
    row = get_request(session=session, request_id=request_id)
    editor = has_role(user, Role.editor)
    context = {
        "item": request_view(session, row),
        "answers": answers(session, row, published_only=not editor),
    }
    return render(request, "requests/show.html", context)
