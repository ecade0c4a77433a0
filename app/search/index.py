"""The two engine adapters over ``search_document`` (see the 0002 migration).

Both return ``Ranked``: rows ``(kind, ref_id, url, day, title, snippet)`` in relevance
order, with matches wrapped in ``MARK_START``/``MARK_END`` so that the caller can escape the
text first and only then turn the markers into ``<mark>`` tags.
"""

from typing import NamedTuple

from sqlalchemy import text
from sqlalchemy.engine import Connection

MARK_START, MARK_END = "\x02", "\x03"
SNIPPET_WORDS = 24

# Optional filters, written once in SQL both engines understand. A session belongs to
# the themes of the indicators it discussed.
KIND_FILTER = "AND d.kind = :kind"
FROM_FILTER = "AND d.day >= :day_from"
TO_FILTER = "AND d.day <= :day_to"
THEME_FILTER = """AND (
    (d.kind = 'story' AND d.ref_id IN (SELECT x.narrative_id FROM narrative_theme x
        JOIN theme t ON t.id = x.theme_id WHERE t.slug = :theme))
    OR (d.kind = 'indicator' AND d.ref_id IN (SELECT x.indicator_id FROM indicator_theme x
        JOIN theme t ON t.id = x.theme_id WHERE t.slug = :theme))
    OR (d.kind = 'question' AND d.ref_id IN (SELECT x.question_id FROM learning_question_theme x
        JOIN theme t ON t.id = x.theme_id WHERE t.slug = :theme))
    OR (d.kind = 'session' AND d.ref_id IN (SELECT s.session_id FROM session_indicator s
        JOIN indicator_theme x ON x.indicator_id = s.indicator_id
        JOIN theme t ON t.id = x.theme_id WHERE t.slug = :theme))
)"""
FILTERS = {"kind": KIND_FILTER, "day_from": FROM_FILTER, "day_to": TO_FILTER, "theme": THEME_FILTER}


def _filters(params: dict) -> str:
    return "\n".join(sql for name, sql in FILTERS.items() if params.get(name) is not None)


#: How many of a query's stories are ranked: the most recently written ones. Ranking
#: scores every row it ranks (~1 µs each in SQLite), so a common word found in 50,000
#: stories cost 50-65 ms however few hits a page shows; the newest thousand cost ~12 ms.
#: The best 50 of those are the recent, relevant ones a journal's reader looks for; a
#: period filter reaches further back, as the bound then counts only stories in that
#: period. Sessions, indicators and learning questions are few and always all ranked:
#: an indicator named by the query must never fall outside because stories are many.
CANDIDATES = 1000

#: A story's rowid is ``id * 4 + 0`` (see the 0002 migration), so ``rowid % 4`` tells a
#: story from the other kinds without reading the row.
STORY_ROWS = "d.rowid % 4 = 0"


class Ranked(NamedTuple):
    """The rows shown, and whether more stories matched than were ranked."""

    rows: list
    bounded: bool


def _bounds_stories(params: dict) -> bool:
    return params.get("kind") in (None, "story")


def _oldest_candidate(connection: Connection, match: str, params: dict) -> int:
    """The rowid from which on the query's newest ``CANDIDATES`` stories lie (0 when it
    matches fewer): FTS5 walks its matches by rowid, newest first, without ranking."""
    sql = f"""
        SELECT d.rowid FROM search_document d
        WHERE search_document MATCH :match AND {STORY_ROWS}
        {_filters(params)}
        ORDER BY d.rowid DESC
        LIMIT 1 OFFSET :skip
    """  # noqa: S608  (only the constant filters above are interpolated)
    values = {**params, "match": match, "skip": CANDIDATES - 1}
    row = connection.execute(text(sql), values).first()
    return row[0] if row else 0


def search_sqlite(connection: Connection, terms: list[str], params: dict, limit: int) -> Ranked:
    """FTS5: every term must occur (the last one as a prefix); titles weigh ten times.
    Only the newest ``CANDIDATES`` stories are ranked, beside every other match;
    highlight and snippet are made for the rows shown."""
    match = " ".join(f'"{term}"' for term in terms) + "*"
    oldest = _oldest_candidate(connection, match, params) if _bounds_stories(params) else 0
    sql = f"""
        SELECT d.kind, d.ref_id, d.url, d.day,
               highlight(search_document, 2, :start, :end) AS title,
               snippet(search_document, 3, :start, :end, '…', {SNIPPET_WORDS}) AS snippet
        FROM search_document d
        WHERE search_document MATCH :match AND (d.rowid >= :oldest OR NOT {STORY_ROWS})
        {_filters(params)}
        ORDER BY bm25(search_document, 0, 0, 10.0, 1.0, 0, 0)
        LIMIT :limit
    """  # noqa: S608  (only the constant filters above are interpolated)
    values = {
        **params,
        "match": match,
        "oldest": oldest,
        "start": MARK_START,
        "end": MARK_END,
        "limit": limit,
    }
    return Ranked(list(connection.execute(text(sql), values)), bounded=oldest > 0)


def index_version_sqlite(connection: Connection) -> bytes:
    """A value that differs after every write to the index.

    FTS5 rewrites its structure record (rowid 10 of ``search_document_data``) whenever a
    transaction changes the index, and a counter of written segments in it only grows,
    so equal records mean an unchanged index (see the FTS5 source, fts5_index.c).
    """
    row = connection.execute(text("SELECT block FROM search_document_data WHERE id = 10")).first()
    return bytes(row[0]) if row else b""


#: PostgreSQL looks for a common word's newest ``CANDIDATES`` stories first among the
#: newest ``WALK_FACTOR`` times as many, read backwards along the primary key: a GIN
#: index gives its matches unordered, and reading all 40,000 of them to sort by id
#: took 33 ms. Only a word in fewer than a quarter of those stories needs the index.
WALK_FACTOR = 4

#: The ranked rows once the story bound is known: the primary key narrows the GIN
#: index's matches (a bitmap AND), so only the candidates are read and scored.
_POSTGRESQL_CANDIDATES = """AND ((d.kind = 'story' AND d.ref_id >= :oldest)
    OR d.kind IN ('session', 'indicator', 'question'))"""


def _oldest_story_postgresql(connection: Connection, query: str, params: dict) -> int:
    """The story id from which on the query's newest ``CANDIDATES`` stories lie (0 when
    it matches fewer), as ``_oldest_candidate`` finds it in SQLite."""
    # The walk carries whether each story matches, not its vector: a period's stories
    # are read through the index of 0019 and sorted by id, and sorting them with their
    # vectors spilled to disk (25-40 ms at the bench's scale).
    scope = f"""
        SELECT d.ref_id, d.document @@ q.query AS hit
        FROM search_document d, to_tsquery('dutch', :query) AS q(query)
        WHERE d.kind = 'story' {_filters(params)}
        ORDER BY d.ref_id DESC LIMIT :walk
    """  # noqa: S608  (only the constant filters above are interpolated)
    newest = f"""
        SELECT w.ref_id FROM ({scope}) w WHERE w.hit
        ORDER BY w.ref_id DESC
        LIMIT 1 OFFSET :skip
    """  # noqa: S608  (only the constant filters above are interpolated)
    every = f"""
        SELECT d.ref_id FROM search_document d, to_tsquery('dutch', :query) AS q(query)
        WHERE d.kind = 'story' AND d.document @@ q.query
        {_filters(params)}
        ORDER BY d.ref_id DESC
        LIMIT 1 OFFSET :skip
    """  # noqa: S608  (only the constant filters above are interpolated)
    walk = WALK_FACTOR * CANDIDATES
    values = {**params, "query": query, "skip": CANDIDATES - 1, "walk": walk}
    row = connection.execute(text(newest), values).first()
    if row is None:
        # A walk shorter than ``walk`` saw every story in scope (a short period), so
        # the word is in fewer than CANDIDATES of them; else the index finds the rest.
        walked = connection.execute(text(f"SELECT count(*) FROM ({scope}) s"), values).scalar()  # noqa: S608
        if walked == walk:
            row = connection.execute(text(every), values).first()
    return row[0] if row else 0


def search_postgresql(connection: Connection, terms: list[str], params: dict, limit: int) -> Ranked:
    """Dutch text search: stemmed terms, all required, the last one as a prefix; only
    the newest ``CANDIDATES`` stories are ranked, beside every other match."""
    query = " & ".join(terms) + ":*"
    oldest = _oldest_story_postgresql(connection, query, params) if _bounds_stories(params) else 0
    candidates = _POSTGRESQL_CANDIDATES if oldest else ""
    options = f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords={SNIPPET_WORDS}, MinWords=8"
    sql = f"""
        SELECT hit.kind, hit.ref_id, hit.url, hit.day,
               ts_headline('dutch', hit.title, hit.query, :title_options) AS title,
               ts_headline('dutch', hit.body, hit.query, :options) AS snippet
        FROM (
            SELECT d.*, q.query, ts_rank(d.document, q.query) AS rank
            FROM search_document d, to_tsquery('dutch', :query) AS q(query)
            WHERE d.document @@ q.query {candidates}
            {_filters(params)}
            ORDER BY rank DESC
            LIMIT :limit
        ) hit
        ORDER BY hit.rank DESC
    """  # noqa: S608  (only the constant filters above are interpolated)
    values = {
        **params,
        "query": query,
        "oldest": oldest,
        "options": options,
        "title_options": options + ", HighlightAll=true",
        "limit": limit,
    }
    return Ranked(list(connection.execute(text(sql), values)), bounded=oldest > 0)
