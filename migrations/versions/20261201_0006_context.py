"""Context events, learning-question versions and expected movements, theme expectations.

Context events get their period notations, the session that noted them, and the
indicators and districts they touch. Every existing learning question gets its first
version (its current text), so that each question has a wording history from here on.

Revision ID: 0006_context
Revises: 0005
Create Date: 2026-12-01 21:34:23.948874
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models._base


revision: str = '0006_context'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('expected_movement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('direction', sa.Enum('up', 'down', 'neutral', name='direction', native_enum=False, length=20), nullable=False),
    sa.Column('within_months', sa.Integer(), nullable=False),
    sa.Column('stated_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['learning_question.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('expected_movement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_expected_movement_indicator_id'), ['indicator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_expected_movement_question_id'), ['question_id'], unique=False)

    op.create_table('theme_result',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('theme_result', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_result_theme_id'), ['theme_id'], unique=False)

    op.create_table('question_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', app.models._base.UtcDateTime(), nullable=False),
    sa.Column('changed_by', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['learning_question.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['reflection_session.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('question_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_version_question_id'), ['question_id'], unique=False)

    op.create_table('theme_result_indicator',
    sa.Column('result_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['result_id'], ['theme_result.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('result_id', 'indicator_id')
    )
    op.create_table('context_event_area',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['context_event.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'area_id')
    )
    op.create_table('context_event_indicator',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['context_event.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'indicator_id')
    )
    op.create_table('theme_recalibration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.Column('changed_on', sa.Date(), nullable=False),
    sa.Column('what', sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=False),
    sa.Column('why', sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['context_event.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('theme_recalibration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_recalibration_theme_id'), ['theme_id'], unique=False)

    with op.batch_alter_table('context_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('start_frequency', sa.Enum('year', 'half', 'quarter', 'month', 'week', 'day', name='frequency', native_enum=False, length=20), nullable=False, server_default='day'))
        batch_op.add_column(sa.Column('end_frequency', sa.Enum('year', 'half', 'quarter', 'month', 'week', 'day', name='frequency', native_enum=False, length=20), nullable=True))
        batch_op.add_column(sa.Column('session_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_context_event_session_id'), ['session_id'], unique=False)
        batch_op.create_foreign_key('fk_context_event_session_id_reflection_session', 'reflection_session', ['session_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('question_status_change', schema=None) as batch_op:
        batch_op.add_column(sa.Column('changed_by', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False, server_default=''))

    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('problem', sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('end_picture', sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False, server_default=''))

    op.execute(
        "INSERT INTO question_version (question_id, text, reason, changed_at, changed_by) "
        "SELECT id, text, '', created_at, '' FROM learning_question"
    )


def downgrade() -> None:
    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.drop_column('end_picture')
        batch_op.drop_column('problem')

    with op.batch_alter_table('question_status_change', schema=None) as batch_op:
        batch_op.drop_column('changed_by')

    with op.batch_alter_table('context_event', schema=None) as batch_op:
        batch_op.drop_constraint('fk_context_event_session_id_reflection_session', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_context_event_session_id'))
        batch_op.drop_column('session_id')
        batch_op.drop_column('end_frequency')
        batch_op.drop_column('start_frequency')

    with op.batch_alter_table('theme_recalibration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_theme_recalibration_theme_id'))

    op.drop_table('theme_recalibration')
    op.drop_table('context_event_indicator')
    op.drop_table('context_event_area')
    op.drop_table('theme_result_indicator')
    with op.batch_alter_table('question_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_version_question_id'))

    op.drop_table('question_version')
    with op.batch_alter_table('theme_result', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_theme_result_theme_id'))

    op.drop_table('theme_result')
    with op.batch_alter_table('expected_movement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_expected_movement_question_id'))
        batch_op.drop_index(batch_op.f('ix_expected_movement_indicator_id'))

    op.drop_table('expected_movement')
