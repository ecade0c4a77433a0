"""An index for reading a series: the settled-only unique indexes cannot serve it.

Since 0017 the unique indexes on observation hold settled rows only (``import_id IS
NULL``), while every read asks for visible rows (settled, or of a committed import).
That condition does not imply the indexes' one, so SQLite and PostgreSQL scanned the
whole table for each series a page draws.

Revision ID: 0018_observation_series_index
Revises: 0017_chunked_imports
Create Date: 2026-12-02 17:05:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018_observation_series_index"
down_revision: str | None = "0017_chunked_imports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_observation_series", "observation", ["indicator_id", "area_id", "period_start"]
    )


def downgrade() -> None:
    op.drop_index("ix_observation_series", table_name="observation")
