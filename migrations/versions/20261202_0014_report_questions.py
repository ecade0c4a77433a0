"""Council members (role council) and their questions to half-year reports.

Revision ID: 0014_report_questions
Revises: 0013_observation_removed
Create Date: 2026-12-02 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models._base

revision: str = "0014_report_questions"
down_revision: str | None = "0013_observation_removed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The role column is a VARCHAR(20) (no native enum, no CHECK): "council" fits as is.
    op.create_table(
        "report_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("theme_slug", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.Column("frozen_report_id", sa.Integer(), nullable=True),
        sa.Column("question", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("asked_at", app.models._base.UtcDateTime(), nullable=False),
        sa.Column("asked_by_id", sa.Integer(), nullable=True),
        sa.Column("answer", sqlmodel.sql.sqltypes.AutoString(length=20000), nullable=False),
        sa.Column("answered_at", app.models._base.UtcDateTime(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["frozen_report_id"], ["frozen_report.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["asked_by_id"], ["user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["answered_by_id"], ["user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("report_question", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_question_period"), ["period"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_report_question_frozen_report_id"), ["frozen_report_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("report_question", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_question_frozen_report_id"))
        batch_op.drop_index(batch_op.f("ix_report_question_period"))
    op.drop_table("report_question")
