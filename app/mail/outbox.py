"""Queue e-mails in the outbox. Nothing here talks to a mail server.

A message is queued only when mail is on (``DUIDING_SMTP_HOST``): otherwise a later
switch-on would flood people with old news. Each message has a key naming what it is
about ("request:12:partner:3"); a key is queued once, so a retried request or two
workers queueing the same digest never send a message twice.
"""

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.config import get_settings
from app.models import MailMessage, utcnow

SUBJECT_MAX = 300
BODY_MAX = 50_000


def queue(
    *, session: Session, key: str, kind: str, to: str, subject: str, body: str
) -> MailMessage | None:
    """Add a message to the outbox (flushed, not committed); None when mail is off, the
    address is empty, or a message with ``key`` was queued before."""
    to = (to or "").strip()
    if not get_settings().mail_enabled or not to:
        return None
    if session.exec(select(MailMessage.id).where(MailMessage.key == key)).first() is not None:
        return None
    message = MailMessage(
        key=key[:200],
        kind=kind,
        to_address=to,
        subject=" ".join(subject.split())[:SUBJECT_MAX],
        body=body[:BODY_MAX],
        next_attempt_at=utcnow(),
    )
    try:
        with session.begin_nested():  # another worker queued the same key meanwhile
            session.add(message)
    except IntegrityError:
        return None
    return message
