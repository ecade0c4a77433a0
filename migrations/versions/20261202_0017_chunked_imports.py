"""Imports in chunks: an import's rows stay hidden until it commits (observation_import).

Revision ID: 0017_chunked_imports
Revises: 0016_search_triggers
Create Date: 2026-12-02 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models._base

revision: str = "0017_chunked_imports"
down_revision: str | None = "0016_search_triggers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = {
    "uq_observation_area_period": "area_id IS NOT NULL",
    "uq_observation_total_period": "area_id IS NULL",
}
NEW = {name: f"{where} AND import_id IS NULL" for name, where in OLD.items()}
COLUMNS = {
    "uq_observation_area_period": ["indicator_id", "area_id", "period_start"],
    "uq_observation_total_period": ["indicator_id", "period_start"],
}


def _indexes(wheres: dict[str, str]) -> None:
    for name, where in wheres.items():
        op.drop_index(name, table_name="observation")
        op.create_index(
            name,
            "observation",
            COLUMNS[name],
            unique=True,
            sqlite_where=sa.text(where),
            postgresql_where=sa.text(where),
        )


def upgrade() -> None:
    op.create_table(
        "observation_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", app.models._base.UtcDateTime(), nullable=False),
        sa.Column("committed_at", app.models._base.UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    # Plain ADD COLUMN (no table rebuild): observation may hold millions of rows.
    op.add_column("observation", sa.Column("import_id", sa.Integer(), nullable=True))
    op.add_column("observation", sa.Column("replaced_by", sa.Integer(), nullable=True))
    op.create_index("ix_observation_import_id", "observation", ["import_id"])
    op.create_index("ix_observation_replaced_by", "observation", ["replaced_by"])
    _indexes(NEW)


def downgrade() -> None:
    # Rows of unsettled imports cannot stay once the unique indexes hold for all rows.
    op.execute("DELETE FROM observation WHERE import_id IS NOT NULL")
    op.execute("UPDATE observation SET replaced_by = NULL")
    _indexes(OLD)
    op.drop_index("ix_observation_replaced_by", table_name="observation")
    op.drop_index("ix_observation_import_id", table_name="observation")
    with op.batch_alter_table("observation") as batch_op:
        batch_op.drop_column("replaced_by")
        batch_op.drop_column("import_id")
    op.drop_table("observation_import")
