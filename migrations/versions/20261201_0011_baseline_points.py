"""Indicators may fix each segment's mean and limits on its first N points (a baseline).

Revision ID: 0011_baseline_points
Revises: 0010_session_generation
Create Date: 2026-12-01 21:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_baseline_points"
down_revision: str | None = "0010_session_generation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.add_column(sa.Column("baseline_points", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.drop_column("baseline_points")
