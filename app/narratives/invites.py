"""Signed, revocable invite links that open the story form for one partner.

The partners themselves are in ``app/narratives/partners.py``.

The token only carries the invite's id, signed with the instance's secret key; whether
the link still works (not revoked, not expired) is always read from the database, so
revoking takes effect at once. Functions flush and record the audit; the caller's
transaction commits.
"""

from datetime import datetime

from itsdangerous import BadSignature, URLSafeSerializer
from sqlmodel import Session

from app import audit
from app.config import get_settings
from app.i18n import N_
from app.models import Invite, Partner, User, utcnow
from app.problems import NotFound

SALT = "duiding.invite"
NO_INVITE = N_("Partner %(partner)s has no invite link %(id)s.")


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


def get_invite(*, session: Session, partner_id: int, invite_id: int) -> Invite:
    """Return the partner's invite ``invite_id``; raise NotFound otherwise."""
    invite = session.get(Invite, invite_id)
    if invite is None or invite.partner_id != partner_id:
        raise NotFound(NO_INVITE, partner=partner_id, id=invite_id)
    return invite


def create_invite(
    *, session: Session, partner: Partner, expires_at: datetime | None, user: User | None = None
) -> Invite:
    """Add a new invite for ``partner``."""
    invite = Invite(partner_id=partner.id, expires_at=expires_at)
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
    return invite, session.get(Partner, invite.partner_id)
