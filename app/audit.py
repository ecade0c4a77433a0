"""The audit log: record who changed what, for admins to read back."""

from typing import Any

from sqlmodel import Session

from app.models import AuditEntry, User


def record(
    *,
    session: Session,
    action: str,
    entity: str,
    entity_id: object = "",
    user: User | None = None,
    actor: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an audit entry to ``session``; it is committed with the change it describes.

    ``action`` is a verb ("create", "update", "publish", "hide", "delete"); ``entity``
    the table ("observation", "narrative", ...); ``actor`` says who when there is no
    user ("cli", "invite:12", "import:file.csv").
    """
    entry = AuditEntry(
        user_id=user.id if user else None,
        actor=actor or (user.email if user else "anonymous"),
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        detail=detail or {},
    )
    session.add(entry)
    return entry
