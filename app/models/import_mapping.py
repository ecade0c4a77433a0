"""Import mappings: how the columns of one kind of spreadsheet were read, to reuse next time.

A research department sends the same export every quarter. The mapping an editor
confirmed in the preview (layout, which column is what, a figure or period for all
rows, area names mapped by hand) is kept under the file's header, so the next upload
with that header is read the same way without asking again.
"""

from datetime import datetime

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from app.models._base import UtcDateTime, utcnow


class ImportMapping(SQLModel, table=True):
    __tablename__ = "import_mapping"

    id: int = Field(default=None, primary_key=True)
    source: str = Field(
        max_length=64, unique=True, index=True, description="Digest of the sheet and its header."
    )
    mapping: dict = Field(default_factory=dict, sa_type=JSON)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    updated_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
