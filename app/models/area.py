"""Areas: the municipality, its districts (wijken) and neighbourhoods (buurten).

One family, for the editor pages and the API alike: ``AreaBase``, the table ``Area``
(its parent by id), ``AreaCreate``, ``AreaUpdate`` and ``AreaPublic`` (the parent by
its code).
"""

from enum import StrEnum

from pydantic import ConfigDict
from pydantic.config import JsonDict
from sqlmodel import Field, SQLModel

from app.models._base import enum_type


class AreaKind(StrEnum):
    municipality = "municipality"
    district = "district"
    neighbourhood = "neighbourhood"


CODE = r"^[A-Za-z0-9_-]+$"


class AreaBase(SQLModel):
    code: str = Field(
        min_length=1,
        max_length=20,
        schema_extra={"pattern": CODE},  # regex= is ignored under pydantic 2
        unique=True,
        index=True,
        description="CBS code such as GM0193 or WK019301, or a local code.",
    )
    name: str = Field(min_length=1, max_length=200)
    kind: AreaKind = Field(sa_type=enum_type(AreaKind), default=AreaKind.district)


class Area(AreaBase, table=True):
    id: int = Field(default=None, primary_key=True)
    parent_id: int | None = Field(default=None, foreign_key="area.id", ondelete="SET NULL")


AREA_EXAMPLE: JsonDict = {
    "code": "WK019301",
    "name": "Binnenstad",
    "kind": "district",
    "parent": "GM0193",
}


class AreaCreate(AreaBase):
    model_config = ConfigDict(json_schema_extra={"examples": [AREA_EXAMPLE]})  # type: ignore[assignment]

    parent: str | None = Field(default=None, description="Code of the parent area.")


class AreaUpdate(SQLModel):
    """Fields of an area that can change; ``parent`` None (when given) means no parent."""

    code: str | None = Field(
        default=None, min_length=1, max_length=20, schema_extra={"pattern": CODE}
    )
    name: str | None = Field(default=None, min_length=1, max_length=200)
    kind: AreaKind | None = None
    parent: str | None = Field(default=None, description="Code of the parent area.")


class AreaPublic(AreaCreate):
    pass
