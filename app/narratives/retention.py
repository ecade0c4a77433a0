"""Retention: contact details left with a story are deleted after a set number of days.

Runs from ``duiding maintenance`` (for a daily timer) and at every start-up, so an
instance that is only restarted now and then still forgets on time.
"""

from datetime import datetime, timedelta

from sqlmodel import Session, col, delete

from app.audit import record
from app.config import get_settings
from app.db import get_write_engine
from app.models import utcnow
from app.models.narrative import NarrativeContact


def delete_old_contacts(*, session: Session, days: int, now: datetime | None = None) -> int:
    """Delete contact details older than ``days``; return how many; audited, not committed
    (the caller owns the transaction: ``purge_expired_contacts`` or a test's session)."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    result = session.exec(delete(NarrativeContact).where(col(NarrativeContact.created_at) < cutoff))
    if result.rowcount:
        record(
            session=session,
            action="delete",
            entity="narrative_contact",
            actor="retention",
            detail={"count": result.rowcount, "older_than_days": days},
        )
    session.flush()
    return result.rowcount


def purge_expired_contacts() -> int:
    """Apply the configured retention to the configured database, in one transaction of
    its own: a start-up and maintenance job, not a request, so it commits here."""
    with Session(get_write_engine()) as session:
        count = delete_old_contacts(session=session, days=get_settings().contact_retention_days)
        session.commit()
        return count
