"""Council questions to half-year reports and the staff's answers.

A council member (role ``council``) asks a question of a report: the live report of a
half year (all themes, or one theme) or one frozen version. A question asked on the
live report moves with it when the report is frozen, so every frozen version keeps its
own questions; one asked on a frozen version stays with that version. Editors answer.
The next report lists the questions of the previous frozen report with their answers
(``earlier``), and freezes that list with itself.
"""

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, func, select

from app import audit
from app.audience import has_role, is_council
from app.figures.periods import Period
from app.i18n import N_
from app.models import FrozenReport, ReportQuestion, Role, Theme, User, utcnow
from app.problems import Forbidden, Invalid, NotFound
from app.reports.content import CouncilQuestionPart

#: Also said by the report service for an unknown frozen version.
UNKNOWN_VERSION = N_("There is no frozen report with that number for this half year.")

QUESTION_MAX = 2000
ANSWER_MAX = 20_000

NO_QUESTION = N_("There is no question %(id)s.")
EMPTY_QUESTION = N_("Write your question.")
LONG_QUESTION = N_("A question can be at most 2,000 characters.")
EMPTY_ANSWER = N_("Write the answer.")
LONG_ANSWER = N_("An answer can be at most 20,000 characters.")


def _clean(text: str) -> str:
    """The text as typed, without surrounding blanks; browsers send CRLF line breaks."""
    return text.replace("\r\n", "\n").strip()


def get(*, session: Session, question_id: int) -> ReportQuestion:
    """Return question ``question_id``; raise NotFound otherwise."""
    row = session.get(ReportQuestion, question_id)
    if row is None:
        raise NotFound(NO_QUESTION, id=question_id)
    return row


def frozen_version(*, session: Session, half: Period, version: int) -> FrozenReport:
    """The frozen report ``version`` of ``half``; NotFound when it belongs to none."""
    row = session.get(FrozenReport, version)
    if row is None or row.period != half.label:
        raise NotFound(UNKNOWN_VERSION)
    return row


def list_for(
    *,
    session: Session,
    half: Period | None,
    theme: Theme | None = None,
    version: int | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[ReportQuestion], int]:
    """The questions of one report, oldest first, and their total: those of frozen
    ``version``, or (``version`` None) those asked on the live report of ``half`` and
    scope ``theme`` that no frozen version holds yet; every question when ``half`` is
    None."""
    where: list[ColumnElement[bool]] = []
    if half is not None and version is not None:
        frozen_version(session=session, half=half, version=version)
        where = [col(ReportQuestion.frozen_report_id) == version]
    elif half is not None:
        where = [
            col(ReportQuestion.period) == half.label,
            col(ReportQuestion.theme_slug) == (theme.slug if theme else None),
            col(ReportQuestion.frozen_report_id).is_(None),
        ]
    query = select(ReportQuestion).where(*where)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    query = query.order_by(col(ReportQuestion.asked_at), col(ReportQuestion.id)).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return list(session.exec(query).all()), total


def ask(
    *,
    session: Session,
    half: Period,
    theme: Theme | None,
    version: int | None,
    question: str,
    user: User,
) -> ReportQuestion:
    """Put ``question`` to a report as council member ``user`` (Forbidden for anyone
    else; Invalid when empty or too long; NotFound for an unknown frozen version)."""
    if not is_council(user):
        raise Forbidden
    text = _clean(question)
    if not text:
        raise Invalid.at("question", EMPTY_QUESTION)
    if len(text) > QUESTION_MAX:
        raise Invalid.at("question", LONG_QUESTION)
    theme_slug = theme.slug if theme else None
    if version is not None:
        theme_slug = frozen_version(session=session, half=half, version=version).theme_slug
    row = ReportQuestion(
        period=half.label,
        theme_slug=theme_slug,
        frozen_report_id=version,
        question=text,
        asked_at=utcnow(),
        asked_by_id=user.id,
    )
    session.add(row)
    session.flush()
    audit.record(
        session=session, action="ask", entity="report_question", entity_id=row.id, user=user
    )
    return row


def answer(*, session: Session, question: ReportQuestion, text: str, user: User) -> ReportQuestion:
    """Record an editor's answer to ``question`` (a later answer replaces it)."""
    if not has_role(user, Role.editor):
        raise Forbidden
    text = _clean(text)
    if not text:
        raise Invalid.at("answer", EMPTY_ANSWER)
    if len(text) > ANSWER_MAX:
        raise Invalid.at("answer", LONG_ANSWER)
    question.answer = text
    question.answered_at = utcnow()
    question.answered_by_id = user.id
    session.add(question)
    session.flush()
    audit.record(
        session=session, action="answer", entity="report_question", entity_id=question.id, user=user
    )
    return question


def attach_to(*, session: Session, frozen: FrozenReport) -> None:
    """Give the live report's questions of ``frozen``'s half year and scope to the
    version just frozen: from now on that version keeps them."""
    for row in session.exec(
        select(ReportQuestion).where(
            ReportQuestion.period == frozen.period,
            ReportQuestion.theme_slug == frozen.theme_slug,
            col(ReportQuestion.frozen_report_id).is_(None),
        )
    ).all():
        row.frozen_report_id = frozen.id
        session.add(row)
    session.flush()


def part(row: ReportQuestion) -> CouncilQuestionPart:
    """A question as a report lists it."""
    return CouncilQuestionPart(
        id=row.id or 0,
        period=row.period,
        version=row.frozen_report_id,
        question=row.question,
        asked_on=row.asked_at.date(),
        answer=row.answer,
        answered_on=row.answered_at.date() if row.answered_at else None,
    )


def earlier(*, session: Session, frozen_id: int) -> list[CouncilQuestionPart]:
    """The questions of frozen report ``frozen_id`` with their answers so far."""
    rows = session.exec(
        select(ReportQuestion)
        .where(ReportQuestion.frozen_report_id == frozen_id)
        .order_by(col(ReportQuestion.asked_at), col(ReportQuestion.id))
    ).all()
    return [part(row) for row in rows]
