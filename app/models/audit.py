"""The audit log: who changed what and when, readable by admins."""

from datetime import datetime
from typing import Any

from sqlmodel import JSON, Column, Field, SQLModel

from app.models._base import UtcDateTime, utcnow


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"

    id: int = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    actor: str = Field(default="", max_length=300, description="Email, 'cli', 'invite:<id>'.")
    action: str = Field(max_length=60)
    entity: str = Field(max_length=60, index=True)
    entity_id: str = Field(default="", max_length=60)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
