"""Login throttling: too many failures per email or per client address lock login briefly.

Failures live in the ``login_failure`` table, not in memory, so every worker process
sees the same count. A successful login clears the failures of that email.
"""

from datetime import timedelta

from sqlmodel import Session, delete, func, or_, select

from app.accounts import normalise_email
from app.config import Settings
from app.models import LoginFailure, utcnow


def _recent(settings: Settings):
    return LoginFailure.at >= utcnow() - timedelta(minutes=settings.login_lockout_minutes)


def is_locked(*, session: Session, settings: Settings, email: str, client: str) -> bool:
    """Tell whether this email or this client address has failed too often lately."""
    email = normalise_email(email)
    counts = [
        session.exec(
            select(func.count()).select_from(LoginFailure).where(column == value, _recent(settings))
        ).one()
        for column, value in ((LoginFailure.email, email), (LoginFailure.client, client))
    ]
    return max(counts) >= settings.login_max_failures


def record_failure(*, session: Session, email: str, client: str) -> None:
    """Note a failed login (committed by the caller)."""
    session.add(LoginFailure(email=normalise_email(email)[:254], client=client[:100]))


def clear_failures(*, session: Session, settings: Settings, email: str) -> None:
    """Forget the failures of this email, and any that have expired.

    The client's failures stay: signing in to one's own account must not reset the
    count of someone guessing other accounts from the same address.
    """
    session.execute(
        delete(LoginFailure).where(
            or_(LoginFailure.email == normalise_email(email), ~_recent(settings))
        )
    )
