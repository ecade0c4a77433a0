"""The mail outbox: notifications waiting to be sent, and every attempt to send them.

Requests only add rows here (sending never blocks a request); the worker
(``duiding mail send``, also run by the server every minute) delivers them.
"""

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.models._base import UtcDateTime, enum_type, utcnow


class MailStatus(StrEnum):
    pending = "pending"  # waiting for its (next) attempt
    sending = "sending"  # claimed by one worker, being handed to the mail server
    sent = "sent"  # accepted by the mail server
    failed = "failed"  # refused for good (an address the server rejects); kept


class MailMessage(SQLModel, table=True):
    """One e-mail in the outbox."""

    __tablename__ = "mail_message"

    id: int = Field(default=None, primary_key=True)
    key: str = Field(
        max_length=200, unique=True, description="What it notifies about; one message per key."
    )
    kind: str = Field(max_length=30)
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    body: str = Field(max_length=50_000)
    status: MailStatus = Field(
        sa_type=enum_type(MailStatus), default=MailStatus.pending, index=True
    )
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    claimed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_error: str = Field(default="", max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class MailAttempt(SQLModel, table=True):
    """One try to hand a message to the mail server, with what went wrong."""

    __tablename__ = "mail_attempt"

    id: int = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="mail_message.id", index=True, ondelete="CASCADE")
    at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    ok: bool = Field(default=False)
    error: str = Field(default="", max_length=1000)
