"""The shape of every list the API answers (DESIGN.md): ``{"items": [...], "total": n}``."""

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list: its items, and how many match regardless of limit and offset."""

    items: list[T]
    total: int = Field(description="All matching items, regardless of limit and offset.")
