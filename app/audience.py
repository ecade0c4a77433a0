"""Who reads: the roles' order and what each may see (DESIGN.md, "Who may do what").

A plain module: domain code asks it about a reader without importing the web framework;
``app.deps`` builds it for a request.
"""

from app.models import Role, User

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
