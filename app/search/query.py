"""Search as the pages use it: a safe query from free text, filters, highlighted hits.

The user's text is never handed to the engine's query syntax: it is cut into words,
each word is quoted (FTS5) or joined with ``&`` (PostgreSQL), so unbalanced quotes,
``AND``/``NEAR``, colons or stars in a query are just text and never an error.
"""

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from markupsafe import Markup, escape
from sqlalchemy.engine import Connection

from app.search.index import (
    CANDIDATES,
    MARK_END,
    MARK_START,
    Ranked,
    index_version_sqlite,
    search_postgresql,
    search_sqlite,
)

MAX_TERMS = 12
DEFAULT_LIMIT = 50
WORD = re.compile(r"\w+")
#: Rankings kept per process (about 10 kB each).
CACHED_SEARCHES = 256


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


@dataclass(frozen=True)
class Results:
    """The hits shown, best first. ``bounded``: more than ``CANDIDATES`` stories matched,
    and only the newest of them were ranked (the page says so and offers a period)."""

    hits: list[Hit]
    bounded: bool = False

    @property
    def candidates(self) -> int:
        """How many stories are ranked at most, for the page's sentence."""
        return CANDIDATES


def terms_of(text: str) -> list[str]:
    """The words of a query, lower-cased, at most ``MAX_TERMS`` (the rest is ignored)."""
    return [word.lower() for word in WORD.findall(text)][:MAX_TERMS]


#: Markdown syntax as it shows in a snippet of a stored body, read as plain text: links
#: and images keep their text, emphasis, code, headings, quotes and list marks go. A
#: snippet is a window on the text, so a link may be cut off before its address ends.
_MARKDOWN = [
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)?"), r"\1"),
    (re.compile(r"\]\([^)\s]*\)?"), ""),  # a link whose text began before the window
    (re.compile(r"</?[A-Za-z][^<>\x02\x03]*>"), " "),
    (re.compile(r"(?m)^[ \t]*(?:#{1,6}|>+|[-*+]|\d+[.)])[ \t]+"), ""),
    (re.compile(r"\*+|~~|`+|(?<![^\W_])_+|_+(?![^\W_])"), ""),
    (re.compile(r"\s+"), " "),
]


def plain_text(markdown: str | None) -> str:
    """A Markdown fragment (a snippet of a story or session note) as the words it shows."""
    text = markdown or ""
    for pattern, replacement in _MARKDOWN:
        text = pattern.sub(replacement, text)
    return text.strip()


def highlighted(text: str | None) -> Markup:
    """Escape stored text, then turn the engine's match markers into ``<mark>``."""
    safe = escape(text or "")
    return safe.replace(MARK_START, Markup("<mark>")).replace(MARK_END, Markup("</mark>"))


class _RankedCache:
    """Recent SQLite rankings, each valid for one version of the index.

    Ranking is the cost of a search, even bounded to the newest stories (~12 ms for a
    common word at 50,000 stories). Rankings are reused only while the index is
    unchanged and only for queries that read the index alone (a theme filter reads
    other tables, so it is never cached); results are therefore the same as a fresh
    search would give.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.rows: OrderedDict[tuple, Ranked] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple) -> Ranked | None:
        with self.lock:
            rows = self.rows.get(key)
            if rows is not None:
                self.rows.move_to_end(key)
            return rows

    def put(self, key: tuple, rows: Ranked) -> None:
        with self.lock:
            self.rows[key] = rows
            self.rows.move_to_end(key)
            while len(self.rows) > self.size:
                self.rows.popitem(last=False)


_rankings = _RankedCache(CACHED_SEARCHES)


def _ranked(connection: Connection, terms: list[str], params: dict, limit: int) -> Ranked:
    if connection.dialect.name != "sqlite":
        return search_postgresql(connection, terms, params, limit)
    if params["theme"] is not None:
        return search_sqlite(connection, terms, params, limit)
    version = (str(connection.engine.url), index_version_sqlite(connection))
    key = (version, tuple(terms), tuple(params.items()), limit)
    ranked = _rankings.get(key)
    if ranked is None:
        ranked = search_sqlite(connection, terms, params, limit)
        _rankings.put(key, ranked)
    return ranked


def search(
    connection: Connection, text: str, filters: Filters = Filters(), limit: int = DEFAULT_LIMIT
) -> Results:
    """Find what matches every word of ``text``, best first (empty text finds nothing)."""
    terms = terms_of(text)
    if not terms:
        return Results([])
    params = {
        "kind": filters.kind and filters.kind.value,
        "theme": filters.theme or None,
        "day_from": filters.day_from and filters.day_from.isoformat(),
        "day_to": filters.day_to and filters.day_to.isoformat(),
    }
    ranked = _ranked(connection, terms, params, limit)
    hits = [
        Hit(
            kind=Kind(row.kind),
            ref_id=row.ref_id,
            url=row.url,
            day=date.fromisoformat(row.day) if isinstance(row.day, str) else row.day,
            title=highlighted(row.title),
            snippet=highlighted(plain_text(row.snippet)),
        )
        for row in ranked.rows
    ]
    return Results(hits, ranked.bounded)
