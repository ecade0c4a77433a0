"""Partner organisations: the aggregate that invite links and ideas belong to.

Invite links are in ``app/narratives/invites.py``. Functions flush and record the
audit; the caller's transaction commits.
"""

from sqlmodel import Session, col, select

from app import audit
from app.config import EMAIL
from app.i18n import N_
from app.models import Invite, Partner, User
from app.problems import Conflict, Invalid, NotFound

NAME_MISSING = N_("Give the organisation's name.")
NAME_TAKEN = N_("A partner with this name already exists.")
NO_PARTNER = N_("There is no partner %(id)s.")
BAD_EMAIL = N_("%(email)s is not a valid email address.")


def clean_email(email: str | None) -> str | None:
    """A partner's address, trimmed (None when empty); Invalid when it is no address."""
    email = (email or "").strip()
    if not email:
        return None
    if len(email) > 254 or not EMAIL.fullmatch(email):
        raise Invalid.at("email", BAD_EMAIL, email=email)
    return email


def create_partner(
    *, session: Session, name: str, email: str | None = None, user: User | None = None
) -> Partner:
    """Add a partner organisation; names are unique (Conflict) and not empty (Invalid);
    ``email`` (optional) is where notifications go."""
    name = name.strip()
    if not name:
        raise Invalid.at("name", NAME_MISSING)
    address = clean_email(email)
    if session.exec(select(Partner).where(Partner.name == name)).first() is not None:
        raise Conflict(NAME_TAKEN, field="name")
    partner = Partner(name=name, email=address)
    session.add(partner)
    session.flush()
    audit.record(
        session=session, action="create", entity="partner", entity_id=partner.id, user=user
    )
    return partner


def get_partner(*, session: Session, partner_id: int) -> Partner:
    """Return the partner with ``partner_id``; raise NotFound otherwise."""
    partner = session.get(Partner, partner_id)
    if partner is None:
        raise NotFound(NO_PARTNER, id=partner_id)
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
