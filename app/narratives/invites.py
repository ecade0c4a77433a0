"""Signed, revocable invite links that open the story form for one partner.

The token only carries the invite's id, signed with the instance's secret key; whether
the link still works (not revoked, not expired) is always read from the database, so
revoking takes effect at once.
"""

from datetime import datetime

from itsdangerous import BadSignature, URLSafeSerializer
from sqlmodel import Session, col, select

from app.config import get_settings
from app.models import Invite, Partner, utcnow

SALT = "duiding.invite"


class PartnerExists(Exception):
    """A partner with this name is already registered."""


class InviteInvalid(Exception):
    """The link is forged, revoked or expired; the form must not open."""


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(get_settings().secret_key, salt=SALT)


def invite_token(invite: Invite) -> str:
    """Return the signed token for ``invite``."""
    return _serializer().dumps({"invite": invite.id})


def invite_url(invite: Invite) -> str:
    """Return the site-relative link a partner opens."""
    return f"/stories/new?invite={invite_token(invite)}"


def create_partner(*, session: Session, name: str) -> Partner:
    """Add a partner organisation (the caller commits); names are unique."""
    name = name.strip()
    if session.exec(select(Partner).where(Partner.name == name)).first() is not None:
        raise PartnerExists
    partner = Partner(name=name)
    session.add(partner)
    session.flush()
    return partner


def partners_with_invites(session: Session) -> list[tuple[Partner, list[Invite]]]:
    """Every partner, by name, with its invite links (oldest first)."""
    partners = session.exec(select(Partner).order_by(Partner.name)).all()
    return [
        (
            partner,
            list(
                session.exec(
                    select(Invite).where(Invite.partner_id == partner.id).order_by(col(Invite.id))
                )
            ),
        )
        for partner in partners
    ]


def create_invite(*, session: Session, partner: Partner, expires_at: datetime | None) -> Invite:
    """Add a new invite for ``partner`` (the caller commits)."""
    invite = Invite(partner_id=partner.id, expires_at=expires_at)
    session.add(invite)
    session.flush()
    return invite


def revoke_invite(*, session: Session, invite: Invite) -> None:
    """Revoke ``invite`` from now on; revoking twice keeps the first moment."""
    if invite.revoked_at is None:
        invite.revoked_at = utcnow()
        session.add(invite)


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
    return invite, session.get(Partner, invite.partner_id)
