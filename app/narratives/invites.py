"""Signed, revocable invite links that open the story form for one partner.

The partners themselves are in ``app/narratives/partners.py``.

The token only carries the invite's id, signed with the instance's secret key; whether
the link still works (not revoked, not expired) is always read from the database, so
revoking takes effect at once. Functions flush and record the audit; the caller's
transaction commits.
"""

import io
from dataclasses import dataclass
from datetime import UTC, datetime

import segno
from itsdangerous import BadSignature, URLSafeSerializer
from sqlmodel import Session, col, func, select

from app import audit
from app.config import get_settings
from app.i18n import N_
from app.models import Invite, Narrative, Partner, User, utcnow
from app.narratives.partners import get_partner
from app.problems import Gone, Invalid, NotFound

SALT = "duiding.invite"
NO_INVITE = N_("Partner %(partner)s has no invite link %(id)s.")
INVITE_NAME_LONG = N_("The name of a link can be at most 200 characters.")
EXPIRY_PAST = N_("Choose a day from today on, or leave it empty.")
INVITE_GONE = N_("This invite link has been revoked or has expired.")


class InviteInvalid(Gone):
    """The link is forged, revoked or expired; the form must not open (410)."""

    def __init__(self) -> None:
        super().__init__(INVITE_GONE)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(get_settings().secret_key, salt=SALT)


def invite_token(invite: Invite) -> str:
    """Return the signed token for ``invite``."""
    return _serializer().dumps({"invite": invite.id})


def invite_url(invite: Invite) -> str:
    """Return the site-relative link a partner opens."""
    return f"/stories/new?invite={invite_token(invite)}"


def partner_page_url(invite: Invite) -> str:
    """Return the site-relative link of the partner's own page (same token)."""
    return f"/partner?invite={invite_token(invite)}"


def get_invite(*, session: Session, partner_id: int, invite_id: int) -> Invite:
    """Return the partner's invite ``invite_id``; raise NotFound otherwise."""
    invite = session.get(Invite, invite_id)
    if invite is None or invite.partner_id != partner_id:
        raise NotFound(NO_INVITE, partner=partner_id, id=invite_id)
    return invite


def create_invite(
    *,
    session: Session,
    partner: Partner,
    expires_at: datetime | None,
    name: str = "",
    user: User | None = None,
) -> Invite:
    """Add a new invite for ``partner``, named for what it is for (a meeting, a team);
    an expiry already past is refused (Invalid)."""
    name = name.strip()
    if len(name) > 200:
        raise Invalid.at("name", INVITE_NAME_LONG)
    if expires_at is not None and expires_at <= utcnow():
        raise Invalid.at("expires_on", EXPIRY_PAST)
    invite = Invite(partner_id=partner.id, expires_at=expires_at, name=name)
    session.add(invite)
    session.flush()
    audit.record(session=session, action="create", entity="invite", entity_id=invite.id, user=user)
    return invite


def revoke_invite(*, session: Session, invite: Invite, user: User | None = None) -> None:
    """Revoke ``invite`` from now on; revoking twice keeps the first moment."""
    if invite.revoked_at is None:
        invite.revoked_at = utcnow()
        session.add(invite)
    audit.record(session=session, action="revoke", entity="invite", entity_id=invite.id, user=user)


def resolve_invite(*, session: Session, token: str) -> tuple[Invite, Partner]:
    """Return the invite and partner behind ``token``, or raise ``InviteInvalid``."""
    try:
        data = _serializer().loads(token)
        invite_id = int(data["invite"])
    except (BadSignature, KeyError, TypeError, ValueError):
        raise InviteInvalid from None
    invite = session.get(Invite, invite_id)
    if invite is None or invite.revoked_at is not None:
        raise InviteInvalid
    if invite.expires_at is not None and invite.expires_at <= utcnow():
        raise InviteInvalid
    return invite, get_partner(session=session, partner_id=invite.partner_id)


@dataclass
class InviteUse:
    """How much a link was used: the stories sent with it and when the last one came."""

    stories: int = 0
    last_used_at: datetime | None = None


def invite_uses(session: Session, invite_ids: list[int]) -> dict[int, InviteUse]:
    """The use of each of ``invite_ids`` (one query); unused links get a zero use."""
    uses = {invite_id: InviteUse() for invite_id in invite_ids}
    if not invite_ids:
        return uses
    rows = session.exec(
        select(Narrative.invite_id, func.count(), func.max(Narrative.submitted_at))
        .where(col(Narrative.invite_id).in_(invite_ids))
        .group_by(col(Narrative.invite_id))
    ).all()
    for invite_id, count, last in rows:
        if invite_id is not None:  # the filter above names invites only
            uses[invite_id] = InviteUse(count, _aware(last))
    return uses


def _aware(moment: datetime | None) -> datetime | None:
    """A max() over a UtcDateTime column may come back naive; it is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def invite_qr_svg(url: str, title: str) -> bytes:
    """The QR code of ``url`` as a stand-alone SVG (black on white, for printing)."""
    code = segno.make(url, error="m")
    out = io.BytesIO()
    code.save(out, kind="svg", scale=8, border=4, title=title, dark="#000", light="#fff")
    return out.getvalue()
