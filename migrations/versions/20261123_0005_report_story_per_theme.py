"""Report stories per theme: a story chosen for one theme is not chosen for the others.

The choices made so far are kept for every theme of their story, which is how they
were shown until now.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 19:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _create(columns: list[str]) -> None:
    op.create_table(
        'report_story',
        sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        *(
            [sa.Column('theme_id', sa.Integer(), nullable=False)]
            if 'theme_id' in columns
            else []
        ),
        sa.Column('narrative_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['narrative_id'], ['narrative.id'], ondelete='CASCADE'),
        *(
            [sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], ondelete='CASCADE')]
            if 'theme_id' in columns
            else []
        ),
        sa.PrimaryKeyConstraint(*columns),
    )


def upgrade() -> None:
    op.execute('CREATE TABLE report_story_old AS SELECT period, narrative_id FROM report_story')
    op.drop_table('report_story')
    _create(['period', 'theme_id', 'narrative_id'])
    op.execute(
        'INSERT INTO report_story (period, theme_id, narrative_id) '
        'SELECT DISTINCT old.period, nt.theme_id, old.narrative_id FROM report_story_old old '
        'JOIN narrative_theme nt ON nt.narrative_id = old.narrative_id'
    )
    op.drop_table('report_story_old')


def downgrade() -> None:
    op.execute(
        'CREATE TABLE report_story_old AS SELECT DISTINCT period, narrative_id FROM report_story'
    )
    op.drop_table('report_story')
    _create(['period', 'narrative_id'])
    op.execute(
        'INSERT INTO report_story (period, narrative_id) '
        'SELECT period, narrative_id FROM report_story_old'
    )
    op.drop_table('report_story_old')
