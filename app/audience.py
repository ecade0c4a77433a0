"""Who reads: the roles' order and what each may see (DESIGN.md, "Who may do what").

A plain module: domain code asks it about a reader without importing the web framework;
``app.deps`` builds the request's ``Audience`` (``AudienceDep``) in one place.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.models import Role, User
from app.security.small_numbers import Masking

if TYPE_CHECKING:  # app.narratives.reach asks this module about roles
    from app.narratives.reach import Reach

#: Staff roles, weakest first: each may do what the ones before it may. A council
#: member (``council``, raadslid) is no staff: below every staff role, they read the
#: reports, the figures and the stories meant for the council, and ask about a report.
ROLE_RANK = {Role.council: 0, Role.viewer: 1, Role.editor: 2, Role.admin: 3}


def has_role(user: User | None, role: Role) -> bool:
    """Tell whether ``user`` holds ``role`` or a stronger one."""
    return user is not None and ROLE_RANK[user.role] >= ROLE_RANK[role]


def is_staff(user: User | None) -> bool:
    """Tell whether ``user`` is municipal staff (viewer or more), not a council member."""
    return has_role(user, Role.viewer)


def is_council(user: User | None) -> bool:
    """Tell whether ``user`` is a council member (raadslid)."""
    return user is not None and user.role == Role.council


@dataclass(frozen=True)
class Audience:
    """Who reads a page or an answer, in one object: the reader (None: anonymous, with
    public read on), the stories they may see (``reach``, the consent-reach rule of
    ``app.narratives.reach``) and how small numbers are shown to them (``masking``)."""

    user: User | None
    reach: "Reach"
    masking: Masking

    @property
    def anonymous(self) -> bool:
        return self.user is None

    def has_role(self, role: Role) -> bool:
        """Tell whether the reader holds ``role`` or a stronger one."""
        return has_role(self.user, role)

    @property
    def is_staff(self) -> bool:
        return is_staff(self.user)
