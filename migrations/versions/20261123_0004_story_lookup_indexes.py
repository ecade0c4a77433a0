"""Story lookup indexes: the stories of a district and of a theme found without a scan.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 18:23:22.790435
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('narrative', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_narrative_area_id'), ['area_id'], unique=False)

    with op.batch_alter_table('narrative_theme', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_narrative_theme_theme_id'), ['theme_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('narrative_theme', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_narrative_theme_theme_id'))

    with op.batch_alter_table('narrative', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_narrative_area_id'))

