"""Import mappings: the column mapping an editor confirmed, kept per kind of spreadsheet.

Revision ID: 0008_import_mapping
Revises: 0007_observation_status
Create Date: 2026-12-01 22:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from app.models._base import UtcDateTime

revision: str = "0008_import_mapping"
down_revision: str | None = "0007_observation_status"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "import_mapping",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user.id"],
            name=op.f("fk_import_mapping_updated_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_mapping")),
    )
    with op.batch_alter_table("import_mapping") as batch:
        batch.create_index(batch.f("ix_import_mapping_source"), ["source"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("import_mapping") as batch:
        batch.drop_index(batch.f("ix_import_mapping_source"))
    op.drop_table("import_mapping")
