"""Shared column helpers and enumerations used by several aggregates."""

from datetime import UTC, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """Return the current time in UTC (timezone-aware), the only clock the models use."""
    return datetime.now(UTC)


class Frequency(StrEnum):
    """How often an indicator is measured; also the granularity of a period."""

    year = "year"
    half = "half"
    quarter = "quarter"
    month = "month"
    week = "week"
    day = "day"


class Direction(StrEnum):
    """The desired movement of an indicator; only colours signals, never a target."""

    up = "up"
    down = "down"
    neutral = "neutral"


class UtcDateTime(TypeDecorator):
    """A timestamp stored as naive UTC and always read back timezone-aware.

    SQLite has no time zones and PostgreSQL's ``timestamp`` would apply the session's;
    normalising at the boundary makes both engines return the same instant.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use app.models.utcnow()")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def enum_type(enum: type[StrEnum]) -> sa.Enum:
    """Store an enumeration as its plain string values (no native PostgreSQL type).

    Values rather than member names keep raw SQL and bulk imports readable, and a
    VARCHAR column lets a later release add a value without an ALTER TYPE.
    """
    return sa.Enum(
        enum,
        native_enum=False,
        length=20,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )
