"""Observation status: how final a published value is (CBS: Voorlopig, Nader voorlopig, Definitief).

Existing values get "" (not stated). A revision keeps the status its value had.

Revision ID: 0007_observation_status
Revises: 0006_context
Create Date: 2026-12-01 21:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007_observation_status"
down_revision: str | None = "0006_context"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("observation", "observation_revision")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column(
                    "status",
                    sqlmodel.sql.sqltypes.AutoString(length=20),
                    nullable=False,
                    server_default="",
                )
            )


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("status")
