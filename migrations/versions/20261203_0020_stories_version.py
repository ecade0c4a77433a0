"""stories version: a counter raised with every change to stories and their links

Pages that place figures among their stories read thousands of published stories per
request (a theme's stories, at the bench's scale 8,000 of 50,000). Keeping them per
process needs a cheap value that tells whether anything changed, written in the same
transaction as the change so that every worker sees both at once: ``data_version``'s
row ``stories``, raised by triggers on ``narrative``, ``narrative_theme`` and
``narrative_indicator``.

SQLite raises it in a row trigger (writers take turns there anyway). PostgreSQL raises
it once per transaction, at commit, from a deferred constraint trigger: an ordinary
trigger would hold the row's lock from a story's first statement to its commit, and a
bulk write would update the row once per story.

A batch migration that rebuilds one of these tables drops its SQLite triggers (as 0012
did to the search triggers, see 0016); create them again there.

Revision ID: 0020_stories_version
Revises: 0019_search_story_day
Create Date: 2026-12-03 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_stories_version"
down_revision: str | None = "0019_search_story_day"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("narrative", "narrative_theme", "narrative_indicator")
RAISE = (
    "INSERT INTO data_version (name, value) VALUES ('stories', 1) "
    "ON CONFLICT (name) DO UPDATE SET value = data_version.value + 1"
)


def upgrade() -> None:
    op.create_table(
        "data_version",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION stories_version_raise() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF current_setting('duiding.stories_raised', true) IS DISTINCT FROM 'on' THEN
                    PERFORM set_config('duiding.stories_raised', 'on', true);
                    {RAISE};
                END IF;
                RETURN NULL;
            END $$
            """
        )
        for table in TABLES:
            op.execute(
                f"CREATE CONSTRAINT TRIGGER stories_version AFTER INSERT OR UPDATE OR DELETE "
                f"ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                f"EXECUTE FUNCTION stories_version_raise()"
            )
        return
    for table in TABLES:
        for action in ("insert", "update", "delete"):
            op.execute(
                f"CREATE TRIGGER stories_version_{table}_{action[0]} AFTER {action.upper()} "
                f"ON {table} BEGIN {RAISE}; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS stories_version ON {table}")
        op.execute("DROP FUNCTION IF EXISTS stories_version_raise()")
    else:
        for table in TABLES:
            for action in "iud":
                op.execute(f"DROP TRIGGER IF EXISTS stories_version_{table}_{action}")
    op.drop_table("data_version")
