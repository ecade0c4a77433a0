"""Areas: the municipality, its districts (wijken) and neighbourhoods (buurten)."""

from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.models._base import enum_type


class AreaKind(StrEnum):
    municipality = "municipality"
    district = "district"
    neighbourhood = "neighbourhood"


class AreaBase(SQLModel):
    code: str = Field(
        min_length=1,
        max_length=20,
        regex=r"^[A-Za-z0-9_-]+$",
        unique=True,
        index=True,
        description="CBS code such as GM0193 or WK019301, or a local code.",
    )
    name: str = Field(min_length=1, max_length=200)
    kind: AreaKind = Field(sa_type=enum_type(AreaKind), default=AreaKind.district)


class Area(AreaBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    parent_id: int | None = Field(default=None, foreign_key="area.id", ondelete="SET NULL")


class AreaCreate(AreaBase):
    parent: str | None = Field(default=None, description="Code of the parent area.")


class AreaPublic(AreaBase):
    id: int
    parent: str | None = None
