"""Settings changes in the audit log.

Duiding's settings come from the environment, so they change when an operator restarts
the server with other values, not through a page. Switching on public reading or the
public story form changes who sees residents' stories; admins must be able to read back
when that happened. At every start-up the effective settings are compared with the last
ones recorded, and any difference becomes an audit entry by the actor "environment".
An instance without accounts records nothing yet: it is not in use, and it must stay
empty for ``duiding import archive``.
"""

from typing import Any

from sqlmodel import Session, col, select

from app.audit import record
from app.config import Settings, get_settings
from app.db import get_write_engine
from app.models import AuditEntry, User

# What an admin needs to see; never the secret key or the database URL with its password.
AUDITED = (
    "public_stories",
    "public_read",
    "default_language",
    "secure_cookies",
    "max_upload_mb",
    "max_request_kb",
    "contact_retention_days",
    "story_rate_limit",
    "story_rate_window_minutes",
    "small_numbers_threshold",
    "login_max_failures",
    "login_lockout_minutes",
    "consent_version",
)


def audited_values(settings: Settings) -> dict[str, Any]:
    """The settings worth auditing, as JSON-ready values."""
    return {name: getattr(settings, name) for name in AUDITED}


def record_settings_change(*, session: Session, settings: Settings) -> AuditEntry | None:
    """Record the settings when they differ from the last recorded ones; flushed, not
    committed (``audit_settings``, which opens the session, owns the transaction)."""
    last = session.exec(
        select(AuditEntry)
        .where(AuditEntry.entity == "settings")
        .order_by(col(AuditEntry.id).desc())
        .limit(1)
    ).first()
    current = audited_values(settings)
    previous = last.detail.get("values", {}) if last else {}
    changed = {
        name: [previous.get(name), value]
        for name, value in current.items()
        if previous.get(name) != value
    }
    if last is not None and not changed:
        return None
    if last is None and session.exec(select(User.id).limit(1)).first() is None:
        return None
    entry = record(
        session=session,
        action="update" if last else "create",
        entity="settings",
        actor="environment",
        detail={"values": current, "changed": changed if last else {}},
    )
    session.flush()
    return entry


def audit_settings() -> None:
    """Start-up task: record the configured settings if they changed, in a transaction
    of its own (no request's write session exists at start-up)."""
    with Session(get_write_engine()) as session:
        record_settings_change(session=session, settings=get_settings())
        session.commit()
