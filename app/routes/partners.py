"""A small editor page for partners and their invite links (``/partners``)."""

from datetime import datetime, time
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, HTTPException, Request
from starlette.responses import RedirectResponse

from app.audit import record
from app.deps import EditorUser, SessionDep, WriteSessionDep
from app.forms import check_csrf
from app.i18n import N_, gettext
from app.models import Invite, Partner
from app.narratives.invites import (
    PartnerExists,
    create_invite,
    create_partner,
    invite_url,
    partners_with_invites,
    revoke_invite,
)
from app.templating import render, request_language

router = APIRouter(tags=["pages"], include_in_schema=False)

NAME_MISSING = N_("Give the organisation's name.")
NAME_TAKEN = N_("A partner with this name already exists.")
EXPIRY_BAD = N_("Give a date like 2026-12-31, or leave it empty.")
LOCAL = ZoneInfo("Europe/Amsterdam")


def _page(request, session, errors=None, name="", status=200):
    rows = [
        (p, [(i, invite_url(i)) for i in invites]) for p, invites in partners_with_invites(session)
    ]
    context = {"rows": rows, "errors": errors or {}, "name": name}
    return render(request, "stories/partners.html", context, status_code=status)


@router.get("/partners")
def partners(request: Request, session: SessionDep, user: EditorUser):
    """List partners with their invite links, and forms to add and revoke them."""
    return _page(request, session)


@router.post("/partners")
def add_partner(
    request: Request,
    session: WriteSessionDep,
    user: EditorUser,
    name: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form()] = "",
):
    """Add a partner organisation."""
    check_csrf(request, csrf_token)
    lang = request_language(request)
    if not name.strip():
        return _page(request, session, {"name": gettext(lang, NAME_MISSING)}, name, 422)
    try:
        partner = create_partner(session=session, name=name)
    except PartnerExists:
        return _page(request, session, {"name": gettext(lang, NAME_TAKEN)}, name, 422)
    record(session=session, action="create", entity="partner", entity_id=partner.id, user=user)
    session.commit()
    return RedirectResponse("/partners", status_code=303)


@router.post("/partners/{partner_id}/invites")
def add_invite(
    request: Request,
    partner_id: int,
    session: WriteSessionDep,
    user: EditorUser,
    expires_on: Annotated[str, Form(max_length=10)] = "",
    csrf_token: Annotated[str, Form()] = "",
):
    """Create an invite link; it expires at the end of ``expires_on`` (local time)."""
    check_csrf(request, csrf_token)
    partner = session.get(Partner, partner_id)
    if partner is None:
        raise HTTPException(status_code=404, detail="Partner not found")
    expires_at = None
    if expires_on.strip():
        try:
            day = datetime.strptime(expires_on.strip(), "%Y-%m-%d").date()
        except ValueError:
            message = gettext(request_language(request), EXPIRY_BAD)
            return _page(request, session, {f"expires_on-{partner_id}": message}, status=422)
        expires_at = datetime.combine(day, time.max, tzinfo=LOCAL)
    invite = create_invite(session=session, partner=partner, expires_at=expires_at)
    record(session=session, action="create", entity="invite", entity_id=invite.id, user=user)
    session.commit()
    return RedirectResponse("/partners", status_code=303)


@router.post("/partners/{partner_id}/invites/{invite_id}/revoke")
def revoke(
    request: Request,
    partner_id: int,
    invite_id: int,
    session: WriteSessionDep,
    user: EditorUser,
    csrf_token: Annotated[str, Form()] = "",
):
    """Revoke an invite link at once."""
    check_csrf(request, csrf_token)
    invite = session.get(Invite, invite_id)
    if invite is None or invite.partner_id != partner_id:
        raise HTTPException(status_code=404, detail="Invite not found")
    revoke_invite(session=session, invite=invite)
    record(session=session, action="revoke", entity="invite", entity_id=invite.id, user=user)
    session.commit()
    return RedirectResponse("/partners", status_code=303)
