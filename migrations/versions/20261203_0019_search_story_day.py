"""search: the stories of a period, newest first, from an index (PostgreSQL)

The story bound of a search walks a query's newest stories to find the oldest one it
ranks (app/search/index.py). Without a period the walk reads the primary key backwards;
with one, PostgreSQL read every story of the period from the table (a few thousand
pages at the bench's scale) and sorted the rows with their text search vectors on disk:
37-86 ms of a common word's search. ``(kind, day, ref_id)`` gives the period's newest
stories as an index-only scan (about 1 ms). SQLite's FTS5 table has no such index and
needs none: its walk runs inside the full-text index.

Revision ID: 0019_search_story_day
Revises: 0018_observation_series_index
Create Date: 2026-12-03 13:15:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019_search_story_day"
down_revision: str | None = "0018_observation_series_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.create_index("search_document_kind_day", "search_document", ["kind", "day", "ref_id"])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("search_document_kind_day", table_name="search_document")
