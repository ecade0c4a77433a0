"""JSON API for partners and their invite links (editors only)."""

from datetime import datetime

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel, Field
from sqlmodel import col, func, select
from starlette.responses import Response

from app.deps import EditorUser, Limit, Offset, SessionDep, WriteSessionDep
from app.models import Invite, Partner, PartnerCreate
from app.models.page import Page
from app.narratives.invites import (
    InviteUse,
    create_invite,
    get_invite,
    invite_url,
    invite_uses,
    partner_page_url,
    revoke_invite,
)
from app.narratives.partners import create_partner, get_partner

router = APIRouter(prefix="/api/v1/partners", tags=["partners"])


class InviteIn(BaseModel):
    expires_at: AwareDatetime | None = None
    name: str = Field(default="", max_length=200, description="What the link is for.")


class InvitePublic(BaseModel):
    id: int
    name: str = ""
    url: str = Field(examples=["/stories/new?invite=..."])
    page_url: str = Field(
        default="", description="The partner's own page, opened with the same token."
    )
    expires_at: str | None = Field(description="ISO 8601 moment, or null: never.")
    revoked_at: str | None
    stories: int = Field(default=0, description="Stories sent with this link.")
    last_used_at: str | None = Field(
        default=None, description="When the last story came with this link, or null."
    )


class PartnerPublic(BaseModel):
    id: int
    name: str
    email: str | None = Field(description="Where notifications go; null: none.")


class PartnerWithInvites(PartnerPublic):
    invites: list[InvitePublic]


def _partner(partner: Partner) -> dict:
    return {"id": partner.id, "name": partner.name, "email": partner.email}


def _invite(invite: Invite, use: InviteUse | None = None) -> dict:
    use = use or InviteUse()
    return {
        "id": invite.id,
        "name": invite.name,
        "url": invite_url(invite),
        "page_url": partner_page_url(invite),
        "expires_at": _iso(invite.expires_at),
        "revoked_at": _iso(invite.revoked_at),
        "stories": use.stories,
        "last_used_at": _iso(use.last_used_at),
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


@router.get("", response_model=Page[PartnerWithInvites])
def list_partners(
    session: SessionDep,
    user: EditorUser,
    limit: Limit = 100,
    offset: Offset = 0,
):
    """List partner organisations with their invite links."""
    total = session.exec(select(func.count()).select_from(Partner)).one()
    partners = session.exec(select(Partner).order_by(Partner.name).offset(offset).limit(limit))
    items = []
    for partner in partners:
        invites = list(
            session.exec(
                select(Invite).where(Invite.partner_id == partner.id).order_by(col(Invite.id))
            )
        )
        uses = invite_uses(session, [i.id for i in invites])
        items.append({**_partner(partner), "invites": [_invite(i, uses[i.id]) for i in invites]})
    return {"items": items, "total": total}


@router.post("", status_code=201, response_model=PartnerPublic)
def add_partner(body: PartnerCreate, session: WriteSessionDep, user: EditorUser):
    """Add a partner organisation; names are unique."""
    return _partner(create_partner(session=session, name=body.name, email=body.email, user=user))


@router.post("/{partner_id}/invites", status_code=201, response_model=InvitePublic)
def new_invite(partner_id: int, body: InviteIn, session: WriteSessionDep, user: EditorUser):
    """Create a signed invite link for the partner, optionally expiring."""
    partner = get_partner(session=session, partner_id=partner_id)
    return _invite(
        create_invite(
            session=session,
            partner=partner,
            expires_at=body.expires_at,
            name=body.name,
            user=user,
        )
    )


@router.delete("/{partner_id}/invites/{invite_id}", status_code=204)
def delete_invite(partner_id: int, invite_id: int, session: WriteSessionDep, user: EditorUser):
    """Revoke an invite link; the form no longer opens from it."""
    invite = get_invite(session=session, partner_id=partner_id, invite_id=invite_id)
    revoke_invite(session=session, invite=invite, user=user)
    return Response(status_code=204)
