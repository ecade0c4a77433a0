"""The indexes of an import's rows hold those rows only, not the settled ones.

``observation.import_id`` and ``replaced_by`` are NULL for every settled row. Indexed
in full, PostgreSQL could take the index to find ``import_id IS NULL`` rows: settling
an import looked up, for each of its rows, the settled row it replaces that way, and
read every settled row for each (minutes for 1,000,000 rows) whenever the statistics
said settled rows were few, as they are right after a large first import. Partial
indexes serve what they are for (the rows of one import) and cannot serve that.

Revision ID: 0021_partial_import_indexes
Revises: 0020_stories_version
Create Date: 2026-12-04 20:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_partial_import_indexes"
down_revision: str | None = "0020_stories_version"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("import_id", "replaced_by")


def upgrade() -> None:
    for column in COLUMNS:
        op.drop_index(f"ix_observation_{column}", table_name="observation")
        where = sa.text(f"{column} IS NOT NULL")
        op.create_index(
            f"ix_observation_{column}",
            "observation",
            [column],
            sqlite_where=where,
            postgresql_where=where,
        )


def downgrade() -> None:
    for column in COLUMNS:
        op.drop_index(f"ix_observation_{column}", table_name="observation")
        op.create_index(f"ix_observation_{column}", "observation", [column])
