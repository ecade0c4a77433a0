"""Half-year reports: the page, its Markdown and PDF downloads, introductions, freezing.

The page and its downloads read one ``ShownReport`` (``app.reports.page``), a live one
with its charts in the request's language; the page itself is a ``ReportPage``."""

import re
from datetime import date, timedelta
from functools import partial
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy import func
from sqlmodel import Session, col, select
from starlette.responses import RedirectResponse, Response

from app.deps import CouncilUser, EditorUser, Reader, SessionDep, WriteSessionDep
from app.figures.periods import Period, period_of
from app.figures.themes import get_theme
from app.forms import FilterErrors, FormDep, check_csrf, refused
from app.ids import posted_id
from app.models import Frequency, Observation, Theme, User
from app.narratives.rendering import render_markdown as story_html
from app.problems import Invalid, NotFound
from app.reports import questions, service
from app.reports.build import half_year
from app.reports.changes import describe
from app.reports.content import Report
from app.reports.page import ShownReport, build_report_page, read_report, theme_names
from app.templating import render, render_text, request_language

router = APIRouter(tags=["pages"], include_in_schema=False)

#: Half years listed on the reports page.
LISTED = 10


def _half(text: str) -> Period:
    return half_year(text)


def _theme(session: Session, slug: str) -> Theme | None:
    return get_theme(session=session, slug=slug) if slug else None


def _text_context(shown: ShownReport, lang: str, charts: bool = False) -> dict:
    """What the report templates need besides the report itself."""
    return {
        "report": shown.report,
        "version": shown.version,
        "charts": charts,
        "describe": lambda change: describe(change, lang),
    }


def _markdown(request: Request, shown: ShownReport, charts: bool) -> str:
    """The report as Markdown; blank lines the template leaves are folded."""
    context = _text_context(shown, request_language(request), charts=charts)
    text = render_text(request, "reports/report.md", context)
    text = re.sub(r"\n[ \t]*(\n[ \t]*)+\n", "\n\n", text)
    return re.sub(r"(?m)^(- .*)\n\n(?=- )", r"\1\n", text).strip() + "\n"


def _file_name(report: Report, version: int | None, suffix: str) -> str:
    parts = ["rapportage", report.period, report.theme, f"v{version}" if version else None]
    return "-".join(part for part in parts if part) + suffix


def _has_figures(session: Session, half: Period) -> bool:
    """Whether any value was measured in ``half``."""
    found = select(Observation.id).where(
        col(Observation.period_start) >= half.start, col(Observation.period_start) <= half.end
    )
    return session.exec(found.limit(1)).first() is not None


@router.get("/reports")
def report_list(request: Request, session: SessionDep, user: Reader):
    """List recent half years and the reports frozen for them."""
    first = session.exec(select(func.min(Observation.period_start))).one()
    today = date.today()
    current = period_of(today, Frequency.half)
    halves = [current]
    while len(halves) < LISTED and first and halves[-1].start > first:
        halves.append(period_of(halves[-1].start - timedelta(days=1), Frequency.half))
    listed = [(h, service.frozen_versions(session=session, half=h)) for h in halves]
    themes = list(session.exec(select(Theme).order_by(Theme.name)).all())
    return render(
        request,
        "reports/index.html",
        {
            # a half year without figures and never frozen has nothing to report
            "halves": [
                (h, versions) for h, versions in listed if versions or _has_figures(session, h)
            ],
            "themes": themes,
            "theme_names": theme_names(themes),
        },
    )


def requested(
    request: Request,
    period: str,
    session: SessionDep,
    user: Reader,
    theme: str = "",
    version: int | None = None,
) -> ShownReport:
    """Read the half year, theme and frozen version of a report request (404 if unknown)."""
    lang = request_language(request)
    return read_report(
        session=session, user=user, period=period, lang=lang, theme=theme, version=version
    )


RequestedDep = Annotated[ShownReport, Depends(requested)]


def _download(content: str | bytes, media_type: str, name: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/reports/{period}.md")
def report_markdown(request: Request, asked: RequestedDep):
    """The report as Markdown, for pasting into a council document."""
    text = _markdown(request, asked, charts=False)
    name = _file_name(asked.report, asked.version, ".md")
    return _download(text, "text/markdown; charset=utf-8", name)


@router.get("/reports/{period}.pdf")
def report_download_pdf(request: Request, asked: RequestedDep):
    """The report as an accessible (tagged, PDF/UA-1) PDF with its charts."""
    from app.reports.pdf import report_pdf  # WeasyPrint and Pango: loaded on first use

    text = _markdown(request, asked, charts=True)
    name = _file_name(asked.report, asked.version, ".pdf")
    document = report_pdf(asked.report, text, request_language(request))
    return _download(document, "application/pdf", name)


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@router.get("/reports/{period}.docx")
def report_download_docx(request: Request, asked: RequestedDep):
    """The report as an editable Word document with its charts, for the council's
    planning and control documents."""
    from app.reports.docx import report_docx  # python-docx: loaded on first use

    text = _markdown(request, asked, charts=True)
    name = _file_name(asked.report, asked.version, ".docx")
    document = report_docx(asked.report, text, request_language(request))
    return _download(document, DOCX, name)


def _report_page(
    request: Request,
    session: Session,
    user: User | None,
    asked: ShownReport,
    errors: dict | None = None,
    values: dict | None = None,
    status_code: int = 200,
    filter_errors: FilterErrors | None = None,
):
    """Render the report page; ``errors`` and ``values`` refill a refused question form,
    ``filter_errors`` says a theme or version filter that was left out."""
    lang = request_language(request)
    page = build_report_page(session=session, user=user, shown=asked, errors=errors, values=values)
    return render(
        request,
        "reports/report.html",
        {
            "page": page,
            # the template's names for the page's parts
            "questions": page.questions,
            "asked_by": page.asked_by,
            "can_ask": page.can_ask,
            "can_answer": page.can_answer,
            "errors": page.errors,
            "values": page.values,
            **_text_context(asked, lang),
            "versions": page.versions,
            "theme_names": page.theme_names,
            "editing": page.editing,
            "candidates": page.candidates,
            "query": asked.query,
            "theme_slug": page.theme_slug,
            "story_html": story_html,
            "notes_html": partial(story_html, tables=True),
            "filter_errors": filter_errors or {},
        },
        status_code=status_code,
    )


@router.get("/reports/{period}")
def report_page(
    request: Request,
    session: SessionDep,
    user: Reader,
    period: str,
    theme: str = "",
    version: str = "",
):
    """The half-year report, live or as frozen; editors write introductions and freeze
    it, council members ask questions and editors answer them. An unknown theme or
    version is said on the page (422), which shows the live report instead."""
    errors = FilterErrors(request)
    asked = read_report(
        session=session,
        user=user,
        period=period,
        lang=request_language(request),
        theme=theme,
        version=version,
        filters=errors,
    )
    return _report_page(
        request, session, user, asked, status_code=errors.status, filter_errors=errors
    )


def _back(half: Period, theme: str | None, version: int | None, anchor: str) -> str:
    """The report page a question form came from, at ``anchor``."""
    pairs = (("theme", theme if not version else ""), ("version", version))
    query = urlencode({k: v for k, v in pairs if v})
    return f"/reports/{half.label}{'?' + query if query else ''}#{anchor}"


@router.post("/reports/{period}/questions")
def ask_question(
    request: Request,
    period: str,
    session: WriteSessionDep,
    user: CouncilUser,
    form: FormDep,
):
    """Put a council member's question to the report (live or a frozen version)."""
    check_csrf(request, form.get("csrf_token"))
    half = _half(period)
    slug = str(form.get("theme", ""))[:80]
    theme = _theme(session, slug)
    version = posted_id(form.get("version", "")) if form.get("version") else None
    if form.get("version") and version is None:
        raise NotFound(questions.UNKNOWN_VERSION)
    text = str(form.get("question", ""))
    try:
        row = questions.ask(
            session=session, half=half, theme=theme, version=version, question=text, user=user
        )
    except Invalid as problem:
        errors = refused(request, session, problem)
        asked = requested(request, period, session, user, slug, version)
        return _report_page(request, session, user, asked, errors, {"question": text}, 422)
    return RedirectResponse(_back(half, slug, version, f"question-{row.id}"), status_code=303)


@router.post("/reports/{period}/questions/{question_id}/answer")
def answer_question(
    request: Request,
    period: str,
    question_id: int,
    session: WriteSessionDep,
    user: EditorUser,
    form: FormDep,
):
    """Record an editor's answer to a council question."""
    check_csrf(request, form.get("csrf_token"))
    row = questions.get(session=session, question_id=question_id)
    scope = (row.period, row.theme_slug or "", row.frozen_report_id)
    text = str(form.get("answer", ""))
    try:
        questions.answer(session=session, question=row, text=text, user=user)
    except Invalid as problem:
        errors = {f"answer-{question_id}": m for m in refused(request, session, problem).values()}
        values = {f"answer-{question_id}": text}
        asked = requested(request, scope[0], session, user, scope[1], scope[2])
        return _report_page(request, session, user, asked, errors, values, 422)
    back = _back(_half(scope[0]), scope[1], scope[2], f"question-{question_id}")
    return RedirectResponse(back, status_code=303)


@router.post("/reports/{period}/themes/{slug}")
def save_theme(
    request: Request,
    period: str,
    slug: str,
    session: WriteSessionDep,
    user: EditorUser,
    form: FormDep,
):
    """Save a theme's introduction and the stories chosen to explain it."""
    check_csrf(request, form.get("csrf_token"))
    half = _half(period)
    theme = get_theme(session=session, slug=slug)
    # Browsers send line breaks as CRLF but count them as one character for maxlength:
    # count them as the browser did, so a text the form accepted is not refused here.
    intro = str(form.get("intro", "")).replace("\r\n", "\n")
    story_ids = [n for v in form.getlist("stories") if (n := posted_id(v))]
    service.save_theme(
        session=session, half=half, theme=theme, intro=intro, story_ids=story_ids, user=user
    )
    return RedirectResponse(f"/reports/{half.label}#theme-{theme.slug}", status_code=303)


@router.post("/reports/{period}/freeze")
def freeze_report(
    request: Request,
    period: str,
    session: WriteSessionDep,
    user: EditorUser,
    csrf_token: Annotated[str, Form()] = "",
    theme: Annotated[str, Form(max_length=80)] = "",
):
    """Freeze the report as it reads now."""
    check_csrf(request, csrf_token)
    half = _half(period)
    chosen = _theme(session, theme)
    row = service.freeze(session=session, half=half, theme=chosen, user=user)
    suffix = f"&theme={chosen.slug}" if chosen else ""
    return RedirectResponse(f"/reports/{half.label}?version={row.id}{suffix}", status_code=303)
