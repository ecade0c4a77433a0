"""A small editor page for partners and their invite links (``/partners``)."""

from datetime import datetime, time
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from app.audience import has_role
from app.config import get_settings
from app.deps import EditorUser, OptionalUser, SessionDep, WriteSessionDep
from app.forms import check_csrf, refused
from app.i18n import N_
from app.models import Role
from app.models.days import OUT_OF_RANGE, within_years
from app.narratives.feedback import partner_page
from app.narratives.invites import (
    create_invite,
    get_invite,
    invite_qr_svg,
    invite_url,
    invite_uses,
    partner_page_url,
    resolve_invite,
    revoke_invite,
)
from app.narratives.partners import create_partner, get_partner, partners_with_invites
from app.problems import AuthRequired, Conflict, Forbidden, Invalid, NotFound
from app.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)

EXPIRY_BAD = N_("Give a date like 2026-12-31, or leave it empty.")
INVITE_REVOKED = N_("Invite link %(id)s has been revoked.")
LOCAL = ZoneInfo("Europe/Amsterdam")


def _absolute(request: Request, path: str) -> str:
    """The address a partner types or scans: ``DUIDING_SITE_URL`` (the public address,
    when the server sits behind a proxy) or else this request's origin, plus ``path``."""
    origin = get_settings().site_url or str(request.base_url).rstrip("/")
    return origin + path


def _page(request, session, errors=None, name="", status=200, typed=None, email=""):
    """The partners page; ``typed`` keeps what was typed in one partner's link form."""
    listed = partners_with_invites(session)
    uses = invite_uses(session, [i.id for _, invites in listed for i in invites])
    rows = [
        (
            p,
            [
                (i, _absolute(request, invite_url(i)), partner_page_url(i), uses[i.id])
                for i in invites
            ],
        )
        for p, invites in listed
    ]
    context = {
        "rows": rows,
        "errors": errors or {},
        "name": name,
        "email": email,
        "typed": typed or {},
        "today": datetime.now(LOCAL).date().isoformat(),
    }
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
    email: Annotated[str, Form(max_length=254)] = "",
    csrf_token: Annotated[str, Form()] = "",
):
    """Add a partner organisation, with the address its notifications go to."""
    check_csrf(request, csrf_token)
    try:
        create_partner(session=session, name=name, email=email, user=user)
    except (Invalid, Conflict) as problem:
        errors = refused(request, session, problem)
        return _page(request, session, errors, name, 422, email=email)
    return RedirectResponse("/partners", status_code=303)


def _end_of(expires_on: str) -> datetime | None:
    """The end of the day ``expires_on`` (YYYY-MM-DD) in local time; empty: never."""
    if not expires_on.strip():
        return None
    try:
        day = datetime.strptime(expires_on.strip(), "%Y-%m-%d").date()
    except (ValueError, OverflowError):
        raise Invalid.at("expires_on", EXPIRY_BAD) from None
    if not within_years(day):
        raise Invalid.at("expires_on", OUT_OF_RANGE, text=expires_on.strip())
    return datetime.combine(day, time.max, tzinfo=LOCAL)


@router.post("/partners/{partner_id}/invites")
def add_invite(
    request: Request,
    partner_id: int,
    session: WriteSessionDep,
    user: EditorUser,
    expires_on: Annotated[str, Form(max_length=40)] = "",
    name: Annotated[str, Form(max_length=400)] = "",
    csrf_token: Annotated[str, Form()] = "",
):
    """Create a named invite link; it expires at the end of ``expires_on`` (local time)."""
    check_csrf(request, csrf_token)
    partner = get_partner(session=session, partner_id=partner_id)
    try:
        invite = create_invite(
            session=session,
            partner=partner,
            expires_at=_end_of(expires_on),
            name=name,
            user=user,
        )
    except Invalid as problem:
        messages = refused(request, session, problem)
        errors = {f"{field}-{partner_id}": message for field, message in messages.items()}
        typed = {partner_id: {"name": name, "expires_on": expires_on}}
        return _page(request, session, errors, status=422, typed=typed)
    return RedirectResponse(f"/partners#invite-{invite.id}", status_code=303)


@router.get("/partners/{partner_id}/invites/{invite_id}/qr.svg")
def invite_qr(
    request: Request, partner_id: int, invite_id: int, session: SessionDep, user: EditorUser
):
    """The link as a QR code (SVG) to print for a meeting; a revoked link has none."""
    invite = get_invite(session=session, partner_id=partner_id, invite_id=invite_id)
    partner = get_partner(session=session, partner_id=partner_id)
    if invite.revoked_at is not None:
        raise NotFound(INVITE_REVOKED, id=invite_id)
    svg = invite_qr_svg(_absolute(request, invite_url(invite)), f"{partner.name}: {invite.name}")
    return Response(
        svg,
        media_type="image/svg+xml",
        headers={"Content-Disposition": f'inline; filename="invite-{invite.id}.svg"'},
    )


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


@router.get("/partner")
def own_page(
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    invite: str = "",
    partner: Annotated[str, Query(max_length=12)] = "",
):
    """A partner's own page, opened with their invite link: their stories and what
    became of them, the questions addressed to them and their ideas. Editors may open
    it for any partner (``?partner=ID``) to see exactly what that partner reads."""
    if invite:
        found = resolve_invite(session=session, token=invite)[1]  # a dead link is Gone
    elif user is None:
        raise AuthRequired
    elif not has_role(user, Role.editor):
        raise Forbidden
    elif partner.isdigit():
        found = get_partner(session=session, partner_id=int(partner))
    else:
        return RedirectResponse("/partners", status_code=303)
    page = partner_page(session=session, partner=found)
    context = {"page": page, "invite": invite, "preview": not invite}
    return render(request, "stories/partner_page.html", context)
