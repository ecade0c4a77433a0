"""search triggers again: the stories' index triggers, lost when 0012 rebuilt narrative

SQLite drops a table's triggers when a batch migration rebuilds the table, and 0012
rebuilt ``narrative`` to add a foreign key: from then on new and published stories no
longer reached the search index. This revision creates every missing search trigger
again with the statements of 0002 and rebuilds the index rows of those tables, so
stories written in between are found too. PostgreSQL altered the table in place and
kept its triggers: nothing to do there.

Revision ID: 0016_search_triggers
Revises: 0015_mail_outbox
Create Date: 2026-12-02 01:40:00
"""

# SQL here is assembled from 0002's constants only, never from input.
# ruff: noqa: S608

import importlib.util
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision: str = "0016_search_triggers"
down_revision: str | None = "0015_mail_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _search_index_revision():
    """Revision 0002, which defines the index's sources and their triggers."""
    path = Path(__file__).with_name("20261123_0002_search_index.py")
    spec = importlib.util.spec_from_file_location("search_index_0002", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    index = _search_index_revision()
    present = {
        name
        for (name,) in bind.execute(sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
    }
    for source in index._sources("sqlite"):
        if {f"search_{source.table}_{event}" for event in ("ai", "au", "ad")} <= present:
            continue
        for event in ("ai", "au", "ad"):
            op.execute(f"DROP TRIGGER IF EXISTS search_{source.table}_{event}")
        for statement in index.sqlite_triggers(source):
            op.execute(statement)
        op.execute(f"DELETE FROM search_document WHERE kind = '{source.kind}'")
        op.execute(
            f"INSERT INTO search_document (rowid, {index.COLUMNS}) "
            f"SELECT {index._rowid(source).format(row='t')}, {index._values(source, 't')} "
            f"FROM {source.table} t WHERE {source.visible.format(row='t')}"
        )


def downgrade() -> None:
    """The triggers belong to 0002; going back keeps them."""
