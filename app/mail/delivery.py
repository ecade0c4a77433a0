"""The worker that empties the outbox: ``duiding mail send``, and every minute in the server.

Each run first queues what is due today (the editors' digest, reminders of actions
that fall due), then hands due messages to the SMTP server one by one:

- a message is claimed first (``pending`` -> ``sending`` in one conditional UPDATE), so
  two workers never send the same one; it is marked ``sent`` once the server accepted it;
- every try is logged (``mail_attempt``) with the error, and the message keeps the last
  one; a failure schedules the next try with exponential backoff (1 minute, doubling, at
  most 6 hours), without end: an unreachable server never loses a message;
- a message the server refuses for good (5xx for the recipient) is ``failed``, kept;
- no transaction is open while talking to the mail server (SQLite's write lock is
  never held for a slow network).

A worker that dies between the server's acceptance and marking it sent leaves the
message ``sending``; after STALE_CLAIM it is tried again with the same Message-ID, so
mail systems that deduplicate on it show it once.
"""

import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from app.config import Settings, get_settings
from app.db import write_transaction
from app.mail import notices
from app.models import MailAttempt, MailMessage, MailStatus, utcnow

log = logging.getLogger("duiding.mail")

BATCH = 100
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
STALE_CLAIM = timedelta(minutes=15)
ERROR_MAX = 1000


@dataclass
class Outcome:
    """What one run did."""

    queued: int = 0
    sent: int = 0
    failed: int = 0  # refused for good
    deferred: int = 0  # to be tried again later
    errors: list[str] = field(default_factory=list)


def backoff(attempts: int) -> timedelta:
    """The wait before the next try after ``attempts`` failed ones."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


def queue_due(*, session: Session, today: date) -> int:
    """Queue today's digest and the reminders of actions that fall due."""
    return notices.moderation_digest(session=session, today=today) + notices.actions_due(
        session=session, today=today
    )


def _due(session: Session, now: datetime) -> list[int]:
    stale = now - STALE_CLAIM
    return list(
        session.exec(
            select(MailMessage.id)
            .where(
                or_(
                    (col(MailMessage.status) == MailStatus.pending)
                    & (col(MailMessage.next_attempt_at) <= now),
                    (col(MailMessage.status) == MailStatus.sending)
                    & (col(MailMessage.claimed_at) < stale),
                )
            )
            .order_by(col(MailMessage.next_attempt_at), col(MailMessage.id))
            .limit(BATCH)
        ).all()
    )


def _claim(message_id: int, now: datetime) -> MailMessage | None:
    """Take the message for this worker, or None when another worker took it first."""
    with write_transaction() as session:
        taken = session.exec(
            update(MailMessage)
            .where(
                col(MailMessage.id) == message_id,
                or_(
                    col(MailMessage.status) == MailStatus.pending,
                    (col(MailMessage.status) == MailStatus.sending)
                    & (col(MailMessage.claimed_at) < now - STALE_CLAIM),
                ),
            )
            .values(status=MailStatus.sending, claimed_at=now)
        )
        if taken.rowcount != 1:
            return None
        return session.get(MailMessage, message_id)


def _record(message: MailMessage, error: str, permanent: bool = False) -> None:
    """Store the outcome of one try and log it as an attempt."""
    now = utcnow()
    with write_transaction() as session:
        row = session.get(MailMessage, message.id)
        if row is None:
            return
        row.attempts += 1
        row.claimed_at = None
        if not error:
            row.status, row.sent_at, row.last_error = MailStatus.sent, now, ""
        else:
            row.last_error = error[:ERROR_MAX]
            row.status = MailStatus.failed if permanent else MailStatus.pending
            row.next_attempt_at = now + backoff(row.attempts)
        session.add(row)
        session.add(MailAttempt(message_id=row.id, at=now, ok=not error, error=error[:ERROR_MAX]))


def email_of(message: MailMessage, settings: Settings) -> EmailMessage:
    """The message as it goes over the wire; its Message-ID follows from its id, so a
    retry after a crash is recognisable as the same message."""
    email = EmailMessage()
    email["From"] = settings.smtp_from
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = format_datetime(message.created_at)
    domain = settings.smtp_from.rpartition("@")[2]
    email["Message-ID"] = make_msgid(
        f"duiding.{message.id}.{message.key.replace(':', '.')}", domain
    )
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body)
    return email


def connect(settings: Settings) -> smtplib.SMTP:
    """Open an (authenticated) connection to the configured mail server."""
    timeout = settings.smtp_timeout_seconds
    context = ssl.create_default_context()
    if settings.smtp_security == "ssl":
        server: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.smtp_host, settings.mail_port, timeout=timeout, context=context
        )
    else:
        server = smtplib.SMTP(settings.smtp_host, settings.mail_port, timeout=timeout)
        if settings.smtp_security == "starttls":
            server.starttls(context=context)
    if settings.smtp_username:
        server.login(settings.smtp_username, settings.smtp_password.get_secret_value())
    return server


def _describe(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refusals = [
            f"{code} {said.decode(errors='replace') if isinstance(said, bytes) else said}"
            for code, said in error.recipients.values()
        ]
        return f"{type(error).__name__}: {'; '.join(refusals)}"
    if isinstance(error, smtplib.SMTPResponseException):
        text = (
            error.smtp_error.decode(errors="replace")
            if isinstance(error.smtp_error, bytes)
            else str(error.smtp_error)
        )
        return f"{type(error).__name__}: {error.smtp_code} {text}"
    return f"{type(error).__name__}: {error}"


def _permanent(error: BaseException) -> bool:
    """A refusal of this message itself (a 5xx for the recipient or the content), not of
    the connection: trying again would not help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPDataError | smtplib.SMTPSenderRefused):
        return error.smtp_code >= 500
    return False


def deliver(*, settings: Settings | None = None, now: datetime | None = None) -> Outcome:
    """Send the due messages; a connection failure defers them all (nothing is lost)."""
    settings = settings or get_settings()
    outcome = Outcome()
    if not settings.mail_enabled:
        return outcome
    with write_transaction() as session:
        outcome.queued = queue_due(session=session, today=(now or utcnow()).date())
    now = now or utcnow()  # after queueing: what was queued just now is due
    with write_transaction() as session:
        due = _due(session, now)
    server: smtplib.SMTP | None = None
    try:
        for message_id in due:
            message = _claim(message_id, now)
            if message is None:
                continue
            try:
                if server is None:
                    server = connect(settings)
                server.send_message(email_of(message, settings))
            except (OSError, smtplib.SMTPException) as error:
                said = _describe(error)
                permanent = _permanent(error)
                _record(message, said, permanent)
                outcome.errors.append(f"message {message.id} to {message.to_address}: {said}")
                if permanent:
                    outcome.failed += 1
                    continue
                outcome.deferred += 1
                if server is not None and isinstance(error, smtplib.SMTPResponseException):
                    continue  # the server answered: the others may still go
                _close(server)
                server = None
                # The server is unreachable: leave the rest for the next run.
                outcome.deferred += _defer_rest(due[due.index(message_id) + 1 :], said)
                break
            _record(message, "")
            outcome.sent += 1
    finally:
        _close(server)
    if outcome.errors:
        log.warning(
            "mail: %s sent, %s deferred, %s failed; %s",
            outcome.sent,
            outcome.deferred,
            outcome.failed,
            outcome.errors[0],
        )
    return outcome


def _defer_rest(message_ids: list[int], error: str) -> int:
    """Give the messages this run could not reach the server for the same error and
    their next try (an attempt each: the server was unreachable for them too)."""
    now = utcnow()
    deferred = 0
    with write_transaction() as session:
        rows = session.exec(
            select(MailMessage).where(
                col(MailMessage.id).in_(message_ids), MailMessage.status == MailStatus.pending
            )
        ).all()
        for row in rows:
            row.attempts += 1
            row.last_error = error[:ERROR_MAX]
            row.next_attempt_at = now + backoff(row.attempts)
            session.add(row)
            session.add(MailAttempt(message_id=row.id, at=now, ok=False, error=error[:ERROR_MAX]))
            deferred += 1
    return deferred


def _close(server: smtplib.SMTP | None) -> None:
    if server is None:
        return
    try:
        server.quit()
    except (OSError, smtplib.SMTPException):
        server.close()


def status(*, session: Session) -> dict[str, int]:
    """How many messages are in each state."""
    counts = dict.fromkeys((s.value for s in MailStatus), 0)
    for state in session.exec(select(MailMessage.status)).all():
        counts[MailStatus(state).value] += 1
    return counts
