"""Login throttling that counts every attempt exactly and lets nobody lock out someone
else.

Failures live in the ``login_failure`` table, not in memory, so every worker process
sees the same count. Each attempt first takes a lock on its account and on its address
for the rest of its write transaction (``app.db.hold_key_lock``), then counts, checks
the password and records a failure in that same transaction: a burst of parallel
attempts is checked one at a time, so it is counted exactly and no attempt past the
limit has its password checked, the right one included.

The rules, within ``login_lockout_minutes``:
- an (account, address) pair with ``login_max_failures`` failures is locked;
- an address with ``login_max_failures`` failures (guessing many accounts) is locked;
  either way only the guesser's own address is shut out, never the account's owner;
- an account with ``login_account_failures`` failures from all addresses together
  (guessing from many addresses) is slowed, not locked: one attempt per
  ``login_account_delay_seconds``.
A successful login clears the failures of that account.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, delete, func, or_, select

from app.accounts import normalise_email
from app.config import Settings
from app.db import hold_key_lock
from app.i18n import N_
from app.models import LoginFailure, utcnow

LOCKED = N_(
    "Too many failed attempts to sign in. For your safety, signing in is paused for "
    "%(minutes)s minutes. Please try again later."
)
SLOWED = N_(
    "Many sign-in attempts were made for this account. Wait %(seconds)s seconds and try again."
)


@dataclass(frozen=True)
class Refusal:
    """Why this attempt is not checked: a message id and its values."""

    message: str
    values: dict[str, object] = field(default_factory=dict)


def _recent(settings: Settings):
    return col(LoginFailure.at) >= utcnow() - timedelta(minutes=settings.login_lockout_minutes)


def _count(session: Session, settings: Settings, *conditions) -> int:
    query = select(func.count()).select_from(LoginFailure).where(*conditions, _recent(settings))
    return session.exec(query).one()


def refusal(*, session: Session, settings: Settings, email: str, client: str) -> Refusal | None:
    """Take this attempt's locks and tell whether it must be refused unchecked.

    Call it in the write transaction that then checks the password and records the
    failure: the locks last until that transaction ends."""
    email = normalise_email(email)[:254]
    client = client[:100]
    hold_key_lock(session, f"login-account:{email}")
    hold_key_lock(session, f"login-address:{client}")  # always second: no deadlock
    limit = settings.login_max_failures
    pair = _count(
        session, settings, col(LoginFailure.email) == email, col(LoginFailure.client) == client
    )
    address = _count(session, settings, col(LoginFailure.client) == client)
    if pair >= limit or address >= limit:
        return Refusal(LOCKED, {"minutes": settings.login_lockout_minutes})
    if (
        _count(session, settings, col(LoginFailure.email) == email)
        >= settings.login_account_failures
    ):
        latest = session.exec(
            select(func.max(LoginFailure.at)).where(col(LoginFailure.email) == email)
        ).one()
        delay = timedelta(seconds=settings.login_account_delay_seconds)
        if latest is not None and _aware(latest) > utcnow() - delay:
            return Refusal(SLOWED, {"seconds": settings.login_account_delay_seconds})
    return None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def is_locked(*, session: Session, settings: Settings, email: str, client: str) -> bool:
    """Tell whether this attempt is refused (see ``refusal``)."""
    return refusal(session=session, settings=settings, email=email, client=client) is not None


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
            or_(col(LoginFailure.email) == normalise_email(email), ~_recent(settings))
        )
    )
