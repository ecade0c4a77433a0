"""The learning agenda (/learning), one question's page (/learning/{id}) with its wording
history, status steps and expected movements, and the API twin /api/v1/learning-questions."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session, select

from app.deps import EditorUser, Limit, Offset, SessionDep, ViewerUser, WriteSessionDep, has_role
from app.forms import FormDep, check_csrf, refused
from app.models import Area, AreaKind, Indicator, LearningQuestion, ReflectionSession, Role, Theme
from app.models.page import Page
from app.problems import Invalid
from app.reflections import learning
from app.reflections.learning import MovementIn, QuestionIn, QuestionOut, QuestionPatch
from app.templating import render, say

router = APIRouter(tags=["pages"], include_in_schema=False)
api = APIRouter(prefix="/api/v1/learning-questions", tags=["learning"])


def _options(session: Session) -> dict:
    return {
        "indicator_options": list(
            session.exec(select(Indicator.slug, Indicator.name).order_by(Indicator.name)).all()
        ),
        "theme_options": list(
            session.exec(select(Theme.slug, Theme.name).order_by(Theme.name)).all()
        ),
        "area_options": list(
            session.exec(
                select(Area.code, Area.name)
                .where(Area.kind != AreaKind.municipality)
                .order_by(Area.name)
            ).all()
        ),
    }


def _page(request, session, form=None, errors=None, status_code=200):
    context = {
        "questions": learning.agenda(session=session),
        **_options(session),
        "form": form or {"text": "", "themes": [], "indicators": []},
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
    themes: Annotated[list[str], Form()] = [],  # noqa: B006 - copied per request
    indicators: Annotated[list[str], Form()] = [],  # noqa: B006
):
    """Add a question with its first version; bad input is refused at its field (422)."""
    check_csrf(request, csrf_token)
    form = {"text": text, "themes": themes, "indicators": indicators}
    try:
        question = learning.create_question(session=session, data=QuestionIn(**form), user=user)
    except Invalid as problem:
        return _page(request, session, form, refused(request, session, problem), 422)
    return RedirectResponse(f"/learning/{question.id}", status_code=303)


def _detail_page(
    request, session, question: LearningQuestion, user, forms=None, errors=None, status=200
):
    detail = learning.describe_question(session=session, question=question)
    names = {
        "themes": dict(session.exec(select(Theme.slug, Theme.name)).all()),
        "indicators": dict(session.exec(select(Indicator.slug, Indicator.name)).all()),
        "areas": dict(session.exec(select(Area.code, Area.name)).all()),
    }
    held = {
        s.id: s
        for s in session.exec(select(ReflectionSession)).all()
        if s.id in {step.session for step in [*detail.versions, *detail.statuses]}
    }
    return render(
        request,
        "learning/show.html",
        {
            "detail": detail,
            "names": names,
            "held": held,
            **_options(session),
            "forms": forms
            or {
                "reword": {"text": detail.text, "reason": ""},
                "status": {"status": detail.status, "reason": ""},
                "expected": {
                    "indicator": "",
                    "area": "",
                    "direction": "down",
                    "within_months": "12",
                },
            },
            "errors": errors or {},
            "can_edit": has_role(user, Role.editor),
        },
        status_code=status,
    )


@router.get("/learning/{question_id}")
def question_page(request: Request, session: SessionDep, user: ViewerUser, question_id: int):
    """One question: wording history, status steps, expected movements beside their signals."""
    question = learning.get_question(session=session, question_id=question_id)
    return _detail_page(request, session, question, user)


@router.post("/learning/{question_id}")
def change_question(
    request: Request, session: WriteSessionDep, user: EditorUser, question_id: int, posted: FormDep
):
    """Reword it, move its status, or add an expected movement (``action`` says which)."""
    check_csrf(request, str(posted.get("csrf_token", "")))
    question = learning.get_question(session=session, question_id=question_id)
    action = str(posted.get("action", ""))
    values = {
        key: str(posted.get(key, ""))[:10_000]
        for key in ("text", "status", "reason", "indicator", "area", "direction", "within_months")
    }
    detail = learning.describe_question(session=session, question=question)
    forms = {
        "reword": {"text": detail.text, "reason": ""},
        "status": {"status": detail.status, "reason": ""},
        "expected": {"indicator": "", "area": "", "direction": "down", "within_months": "12"},
    }
    try:
        if action == "reword":
            forms["reword"] = {"text": values["text"], "reason": values["reason"]}
            changes = QuestionPatch(text=values["text"], reason=values["reason"])
        elif action == "status":
            forms["status"] = {"status": values["status"], "reason": values["reason"]}
            changes = QuestionPatch(status=values["status"], reason=values["reason"])
        else:
            forms["expected"] = {
                k: values[k] for k in ("indicator", "area", "direction", "within_months")
            }
            months = values["within_months"].strip()
            added = MovementIn(
                indicator=values["indicator"],
                area=values["area"] or None,
                direction=values["direction"],
                within_months=int(months)
                if months.isascii() and months.isdigit() and len(months) < 4
                else 0,
            )
            kept = [MovementIn(**{**m.model_dump(exclude={"evidence"})}) for m in detail.expected]
            changes = QuestionPatch(expected=[*kept, added])
        learning.update_question(session=session, question=question, changes=changes, user=user)
    except Invalid as problem:
        session.rollback()
        # A new movement's problems (expected.N.indicator...) show at the form's fields.
        errors = {
            error.field.split(".")[-1]: say(request, error.message) for error in problem.errors
        }
        if action == "status" and "reason" in errors:  # the status form's own reason field
            errors["status_reason"] = errors.pop("reason")
        return _detail_page(request, session, question, user, forms, errors, 422)
    return RedirectResponse(f"/learning/{question_id}", status_code=303)


@api.get("", response_model=Page[QuestionOut])
def list_questions(session: SessionDep, user: ViewerUser, limit: Limit = 100, offset: Offset = 0):
    """List the learning questions, newest first, each with its versions and statuses."""
    rows, total = learning.list_questions(session=session, limit=limit, offset=offset)
    return {
        "items": [learning.describe_question(session=session, question=q) for q in rows],
        "total": total,
    }


@api.post("", response_model=QuestionOut, status_code=201)
def create_question(data: QuestionIn, session: WriteSessionDep, user: EditorUser):
    """Put a question or hypothesis on the agenda, with its expected movements."""
    question = learning.create_question(session=session, data=data, user=user)
    return learning.describe_question(session=session, question=question)


@api.get("/{question_id}", response_model=QuestionOut)
def get_question(question_id: int, session: SessionDep, user: ViewerUser):
    """One question with who changed its wording and status, when and why."""
    question = learning.get_question(session=session, question_id=question_id)
    return learning.describe_question(session=session, question=question)


@api.patch("/{question_id}", response_model=QuestionOut)
def update_question(
    question_id: int, changes: QuestionPatch, session: WriteSessionDep, user: EditorUser
):
    """Reword or move the status (each needs ``reason``), or replace links and movements."""
    question = learning.get_question(session=session, question_id=question_id)
    learning.update_question(session=session, question=question, changes=changes, user=user)
    return learning.describe_question(session=session, question=question)
