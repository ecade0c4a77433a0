"""Narrative date indexes: the latest published (and public) stories read in order.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 17:53:19.366507
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('narrative', schema=None) as batch_op:
        batch_op.create_index('ix_narrative_status_occurred', ['status', 'occurred_on'], unique=False)
        batch_op.create_index('ix_narrative_status_reach_occurred', ['status', 'consent_reach', 'occurred_on'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('narrative', schema=None) as batch_op:
        batch_op.drop_index('ix_narrative_status_reach_occurred')
        batch_op.drop_index('ix_narrative_status_occurred')

