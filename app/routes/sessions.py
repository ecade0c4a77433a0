"""Reflection session pages: list, new, detail, edit, and closing actions."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from sqlmodel import col, select
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse

from app.deps import EditorUser, SessionDep, ViewerUser, WriteSessionDep
from app.figures.page_charts import chart_spec
from app.figures.svg import chart_svg
from app.forms import DATE_INVALID, FilterErrors, FormDep, check_csrf
from app.i18n import N_, gettext
from app.ids import posted_id
from app.models import (
    Area,
    AreaKind,
    Indicator,
    LearningQuestion,
    Narrative,
    NarrativeStatus,
    QuestionStatus,
    ReflectionSession,
    SessionIndicator,
    Theme,
)
from app.problems import Invalid, NotFound
from app.reflections import actions, service, snapshot
from app.reflections.page import build_session_page
from app.templating import occurred_words, render, request_language

router = APIRouter(tags=["pages"], include_in_schema=False)

ACTION_ROWS = 3
NO_FIGURE = N_("Reflection session %(id)s has no figure %(figure)s.")

FormList = Annotated[list[str], Form()]


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None


def _choices(session, lang: str) -> dict:
    """The options of the session form; a story with its period in words, as on its page."""
    return {
        "indicator_options": [
            (row.slug, row.name) for row in session.exec(select(Indicator).order_by(Indicator.name))
        ],
        "area_options": [
            (row.code, row.name)
            for row in session.exec(
                select(Area).where(Area.kind == AreaKind.district).order_by(Area.name)
            )
        ],
        "narrative_options": [
            (row.id, f"{row.title} ({occurred_words(row, lang)})")
            for row in session.exec(
                select(Narrative)
                .where(Narrative.status == NarrativeStatus.published)
                .order_by(col(Narrative.occurred_on).desc(), col(Narrative.id).desc())
                .limit(200)
            )
        ],
        "question_options": [
            (row.id, row.text)
            for row in session.exec(select(LearningQuestion).order_by(LearningQuestion.text))
        ],
        "status_options": [status.value for status in QuestionStatus],
        "action_rows": range(ACTION_ROWS),
        "question_rows": range(QUESTION_ROWS),
    }


def _by_field(invalid: Invalid) -> dict[str, tuple[str, dict]]:
    """The problem's messages by form field, still to be renumbered and translated."""
    return {error.field: (error.message_id, dict(error.values)) for error in invalid.errors}


def _errors_for_page(request: Request, errors: dict) -> dict[str, str]:
    lang = request_language(request)
    return {name: gettext(lang, message, **values) for name, (message, values) in errors.items()}


def _text_input(form: dict) -> dict:
    """The session's own text fields, as service input (new and edit share them)."""
    return {
        "held_on": _day(form["held_on"]),
        "title": form["title"],
        "facilitator": form["facilitator"],
        "participants": form["participants"].splitlines(),
        "see": form["see"],
        "mean": form["mean"],
        "do": form["do"],
    }


def _parse(form: dict) -> tuple[service.SessionInput, dict[str, list[int]], dict]:
    """Turn the posted form into session input, plus errors the parsing itself found.

    Also returns, per repeated group (actions, questions), the form row each item passed
    on came from: empty rows are skipped, and the service's errors must point at the
    row the user typed in.
    """
    errors: dict = {}
    held_on = _day(form["held_on"])
    if form["held_on"].strip() and held_on is None:
        errors["held_on"] = (DATE_INVALID, {})
    area = form.get("area") or None
    action_rows, actions_in = [], []
    for index, (text, owner, due) in enumerate(
        zip(form["action_description"], form["action_owner"], form["action_due_on"], strict=False)
    ):
        due_on = _day(due)
        if due.strip() and due_on is None:
            errors[f"action_due_on_{index}"] = (DATE_INVALID, {})
        if text.strip() or owner.strip() or due.strip():
            action_rows.append(index)
            actions_in.append(service.ActionInput(text, owner, due_on))
    question_rows, questions = [], []
    for index, (question_id, text, status, reason) in enumerate(
        zip(
            form["question"],
            form["new_question"],
            form["question_status"],
            form["question_reason"],
            strict=False,
        )
    ):
        if question_id or text.strip():
            question_rows.append(index)
            questions.append(service.QuestionStep(posted_id(question_id), text, status, reason))
    data = service.SessionInput(
        **_text_input(form),
        indicators=[service.IndicatorChoice(slug, area) for slug in form["indicators"]],
        narratives=[n for value in form["narratives"] if (n := posted_id(value))],
        actions=actions_in,
        questions=questions,
    )
    rows = {"action_description_": action_rows}
    rows |= dict.fromkeys(("question_", "question_status_"), question_rows)
    return data, rows, errors


def _renumber(errors: dict, rows: dict[str, list[int]]) -> dict:
    """Point the service's errors of repeated items at the form rows they came from."""
    renumbered = {}
    for name, value in errors.items():
        stem, _, index = name.rpartition("_")
        prefix = f"{stem}_"
        if prefix in rows and index.isdigit():
            name = f"{prefix}{rows[prefix][int(index)]}"
        renumbered[name] = value
    return renumbered


def _posted(form: FormData, defaults: dict) -> dict:
    """The fields of ``defaults`` as posted: lists where the default is a list.

    Repeated groups are padded to the rows the page shows, so that the form can be
    shown again with everything the user typed.
    """
    posted: dict[str, str | list[str]] = {}
    for name, default in defaults.items():
        if isinstance(default, list):
            values = [str(value) for value in form.getlist(name)]
            posted[name] = values + default[len(values) :]
        else:
            posted[name] = str(form.get(name, default))
    return posted


@router.get("/sessions")
def session_list(
    request: Request,
    session: SessionDep,
    user: ViewerUser,
    theme: str = "",
    start: str = "",
    end: str = "",
    participant: str = "",
):
    """List sessions with filters, and every open action with overdue ones marked;
    ``start`` and ``end`` are periods (``maart 2024``: from its first day to its last)."""
    errors = FilterErrors(request)
    first, last = errors.period_range(start, end, ("start", "end"))
    filters = service.SessionFilter(theme or None, first, last, participant or None)
    rows, total = service.list_sessions(session=session, filters=filters, limit=1000)
    context = {
        "sessions": rows,
        "total": total,
        "filters": {"theme": theme, "start": start, "end": end, "participant": participant},
        "filter_errors": errors,
        "theme_options": [
            (row.slug, row.name) for row in session.exec(select(Theme).order_by(Theme.name))
        ],
        "open_actions": actions.open_actions(session=session, today=date.today()),
        "all_sessions": service.list_sessions(session=session, limit=1000)[0],
    }
    return render(request, "sessions/list.html", context, status_code=errors.status)


def _form_page(request, session, form, errors, status_code=200):
    context = {**_choices(session, request_language(request)), "form": form, "errors": errors}
    return render(request, "sessions/new.html", context, status_code=status_code)


QUESTION_ROWS = 2
TEXT_FORM = {
    "held_on": "",
    "title": "",
    "facilitator": "",
    "participants": "",
    "see": "",
    "mean": "",
    "do": "",
}
EMPTY_FORM = {
    **TEXT_FORM,
    "area": "",
    "indicators": [],
    "narratives": [],
    "action_description": [""] * ACTION_ROWS,
    "action_owner": [""] * ACTION_ROWS,
    "action_due_on": [""] * ACTION_ROWS,
    "question": [""] * QUESTION_ROWS,
    "new_question": [""] * QUESTION_ROWS,
    "question_status": [""] * QUESTION_ROWS,
    "question_reason": [""] * QUESTION_ROWS,
}


@router.get("/sessions/new")
def new_session_page(request: Request, session: SessionDep, user: EditorUser):
    """Show the form to log a session."""
    return _form_page(request, session, {**EMPTY_FORM, "held_on": date.today().isoformat()}, {})


@router.post("/sessions/new")
def create_session(request: Request, session: WriteSessionDep, user: EditorUser, posted: FormDep):
    """Store the session, or show the form again with a message per field (422)."""
    check_csrf(request, str(posted.get("csrf_token", "")))
    form = _posted(posted, EMPTY_FORM)
    data, rows, errors = _parse(form)
    try:
        service.validate(session=session, data=data)
    except Invalid as invalid:
        errors = {**_renumber(_by_field(invalid), rows), **errors}
    if errors:
        session.rollback()
        return _form_page(request, session, form, _errors_for_page(request, errors), 422)
    reflection = service.create_session(session=session, data=data, user=user)
    return RedirectResponse(f"/sessions/{reflection.id}", status_code=303)


def _get(session, session_id: int) -> ReflectionSession:
    return service.get_session(session=session, session_id=session_id)


@router.get("/sessions/{session_id}")
def session_page(request: Request, session_id: int, session: SessionDep, user: ViewerUser):
    """Show notes, the snapshot as seen that day, what was revised since, and history."""
    page = build_session_page(
        session=session, reflection=_get(session, session_id), lang=request_language(request)
    )
    context = {
        "page": page,
        # the template's names for the page's parts
        "reflection": page.reflection,
        "notes": page.notes,
        "figures": page.figures,
        "narratives": page.narratives,
        "actions": page.actions,
        "closed_here": page.closed_here,
        "revisions": page.revisions,
        "significant": page.significant,
        "questions_moved": page.questions_moved,
        "events_noted": page.events_noted,
    }
    return render(request, "sessions/detail.html", context)


@router.get("/sessions/{session_id}/figures/{figure_id}/chart.svg")
def snapshot_chart_svg(
    request: Request, session_id: int, figure_id: int, session: SessionDep, user: ViewerUser
) -> Response:
    """A snapshot's chart as a static SVG, for readers without JavaScript."""
    frozen = session.get(SessionIndicator, figure_id)
    if frozen is None or frozen.session_id != session_id or not frozen.snapshot:
        raise NotFound(NO_FIGURE, figure=figure_id, id=session_id)
    panel = snapshot.snapshot_panel(
        session=session,
        indicator=session.exec(select(Indicator).where(Indicator.id == frozen.indicator_id)).one(),
        area=session.get(Area, frozen.area_id) if frozen.area_id else None,
        snapshot=frozen.snapshot,
    )
    spec = chart_spec(panel, request_language(request), width=720)
    return Response(chart_svg(spec), media_type="image/svg+xml")


def _text_form(reflection: ReflectionSession) -> dict:
    return {
        "held_on": reflection.held_on.isoformat(),
        "title": reflection.title,
        "facilitator": reflection.facilitator,
        "participants": "\n".join(reflection.participants),
        "see": reflection.see,
        "mean": reflection.mean,
        "do": reflection.do,
    }


@router.get("/sessions/{session_id}/edit")
def edit_page(request: Request, session_id: int, session: SessionDep, user: EditorUser):
    """Show the form to correct a session's text."""
    reflection = _get(session, session_id)
    context = {"reflection": reflection, "form": _text_form(reflection), "errors": {}}
    return render(request, "sessions/edit.html", context)


@router.post("/sessions/{session_id}/edit")
def edit_session(
    request: Request, session_id: int, session: WriteSessionDep, user: EditorUser, posted: FormDep
):
    """Save the new text; the previous version is kept with who and when."""
    check_csrf(request, str(posted.get("csrf_token", "")))
    reflection = _get(session, session_id)
    form = _posted(posted, TEXT_FORM)
    data = service.SessionInput(**_text_input(form))
    try:
        service.update_session(session=session, reflection=reflection, data=data, user=user)
    except Invalid as invalid:
        errors = _by_field(invalid)
        if form["held_on"].strip() and data.held_on is None:
            errors["held_on"] = (DATE_INVALID, {})
        context = {
            "reflection": reflection,
            "form": form,
            "errors": _errors_for_page(request, errors),
        }
        return render(request, "sessions/edit.html", context, status_code=422)
    return RedirectResponse(f"/sessions/{reflection.id}", status_code=303)


@router.post("/sessions/actions/{action_id}")
def close_action(
    request: Request,
    action_id: int,
    session: WriteSessionDep,
    user: EditorUser,
    csrf_token: Annotated[str, Form()] = "",
    status: Annotated[str, Form(max_length=20)] = "",
    closed_in: Annotated[str, Form(max_length=20)] = "",
):
    """Close or drop an action, linked to the (later) session that decided it."""
    check_csrf(request, csrf_token)
    if closed_in.strip() and posted_id(closed_in) is None:
        raise Invalid.at("closed_in", actions.NO_LATER_SESSION, id=closed_in)
    action = actions.close_action(
        session=session,
        action_id=action_id,
        status=status,
        closed_in=posted_id(closed_in),
        user=user,
    )
    return RedirectResponse(f"/sessions#action-{action.id}", status_code=303)
