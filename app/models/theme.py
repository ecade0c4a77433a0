"""Themes: the programme tracks (youth, home support, work and income, debts)."""

from sqlmodel import Field, SQLModel


class ThemeBase(SQLModel):
    slug: str = Field(
        min_length=1, max_length=60, regex=r"^[a-z0-9][a-z0-9-]*$", unique=True, index=True
    )
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=10_000)


class Theme(ThemeBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    problem: str = Field(default="", max_length=10_000, description="The problem it addresses.")
    end_picture: str = Field(
        default="", max_length=10_000, description="How we notice that it works."
    )


class ThemeCreate(ThemeBase):
    pass


class ThemePublic(ThemeBase):
    id: int
