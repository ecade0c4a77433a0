"""The story form (``/stories/new``), its confirmation and one published story."""

import secrets
from datetime import timedelta
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session
from starlette.responses import RedirectResponse

from app.config import Settings
from app.db import UNAVAILABLE, storage_failure
from app.deps import (
    AudienceDep,
    FormUser,
    SessionDep,
    SettingsDep,
    WriteSessionDep,
)
from app.figures.page_charts import assessment_labels, story_charts
from app.forms import FormDep, check_csrf, refused
from app.i18n import N_
from app.models import Area, Narrative
from app.models.narrative import ConsentReach, LinkRelation, NarrativeSource
from app.narratives.invites import InviteInvalid, resolve_invite
from app.narratives.moderation import linked_figures, linked_themes
from app.narratives.reach import may_read
from app.narratives.rendering import render_markdown
from app.narratives.requests import (
    NotAnswerable,
    RequestView,
    answer_fields,
    answerable,
    open_requests_for,
)
from app.narratives.submission import (
    NO_STORY,
    choices,
    client_hash,
    over_rate_limit,
    store_story,
    this_month,
    validate_story,
)
from app.problems import AuthRequired, Invalid, Message, NotFound
from app.templating import occurred_words, render, request_language, say

router = APIRouter(tags=["pages"], include_in_schema=False)


def _access(request: Request, session: Session, settings: Settings, user, token: str):
    """Decide who may use the form: invite, signed-in user or (if on) anyone."""
    if token:
        return resolve_invite(session=session, token=token)  # a dead link is Gone (410)
    if user is None and not settings.public_stories:
        raise AuthRequired
    return None, None


STORE_LATER = N_(
    "Your story could not be saved just now because the system is busy. Nothing you "
    "typed is lost: check it below and send it again."
)


def _form_page(request, session, context, status_code=200):
    return render(
        request, "stories/new.html", {**choices(session), **context}, status_code=status_code
    )


def _answering(session, form_request: str, partner, public: bool) -> RequestView | None:
    """The request a story answers, or None; raises ``NotAnswerable`` with the reason."""
    if not form_request:
        return None
    return answerable(session=session, request_id=form_request, partner=partner, public=public)


def _form_context(session, *, values, errors, invite, partner, public, submission_key, answering):
    return {
        "values": values,
        "errors": errors,
        "invite": invite,
        "public": public,
        "submission_key": submission_key,
        "reaches": list(ConsentReach),
        "answering": answering,
        # While answering one request the form does not list the others.
        "requests": (
            [] if answering else open_requests_for(session=session, partner=partner, public=public)
        ),
    }


@router.get("/stories/new")
def new_story(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: FormUser,
    invite: str = "",
):
    """Show the story form with the open questions for this submitter; with ``request``,
    the form answers one of them."""
    _, partner = _access(request, session, settings, user, invite)
    public = partner is None and user is None
    values = {
        "occurred": this_month(),
        "organisation": partner.name if partner else "",
        "author_role": "partner" if partner else "",
        "consent_reach": "internal",
    }
    errors: dict[str, str] = {}
    answering = None
    try:
        answering = _answering(session, request.query_params.get("request", ""), partner, public)
    except NotAnswerable as refusal:
        errors |= refused(request, session, refusal)
    if answering is not None:
        values |= {"request": str(answering.request.id), **answer_fields(answering)}
    context = _form_context(
        session,
        values=values,
        errors=errors,
        invite=invite,
        partner=partner,
        public=public,
        submission_key=secrets.token_urlsafe(24),
        answering=answering,
    )
    return _form_page(request, session, context)


@router.post("/stories/new")
def submit_story(
    request: Request,
    session: WriteSessionDep,
    reader: SessionDep,
    settings: SettingsDep,
    user: FormUser,
    form: FormDep,
):
    """Validate and store a story (pending); a resend shows the same confirmation.

    An answer to a story request is checked against the request (it exists, is open and
    was asked to this submitter) and is fixed to the request's figure, district and period.
    When the database cannot take the story now (busy), the form comes back (503) with
    everything as typed and a message to send it again: nothing typed is lost.
    """
    check_csrf(request, form.get("csrf_token"))
    try:
        return _submit(request, session, settings, user, form)
    except DBAPIError as error:
        if storage_failure(error) != UNAVAILABLE:
            raise
        session.rollback()
    token = str(form.get("invite") or "")
    invite, partner = _access(request, reader, settings, user, token)
    data = {k: v for k, v in form.items() if isinstance(v, str)}
    context = _form_context(
        reader,
        values={**data, "themes": form.getlist("themes"), "indicators": form.getlist("indicators")},
        errors={"": say(request, Message(STORE_LATER))},
        invite=token,
        partner=partner,
        public=invite is None and user is None,
        submission_key=data.get("submission_key") or secrets.token_urlsafe(24),
        answering=None,
    )
    response = _form_page(request, reader, context, status_code=503)
    response.headers["Retry-After"] = "10"
    return response


def _submit(request: Request, session: Session, settings: Settings, user, form):
    """Store the story the form sent, or show the form again with what is wrong."""
    token = form.get("invite") or ""
    invite, partner = _access(request, session, settings, user, token)
    public = invite is None and user is None
    if public and form.get("website"):
        return RedirectResponse("/stories/sent", status_code=303)
    client = None
    if public:
        address = request.client.host if request.client else ""
        client = client_hash(address, settings.secret_key)
        window = timedelta(minutes=settings.story_rate_window_minutes)
        if over_rate_limit(
            session=session, client=client, limit=settings.story_rate_limit, window=window
        ):
            return render(request, "stories/too_many.html", {}, status_code=429)
    data = {k: v for k, v in form.items() if isinstance(v, str)}
    indicators = form.getlist("indicators")
    answering = None
    try:
        answering = _answering(session, (data.get("request") or "").strip(), partner, public)
        if answering is not None:
            fixed = answer_fields(answering)
            indicators = list(fixed.pop("indicators"))
            data |= {
                name: value for name, value in fixed.items() if isinstance(value, str) and value
            }
        story = validate_story(
            session=session, data=data, themes=form.getlist("themes"), indicators=indicators
        )
    except Invalid as problem:
        if isinstance(problem, NotAnswerable):
            # Shown with the message; sending again stores an ordinary story.
            data.pop("request", None)
        context = _form_context(
            session,
            values={**data, "themes": form.getlist("themes"), "indicators": indicators},
            errors=refused(request, session, problem),
            invite=token,
            partner=partner,
            public=public,
            submission_key=data.get("submission_key") or secrets.token_urlsafe(24),
            answering=answering,
        )
        return _form_page(request, session, context, status_code=422)
    store_story(
        session=session,
        story=story,
        source=NarrativeSource.invite if invite else NarrativeSource.form,
        consent_version=settings.consent_version,
        partner_id=partner.id if partner else None,
        invite_id=invite.id if invite else None,
        submission_key=(data.get("submission_key") or "")[:80] or None,
        client=client,
        relation=LinkRelation.explains if answering is not None else LinkRelation.context,
    )
    sent = f"/stories/sent?{urlencode({'invite': token})}" if invite else "/stories/sent"
    return RedirectResponse(sent, status_code=303)


@router.get("/stories/sent")
def story_sent(request: Request, session: SessionDep, invite: str = ""):
    """Thank the submitter, say what happens next and offer to tell another story (from
    an invite link: with that link, and the way to the partner's own page)."""
    if invite:
        try:
            resolve_invite(session=session, token=invite)
        except InviteInvalid:
            invite = ""
    return render(request, "stories/sent.html", {"invite": invite})


@router.get("/stories/{narrative_id}")
def show_story(request: Request, narrative_id: int, session: SessionDep, audience: AudienceDep):
    """Show one published story; editors may also see one still pending. Each figure it
    is linked to is drawn with the story's period marked."""
    narrative = session.get(Narrative, narrative_id)
    if narrative is None or not may_read(narrative, audience.user):
        raise NotFound(NO_STORY, id=narrative_id)
    area = session.get(Area, narrative.area_id) if narrative.area_id else None
    lang = request_language(request)
    context = {
        "story": narrative,
        "area": area,
        # the period as a period ("maart 2024"), never as the first day of it
        "period": occurred_words(narrative, lang),
        "themes": linked_themes(session, narrative),
        "assessment": (
            assessment_labels(lang)[narrative.assessment] if narrative.assessment else None
        ),
        "figures": linked_figures(session, narrative),
        "charts": story_charts(
            session=session,
            story=narrative,
            lang=lang,
            masking=audience.masking,
            reach=audience.reach,
        ),
        "body_html": render_markdown(narrative.body),
    }
    return render(request, "stories/show.html", context)
