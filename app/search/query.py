"""Search as the pages use it: a safe query from free text, filters, highlighted hits.

The user's text is never handed to the engine's query syntax: it is cut into words,
each word is quoted (FTS5) or joined with ``&`` (PostgreSQL), so unbalanced quotes,
``AND``/``NEAR``, colons or stars in a query are just text and never an error.
"""

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from markupsafe import Markup, escape
from sqlalchemy.engine import Connection

from app.search.index import MARK_END, MARK_START, search_postgresql, search_sqlite

MAX_TERMS = 12
DEFAULT_LIMIT = 50
WORD = re.compile(r"\w+")


class Kind(StrEnum):
    """What a hit is; the order is the order of the type filter on the page."""

    story = "story"
    session = "session"
    indicator = "indicator"
    question = "question"


@dataclass(frozen=True)
class Filters:
    kind: Kind | None = None
    theme: str | None = None
    day_from: date | None = None
    day_to: date | None = None


@dataclass(frozen=True)
class Hit:
    kind: Kind
    ref_id: int
    url: str
    day: date | None
    title: Markup
    snippet: Markup


def terms_of(text: str) -> list[str]:
    """The words of a query, lower-cased, at most ``MAX_TERMS`` (the rest is ignored)."""
    return [word.lower() for word in WORD.findall(text)][:MAX_TERMS]


def highlighted(text: str | None) -> Markup:
    """Escape stored text, then turn the engine's match markers into ``<mark>``."""
    safe = escape(text or "")
    return safe.replace(MARK_START, Markup("<mark>")).replace(MARK_END, Markup("</mark>"))


def search(
    connection: Connection, text: str, filters: Filters = Filters(), limit: int = DEFAULT_LIMIT
) -> list[Hit]:
    """Find what matches every word of ``text``, best first (empty text finds nothing)."""
    terms = terms_of(text)
    if not terms:
        return []
    params = {
        "kind": filters.kind and filters.kind.value,
        "theme": filters.theme or None,
        "day_from": filters.day_from and filters.day_from.isoformat(),
        "day_to": filters.day_to and filters.day_to.isoformat(),
    }
    engine_search = search_sqlite if connection.dialect.name == "sqlite" else search_postgresql
    rows = engine_search(connection, terms, params, limit)
    return [
        Hit(
            kind=Kind(row.kind),
            ref_id=row.ref_id,
            url=row.url,
            day=date.fromisoformat(row.day) if isinstance(row.day, str) else row.day,
            title=highlighted(row.title),
            snippet=highlighted(row.snippet),
        )
        for row in rows
    ]
