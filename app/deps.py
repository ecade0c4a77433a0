"""FastAPI dependencies shared by all routers: database sessions, the reader, roles.

One authorisation rule set (DESIGN.md, "Who may do what") lives here; routes only
declare which of these aliases they need.
"""

from typing import Annotated

from fastapi import Depends, Query, Request
from sqlmodel import Session

from app.audience import Audience, has_role, is_council, is_staff
from app.config import Settings, get_settings
from app.db import get_session, get_write_session
from app.figures.indicators import get_indicator
from app.models import Indicator, Role, User
from app.narratives.reach import reach_of
from app.problems import AuthRequired, Forbidden
from app.security.small_numbers import Masking

# DESIGN.md: every list takes ``limit`` (default 100, at most 1000) and ``offset``.
Limit = Annotated[int, Query(ge=1, le=1000, description="At most this many items.")]
# Larger offsets overflow the integer parameters of SQLite and PostgreSQL (a 500).
MAX_OFFSET = 2**31 - 1
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Skip this many items first.")]

SessionDep = Annotated[Session, Depends(get_session)]
# scope="function": the commit happens before the response is sent (db.get_write_session).
WriteSessionDep = Annotated[Session, Depends(get_write_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def optional_user(request: Request) -> User | None:
    """Return the user the auth middleware found for this request, if any."""
    return getattr(request.state, "user", None)


def require_role(role: Role):
    """Build a dependency that returns the user, or refuses anyone below ``role``."""

    def dependency(request: Request) -> User:
        user = optional_user(request)
        if user is None:
            raise AuthRequired
        if not has_role(user, role):
            raise Forbidden
        return user

    return dependency


def reader(request: Request, settings: SettingsDep) -> User | None:
    """Allow figures, timelines, published stories and reports to readers.

    Anonymous visitors may read only when ``DUIDING_PUBLIC_READ`` is on.
    """
    user = optional_user(request)
    if user is None and not settings.public_read:
        raise AuthRequired
    return user


def masking(request: Request, settings: SettingsDep) -> Masking:
    """What this reader may see of district values: anonymous readers and council
    members (who read what the council reads, not staff work) see no small numbers."""
    user = optional_user(request)
    return Masking(
        public_read=settings.public_read or is_council(user),
        signed_in=is_staff(user),
        threshold=settings.small_numbers_threshold,
    )


def audience(
    user: Annotated[User | None, Depends(reader)], shown: Annotated[Masking, Depends(masking)]
) -> Audience:
    """Who reads this request: the reader, the stories they may see, the masking."""
    return Audience(user=user, reach=reach_of(user), masking=shown)


def council_member(request: Request) -> User:
    """Return the signed-in council member, or refuse anyone else (staff answer, not ask)."""
    user = optional_user(request)
    if user is None:
        raise AuthRequired
    if not is_council(user):
        raise Forbidden
    return user


def staff_or_nobody(request: Request) -> User | None:
    """Return the signed-in staff member or None; refuse a council member, who reads
    reports and figures only (the story and idea forms, for instance)."""
    user = optional_user(request)
    if user is not None and not is_staff(user):
        raise Forbidden
    return user


OptionalUser = Annotated[User | None, Depends(optional_user)]
Reader = Annotated[User | None, Depends(reader)]
ViewerUser = Annotated[User, Depends(require_role(Role.viewer))]
EditorUser = Annotated[User, Depends(require_role(Role.editor))]
AdminUser = Annotated[User, Depends(require_role(Role.admin))]
#: Who reads (reader, consent reach, small-number masking): pages and answers that
#: show figures or stories take this; ``Reader`` alone only gates access.
AudienceDep = Annotated[Audience, Depends(audience)]
CouncilUser = Annotated[User, Depends(council_member)]
#: The story and idea forms: staff, invite links and (if on) anyone, not the council.
FormUser = Annotated[User | None, Depends(staff_or_nobody)]


def indicator_by_slug(slug: str, session: SessionDep) -> Indicator:
    """Look up the indicator named in the path, or answer 404."""
    return get_indicator(session=session, slug=slug)


IndicatorDep = Annotated[Indicator, Depends(indicator_by_slug)]
