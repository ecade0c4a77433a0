"""Who is told what by e-mail, in the instance's language (``DUIDING_DEFAULT_LANGUAGE``).

- a partner (with an address) when a story request is addressed to them, and when
  their story is published or hidden (with the editor's reason, if one was given);
- editors and admins, once a day, when stories wait for moderation (a digest);
- the owner of an open action, written as an e-mail address, when it falls due.

Each function only queues (``app.mail.outbox``); the worker sends.
"""

from datetime import date

from sqlmodel import Session, col, select

from app.config import EMAIL, get_settings
from app.figures.periods import Period
from app.figures.summary import period_words
from app.i18n import N_, format_day, gettext, translations
from app.mail.outbox import queue
from app.models import (
    Action,
    ActionStatus,
    Indicator,
    Invite,
    MailMessage,
    Narrative,
    NarrativeStatus,
    Partner,
    ReflectionSession,
    Role,
    StoryRequest,
    StoryRequestPartner,
    User,
    utcnow,
)
from app.narratives.invites import invite_url, partner_page_url

FOOTER = N_(
    "This message was sent by Duiding, the municipality's journal of figures and stories. "
    "Please do not reply to it."
)
REQUEST_SUBJECT = N_("Question for %(partner)s: stories about %(figure)s")
REQUEST_BODY = N_(
    "Dear colleagues of %(partner)s,\n\n"
    "The municipality asks for your stories about %(figure)s%(period)s:\n\n"
    "%(question)s\n\n"
    "Stories help us read what the figures mean."
)
REQUEST_CLOSES = N_("Answers are welcome until %(day)s.")
REQUEST_LINK = N_("Answer with your organisation's invite link: %(link)s")
REQUEST_NO_LINK = N_("Answer through your organisation's invite link to the story form.")
PERIOD_IN = N_(" in %(period)s")
PUBLISHED_SUBJECT = N_("Your story \u201c%(title)s\u201d has been published")
PUBLISHED_BODY = N_(
    "Dear colleagues of %(partner)s,\n\n"
    "Thank you for your story \u201c%(title)s\u201d. An editor has read it and published it: "
    "staff now read it next to the figures it is about, and it may be discussed in a "
    "reflection session or used in a report."
)
HIDDEN_SUBJECT = N_("Your story \u201c%(title)s\u201d will not be published")
HIDDEN_BODY = N_(
    "Dear colleagues of %(partner)s,\n\n"
    "Thank you for your story \u201c%(title)s\u201d. An editor has read it and decided not to "
    "publish it."
)
EDITOR_NOTE = N_("The editor's note: %(note)s")
PARTNER_PAGE_LINK = N_("What became of all your stories: %(link)s")
DIGEST_BODY = N_("These stories wait for an editor's decision:")
DIGEST_LINK = N_("Moderate them at %(link)s")
ACTION_SUBJECT = N_("Action due on %(day)s: %(action)s")
ACTION_BODY = N_(
    "The action agreed in the reflection session \u201c%(session)s\u201d (%(held)s) with you "
    "as its owner is due on %(day)s:\n\n%(action)s\n\n"
    "When it is done, it is closed in the next reflection session."
)
ACTION_LINK = N_("The session: %(link)s")


def _lang() -> str:
    return get_settings().default_language


def _link(path: str) -> str:
    """An absolute link when the instance knows its address (``DUIDING_SITE_URL``)."""
    site = get_settings().site_url
    return f"{site}{path}" if site else ""


def _body(lang: str, *parts: str) -> str:
    return "\n\n".join([*(p for p in parts if p), "-- ", gettext(lang, FOOTER)]) + "\n"


def _invite_link(session: Session, partner: Partner, request_id: int) -> str:
    """The partner's newest working invite link, opened at the request's question."""
    invites = session.exec(
        select(Invite)
        .where(Invite.partner_id == partner.id, col(Invite.revoked_at).is_(None))
        .order_by(col(Invite.id).desc())
    ).all()
    for invite in invites:
        if invite.expires_at is None or invite.expires_at > utcnow():
            return _link(f"{invite_url(invite)}&request={request_id}")
    return ""


def request_addressed(*, session: Session, request: StoryRequest) -> int:
    """Tell the partners a new request is addressed to (all partners when it names none);
    returns how many messages were queued."""
    if not get_settings().mail_enabled:
        return 0
    lang = _lang()
    named = select(StoryRequestPartner.partner_id).where(
        StoryRequestPartner.request_id == request.id
    )
    query = select(Partner).where(col(Partner.email).is_not(None))
    if session.exec(named).first() is not None:
        query = query.where(col(Partner.id).in_(named))
    indicator = session.get(Indicator, request.indicator_id)
    figure = indicator.name if indicator else ""
    period = ""
    if request.period_start and indicator:
        words = period_words(Period(request.period_start, indicator.frequency), lang)
        period = gettext(lang, PERIOD_IN, period=words)
    queued = 0
    for partner in session.exec(query.order_by(col(Partner.id))).all():
        link = _invite_link(session, partner, request.id or 0)
        values = {"partner": partner.name, "figure": figure}
        body = _body(
            lang,
            gettext(lang, REQUEST_BODY, **values, period=period, question=request.question),
            gettext(lang, REQUEST_CLOSES, day=format_day(request.closes_on, lang, "long"))
            if request.closes_on
            else "",
            gettext(lang, REQUEST_LINK, link=link) if link else gettext(lang, REQUEST_NO_LINK),
        )
        if queue(
            session=session,
            key=f"request:{request.id}:partner:{partner.id}",
            kind="request",
            to=partner.email or "",
            subject=gettext(lang, REQUEST_SUBJECT, **values),
            body=body,
        ):
            queued += 1
    return queued


def story_moderated(*, session: Session, story: Narrative) -> bool:
    """Tell the partner who sent ``story`` that it was published or hidden, with the
    editor's note to the submitter (once per outcome); True when a message was queued."""
    if not get_settings().mail_enabled or story.partner_id is None:
        return False
    if story.status not in (NarrativeStatus.published, NarrativeStatus.hidden):
        return False
    partner = session.get(Partner, story.partner_id)
    if partner is None or not partner.email:
        return False
    lang = _lang()
    values = {"partner": partner.name, "title": story.title}
    note = (story.moderation_note or "").strip()
    said = gettext(lang, EDITOR_NOTE, note=note) if note else ""
    invite = session.get(Invite, story.invite_id) if story.invite_id else None
    page = _link(partner_page_url(invite)) if invite and invite.revoked_at is None else ""
    more = gettext(lang, PARTNER_PAGE_LINK, link=page) if page else ""
    if story.status == NarrativeStatus.published:
        subject, body = (
            PUBLISHED_SUBJECT,
            _body(lang, gettext(lang, PUBLISHED_BODY, **values), said, more),
        )
    else:
        subject = HIDDEN_SUBJECT
        body = _body(lang, gettext(lang, HIDDEN_BODY, **values), said, more)
    return bool(
        queue(
            session=session,
            key=f"story:{story.id}:{story.status.value}",
            kind="feedback",
            to=partner.email,
            subject=gettext(lang, subject, **values),
            body=body,
        )
    )


def moderation_digest(*, session: Session, today: date) -> int:
    """Queue today's digest of waiting stories for every active editor and admin (once
    a day each, and only when stories wait); returns how many were queued."""
    if not get_settings().mail_enabled:
        return 0
    waiting = session.exec(
        select(Narrative)
        .where(Narrative.status == NarrativeStatus.pending)
        .order_by(col(Narrative.submitted_at), col(Narrative.id))
    ).all()
    if not waiting:
        return 0
    lang = _lang()
    trans = translations(lang)
    subject = trans.ngettext(
        "%(num)d story waits for moderation", "%(num)d stories wait for moderation", len(waiting)
    ) % {"num": len(waiting)}
    lines = "\n".join(
        f"- {story.title} ({format_day(story.submitted_at.date(), lang)})" for story in waiting
    )
    link = _link("/moderation")
    body = _body(
        lang,
        f"{gettext(lang, DIGEST_BODY)}\n\n{lines}",
        gettext(lang, DIGEST_LINK, link=link) if link else "",
    )
    queued = 0
    editors = session.exec(
        select(User).where(
            col(User.role).in_([Role.editor, Role.admin]), col(User.is_active).is_(True)
        )
    ).all()
    for user in editors:
        key = f"digest:{today.isoformat()}:user:{user.id}"
        if queue(
            session=session, key=key, kind="digest", to=user.email, subject=subject, body=body
        ):
            queued += 1
    return queued


def actions_due(*, session: Session, today: date) -> int:
    """Queue a reminder for every open action due today or earlier whose owner is
    written as an e-mail address (once per due date); returns how many were queued."""
    if not get_settings().mail_enabled:
        return 0
    lang = _lang()
    rows = session.exec(
        select(Action, ReflectionSession)
        .join(ReflectionSession, col(ReflectionSession.id) == Action.session_id)
        .where(
            Action.status == ActionStatus.open,
            col(Action.due_on).is_not(None),
            col(Action.due_on) <= today,
        )
        .order_by(col(Action.due_on), col(Action.id))
    ).all()
    queued = 0
    for action, meeting in rows:
        owner = action.owner.strip()
        if not EMAIL.fullmatch(owner):
            continue
        if action.due_on is None:  # the query above selects actions with a due day
            continue
        key = f"action:{action.id}:due:{action.due_on.isoformat()}"
        if session.exec(select(MailMessage.id).where(MailMessage.key == key)).first():
            continue
        day = format_day(action.due_on, lang, "long")
        short = " ".join(action.description.split())
        link = _link(f"/sessions/{meeting.id}")
        body = _body(
            lang,
            gettext(
                lang,
                ACTION_BODY,
                session=meeting.title,
                held=format_day(meeting.held_on, lang, "long"),
                day=day,
                action=action.description,
            ),
            gettext(lang, ACTION_LINK, link=link) if link else "",
        )
        subject = gettext(lang, ACTION_SUBJECT, day=day, action=short[:120])
        if queue(session=session, key=key, kind="action", to=owner, subject=subject, body=body):
            queued += 1
    return queued
