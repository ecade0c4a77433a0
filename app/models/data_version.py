"""Counters of changes, kept by the database itself, that per-process caches compare.

A counter is raised by triggers (migration 0020) in the same transaction as the change
it counts, so a reader that sees the new counter also sees the change, whichever
process or worker wrote it. ``stories`` counts every change to stories and their links
to themes and indicators (``app.figures.versions.stories_version``).
"""

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel


class DataVersion(SQLModel, table=True):
    """One counter; the row appears with the first change it counts."""

    __tablename__ = "data_version"

    name: str = Field(primary_key=True, max_length=40)
    value: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
