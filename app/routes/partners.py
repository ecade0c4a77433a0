"""A small editor page for partners and their invite links (``/partners``)."""

from datetime import datetime, time
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse

from app.deps import EditorUser, SessionDep, WriteSessionDep
from app.forms import check_csrf, refused
from app.i18n import N_
from app.narratives.invites import create_invite, get_invite, invite_url, revoke_invite
from app.narratives.partners import create_partner, get_partner, partners_with_invites
from app.problems import Conflict, Invalid
from app.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)

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
    try:
        create_partner(session=session, name=name, user=user)
    except (Invalid, Conflict) as problem:
        return _page(request, session, refused(request, session, problem), name, 422)
    return RedirectResponse("/partners", status_code=303)


def _end_of(expires_on: str) -> datetime | None:
    """The end of the day ``expires_on`` (YYYY-MM-DD) in local time; empty: never."""
    if not expires_on.strip():
        return None
    try:
        day = datetime.strptime(expires_on.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise Invalid.at("expires_on", EXPIRY_BAD) from None
    return datetime.combine(day, time.max, tzinfo=LOCAL)


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
    partner = get_partner(session=session, partner_id=partner_id)
    try:
        expires_at = _end_of(expires_on)
    except Invalid as problem:
        message = refused(request, session, problem)["expires_on"]
        return _page(request, session, {f"expires_on-{partner_id}": message}, status=422)
    create_invite(session=session, partner=partner, expires_at=expires_at, user=user)
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
    invite = get_invite(session=session, partner_id=partner_id, invite_id=invite_id)
    revoke_invite(session=session, invite=invite, user=user)
    return RedirectResponse("/partners", status_code=303)
