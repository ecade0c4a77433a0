"""The learning agenda page (/learning)."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from sqlmodel import col, select
from starlette.responses import RedirectResponse

from app.deps import EditorUser, SessionDep, ViewerUser, WriteSessionDep
from app.forms import check_csrf
from app.i18n import N_, gettext
from app.models import Indicator
from app.sessions import learning
from app.templating import render, request_language

router = APIRouter(tags=["pages"], include_in_schema=False)

TEXT_REQUIRED = N_("Enter the question or hypothesis.")
TEXT_TOO_LONG = N_("The question can be at most 2,000 characters.")


def _page(request, session, text="", selected=(), errors=None, status_code=200):
    context = {
        "questions": learning.agenda(session=session),
        "indicator_options": [
            (row.slug, row.name) for row in session.exec(select(Indicator).order_by(Indicator.name))
        ],
        "text": text,
        "selected_indicators": list(selected),
        "errors": errors or {},
    }
    return render(request, "learning/index.html", context, status_code=status_code)


@router.get("/learning")
def agenda_page(request: Request, session: SessionDep, user: ViewerUser):
    """Show every question with its status history and evidence."""
    return _page(request, session)


@router.post("/learning")
def add_question(
    request: Request,
    session: WriteSessionDep,
    user: EditorUser,
    csrf_token: Annotated[str, Form()] = "",
    text: Annotated[str, Form(max_length=10_000)] = "",
    indicators: Annotated[list[str], Form()] = [],  # noqa: B006 - copied per request
):
    """Add a question; an empty or overlong text is refused with a message (422)."""
    check_csrf(request, csrf_token)
    message = TEXT_REQUIRED if not text.strip() else TEXT_TOO_LONG if len(text) > 2_000 else None
    if message:
        errors = {"text": gettext(request_language(request), message)}
        return _page(request, session, text, indicators, errors, 422)
    linked = session.exec(select(Indicator).where(col(Indicator.slug).in_(indicators))).all()
    learning.add_question(session=session, text=text, indicators=list(linked), user=user)
    return RedirectResponse("/learning", status_code=303)
