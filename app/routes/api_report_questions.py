"""JSON API for council questions to half-year reports (GET/POST
/api/v1/report-questions, GET/PATCH /api/v1/report-questions/{id})."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlmodel import Session

from app.audience import has_role
from app.deps import CouncilUser, EditorUser, Limit, Offset, Reader, SessionDep, WriteSessionDep
from app.figures.themes import get_theme
from app.models import ReportQuestion, Role, Theme, User
from app.models.page import Page
from app.reports import questions
from app.reports.build import half_year

router = APIRouter(prefix="/api/v1/report-questions", tags=["reports"])


class ReportQuestionCreate(BaseModel):
    """A council member's question to a report: the live one, or a frozen version."""

    period: str = Field(max_length=20, description="The half year, e.g. 2024-H1.")
    theme: str | None = Field(default=None, max_length=80, description="Theme slug of the report.")
    version: int | None = Field(default=None, ge=1, description="Id of a frozen report.")
    question: str = Field(max_length=questions.QUESTION_MAX)


class ReportQuestionUpdate(BaseModel):
    """The staff's answer."""

    answer: str = Field(max_length=questions.ANSWER_MAX)


class ReportQuestionPublic(BaseModel):
    id: int
    period: str
    theme: str | None = Field(description="Theme slug; null: the report of all themes.")
    version: int | None = Field(description="The frozen report it belongs to; null: live.")
    question: str
    asked_at: datetime
    asked_by: str | None = Field(description="The asker's e-mail address, for editors only.")
    answer: str
    answered_at: datetime | None
    url: str


def question_data(session: Session, row: ReportQuestion, user: User | None) -> dict:
    """The JSON shape of one question; who asked it only for editors (contact details)."""
    asker = session.get(User, row.asked_by_id) if row.asked_by_id else None
    suffix = f"?version={row.frozen_report_id}" if row.frozen_report_id else ""
    if not row.frozen_report_id and row.theme_slug:
        suffix = f"?theme={row.theme_slug}"
    return {
        "id": row.id,
        "period": row.period,
        "theme": row.theme_slug,
        "version": row.frozen_report_id,
        "question": row.question,
        "asked_at": row.asked_at,
        "asked_by": asker.email if asker and has_role(user, Role.editor) else None,
        "answer": row.answer,
        "answered_at": row.answered_at,
        "url": f"/reports/{row.period}{suffix}#question-{row.id}",
    }


def _theme(session: Session, slug: str | None) -> Theme | None:
    return get_theme(session=session, slug=slug) if slug else None


@router.get("", response_model=Page[ReportQuestionPublic])
def list_report_questions(
    session: SessionDep,
    user: Reader,
    period: Annotated[
        str | None, Query(max_length=20, description="Half year, e.g. 2024-H1; none: all.")
    ] = None,
    theme: Annotated[str | None, Query(max_length=80, description="Theme slug.")] = None,
    version: Annotated[int | None, Query(ge=1, description="Id of a frozen report.")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
):
    """The questions of one report (``period`` with ``theme`` or frozen ``version``),
    or of every report without ``period``, oldest first."""
    half = half_year(period) if period else None
    rows, total = questions.list_for(
        session=session,
        half=half,
        theme=_theme(session, theme),
        version=version,
        limit=limit,
        offset=offset,
    )
    return {"items": [question_data(session, row, user) for row in rows], "total": total}


@router.post("", status_code=201, response_model=ReportQuestionPublic)
def ask_report_question(body: ReportQuestionCreate, session: WriteSessionDep, user: CouncilUser):
    """Put a question to a report (council members only); 422 names each bad field."""
    row = questions.ask(
        session=session,
        half=half_year(body.period),
        theme=_theme(session, body.theme),
        version=body.version,
        question=body.question,
        user=user,
    )
    return question_data(session, row, user)


@router.get("/{question_id}", response_model=ReportQuestionPublic)
def get_report_question(question_id: int, session: SessionDep, user: Reader):
    """One question with its answer."""
    return question_data(session, questions.get(session=session, question_id=question_id), user)


@router.patch("/{question_id}", response_model=ReportQuestionPublic)
def answer_report_question(
    question_id: int, body: ReportQuestionUpdate, session: WriteSessionDep, user: EditorUser
):
    """Answer a question (editors); a later answer replaces the earlier one."""
    row = questions.get(session=session, question_id=question_id)
    questions.answer(session=session, question=row, text=body.answer, user=user)
    return question_data(session, row, user)
