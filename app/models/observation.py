"""Observations: one value of an indicator for a period and area, with its history.

An observation row always holds the current value. When a value changes, the old one
moves to ``observation_revision`` with the moment it stopped being true, so that the
figures "as known on date D" can be rebuilt and nothing is ever lost.

A large import writes its values in many short transactions, yet readers see all of
it or none of it (``app.figures.staging``): its new values are rows with its
``import_id`` and the rows they replace carry it as ``replaced_by``; until the
import's ``observation_import`` row is committed, the first stay hidden and the
second visible, after it the other way round. Every ORM query of ``Observation``
gets that rule (``visible_observations``, added to each statement by a session
event), so no reader has to know; raw SQL over ``observation`` must add it itself.
Once committed, the import settles its rows into the ordinary shape (old values to
``observation_revision``, both columns NULL), a chunk at a time.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, Index, and_, event, or_, select, text
from sqlalchemy.orm import ORMExecuteState, with_loader_criteria
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, SQLModel, col

from app.models._base import UtcDateTime, utcnow


class ObservationStatus(StrEnum):
    """How final a published value is, as its publisher (CBS) says; "" when not stated.

    CBS publishes a figure first as provisional ("Voorlopig"), may revise it
    ("Nader voorlopig") and finally declares it definitive ("Definitief"); a later
    status for the same value is a revision like a changed value.
    """

    unstated = ""
    provisional = "provisional"
    revised_provisional = "revised_provisional"
    definitive = "definitive"


STATUS_LENGTH = 20
SETTLED_AREA = "area_id IS NOT NULL AND import_id IS NULL"
SETTLED_TOTAL = "area_id IS NULL AND import_id IS NULL"


class ObservationImport(SQLModel, table=True):
    """One import that writes observations in chunks; its rows count once committed.

    Rows of an import never committed (it failed, or its process was killed) stay
    hidden and are removed by the next import, which also finishes settling one that
    was committed but not yet settled."""

    __tablename__ = "observation_import"

    id: int = Field(default=None, primary_key=True)
    started_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    committed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class Observation(SQLModel, table=True):
    __table_args__ = (
        # One settled value per indicator, area and period (an import's own rows sit
        # beside the ones they replace until it settles). Area NULL means the whole
        # municipality; NULLs never collide in a unique index, hence the second one.
        Index(
            "uq_observation_area_period",
            "indicator_id",
            "area_id",
            "period_start",
            unique=True,
            sqlite_where=text(SETTLED_AREA),
            postgresql_where=text(SETTLED_AREA),
        ),
        Index(
            "uq_observation_total_period",
            "indicator_id",
            "period_start",
            unique=True,
            sqlite_where=text(SETTLED_TOTAL),
            postgresql_where=text(SETTLED_TOTAL),
        ),
        # How every page reads a series (indicator, area or NULL, periods in order). The
        # two above cannot serve it: the visibility rule (import_id NULL *or* of a
        # committed import) does not imply their ``import_id IS NULL``, so without this
        # one each series read scanned the whole table (68 ms at 624,000 rows, 0.3 ms
        # with it; migration 0018).
        Index("ix_observation_series", "indicator_id", "area_id", "period_start"),
        # The rows an import wrote or replaces, to find them by import; settled rows
        # (NULL, nearly all) are left out, so that no plan can take these indexes to
        # find the settled rows, which would read every settled row for each one
        # looked up (migration 0021).
        *(
            Index(
                f"ix_observation_{column}",
                column,
                sqlite_where=text(f"{column} IS NOT NULL"),
                postgresql_where=text(f"{column} IS NOT NULL"),
            )
            for column in ("import_id", "replaced_by")
        ),
    )

    id: int = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicator.id", ondelete="CASCADE")
    area_id: int | None = Field(default=None, foreign_key="area.id", ondelete="RESTRICT")
    period_start: date = Field(description="First day of the period.")
    value: float
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    source: str = Field(default="", max_length=300, description="File name, 'api' or 'form'.")
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    status: str = Field(
        default="",
        max_length=STATUS_LENGTH,
        sa_column_kwargs={"server_default": ""},
        description="An ObservationStatus: provisional, revised_provisional, definitive or ''.",
    )
    import_id: int | None = Field(
        default=None, description="The import that wrote it, until it settles."
    )
    replaced_by: int | None = Field(
        default=None, description="The import whose row replaces it once committed."
    )


def visible_observations(table: type[Observation] = Observation) -> ColumnElement[bool]:
    """The rows readers see: none of an uncommitted import, none it committed a new one for."""
    committed = select(col(ObservationImport.id)).where(
        col(ObservationImport.committed_at).is_not(None)
    )
    return and_(
        or_(col(table.import_id).is_(None), col(table.import_id).in_(committed)),
        or_(col(table.replaced_by).is_(None), col(table.replaced_by).not_in(committed)),
    )


@event.listens_for(OrmSession, "do_orm_execute")
def _only_visible(state: ORMExecuteState) -> None:
    """Add ``visible_observations`` to every ORM select, update and delete."""
    if state.is_select or state.is_update or state.is_delete:
        state.statement = state.statement.options(
            with_loader_criteria(Observation, visible_observations, include_aliases=True)
        )


class ObservationRevision(SQLModel, table=True):
    """A value that was true from ``recorded_at`` until ``superseded_at``."""

    __tablename__ = "observation_revision"

    id: int = Field(default=None, primary_key=True)
    observation_id: int = Field(foreign_key="observation.id", index=True, ondelete="CASCADE")
    value: float
    recorded_at: datetime = Field(sa_type=UtcDateTime)
    superseded_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    source: str = Field(default="", max_length=300)
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    status: str = Field(
        default="", max_length=STATUS_LENGTH, sa_column_kwargs={"server_default": ""}
    )


class ObservationRemoved(SQLModel, table=True):
    """A value of an observation that an editor deleted, kept with its indicator, area
    and period (its observation row is gone): true from ``recorded_at`` until
    ``superseded_at``. Deleting moves the current value here (superseded at the
    deletion) and every revision of it too, so the values "as known on date D" still
    show it before it was deleted."""

    __tablename__ = "observation_removed"

    id: int = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicator.id", index=True, ondelete="CASCADE")
    area_id: int | None = Field(default=None, foreign_key="area.id", ondelete="CASCADE")
    period_start: date
    value: float
    recorded_at: datetime = Field(sa_type=UtcDateTime)
    superseded_at: datetime = Field(sa_type=UtcDateTime)
    source: str = Field(default="", max_length=300)
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    status: str = Field(
        default="", max_length=STATUS_LENGTH, sa_column_kwargs={"server_default": ""}
    )
