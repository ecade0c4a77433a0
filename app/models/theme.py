"""Themes: the programme tracks (youth, home support, work and income, debts).

One family, used by the editor pages and the API alike: ``ThemeBase`` (the fields and
their constraints), the table ``Theme``, ``ThemeCreate`` (a new theme), ``ThemeUpdate``
(the fields that may change) and ``ThemePublic`` (what the API answers).
"""

from pydantic import ConfigDict
from pydantic.config import JsonDict
from sqlmodel import Field, SQLModel


class ThemeBase(SQLModel):
    slug: str = Field(
        min_length=1,
        max_length=60,
        schema_extra={"pattern": r"^[a-z0-9][a-z0-9-]*$"},
        unique=True,
        index=True,
    )
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=10_000)


class Theme(ThemeBase, table=True):
    id: int = Field(default=None, primary_key=True)
    problem: str = Field(default="", max_length=10_000, description="The problem it addresses.")
    end_picture: str = Field(
        default="", max_length=10_000, description="How we notice that it works."
    )


THEME_EXAMPLE: JsonDict = {
    "slug": "jeugd",
    "name": "Jeugd",
    "description": "Opgroeien, jeugdhulp en onderwijs.",
}


class ThemeCreate(ThemeBase):
    model_config = ConfigDict(json_schema_extra={"examples": [THEME_EXAMPLE]})  # type: ignore[assignment]


class ThemeUpdate(SQLModel):
    """Fields of a theme that can change; its slug (in addresses) stays."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=10_000)


class ThemePublic(ThemeBase):
    model_config = ConfigDict(json_schema_extra={"examples": [THEME_EXAMPLE]})  # type: ignore[assignment]
