"""The two engine adapters over ``search_document`` (see the 0002 migration).

Both return rows ``(kind, ref_id, url, day, title, snippet)`` in relevance order,
with matches wrapped in ``MARK_START``/``MARK_END`` so that the caller can escape the
text first and only then turn the markers into ``<mark>`` tags.
"""

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


#: How many of a query's matches SQLite ranks: the most recently indexed ones. bm25
#: scores every row it ranks (~1 µs each), so a common word found in 50,000 stories cost
#: 50-65 ms however few hits a page shows; the newest thousand cost ~12 ms. The best
#: 50 of those are the recent, relevant ones a journal's reader looks for; a period
#: filter reaches further back, as the bound then counts only matches in that period.
CANDIDATES = 1000


def _oldest_candidate(connection: Connection, match: str, params: dict) -> int:
    """The rowid from which on the query's newest ``CANDIDATES`` matches lie (0 when it
    has fewer): FTS5 walks its matches by rowid, newest first, without ranking them."""
    sql = f"""
        SELECT d.rowid FROM search_document d
        WHERE search_document MATCH :match
        {_filters(params)}
        ORDER BY d.rowid DESC
        LIMIT 1 OFFSET :skip
    """  # noqa: S608  (only the constant filters above are interpolated)
    values = {**params, "match": match, "skip": CANDIDATES - 1}
    row = connection.execute(text(sql), values).first()
    return row[0] if row else 0


def search_sqlite(connection: Connection, terms: list[str], params: dict, limit: int):
    """FTS5: every term must occur (the last one as a prefix); titles weigh ten times.
    Only the newest ``CANDIDATES`` matches are ranked; highlight and snippet are made
    for the rows shown."""
    match = " ".join(f'"{term}"' for term in terms) + "*"
    sql = f"""
        SELECT d.kind, d.ref_id, d.url, d.day,
               highlight(search_document, 2, :start, :end) AS title,
               snippet(search_document, 3, :start, :end, '…', {SNIPPET_WORDS}) AS snippet
        FROM search_document d
        WHERE search_document MATCH :match AND d.rowid >= :oldest
        {_filters(params)}
        ORDER BY bm25(search_document, 0, 0, 10.0, 1.0, 0, 0)
        LIMIT :limit
    """  # noqa: S608  (only the constant filters above are interpolated)
    values = {
        **params,
        "match": match,
        "oldest": _oldest_candidate(connection, match, params),
        "start": MARK_START,
        "end": MARK_END,
        "limit": limit,
    }
    return connection.execute(text(sql), values).all()


def index_version_sqlite(connection: Connection) -> bytes:
    """A value that differs after every write to the index.

    FTS5 rewrites its structure record (rowid 10 of ``search_document_data``) whenever a
    transaction changes the index, and a counter of written segments in it only grows,
    so equal records mean an unchanged index (see the FTS5 source, fts5_index.c).
    """
    row = connection.execute(text("SELECT block FROM search_document_data WHERE id = 10")).first()
    return bytes(row[0]) if row else b""


def search_postgresql(connection: Connection, terms: list[str], params: dict, limit: int):
    """Dutch text search: stemmed terms, all required, the last one as a prefix."""
    query = " & ".join(terms) + ":*"
    options = f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords={SNIPPET_WORDS}, MinWords=8"
    sql = f"""
        SELECT hit.kind, hit.ref_id, hit.url, hit.day,
               ts_headline('dutch', hit.title, hit.query, :title_options) AS title,
               ts_headline('dutch', hit.body, hit.query, :options) AS snippet
        FROM (
            SELECT d.*, q.query, ts_rank(d.document, q.query) AS rank
            FROM search_document d, to_tsquery('dutch', :query) AS q(query)
            WHERE d.document @@ q.query
            {_filters(params)}
            ORDER BY rank DESC
            LIMIT :limit
        ) hit
        ORDER BY hit.rank DESC
    """  # noqa: S608  (only the constant filters above are interpolated)
    values = {
        **params,
        "query": query,
        "options": options,
        "title_options": options + ", HighlightAll=true",
        "limit": limit,
    }
    return connection.execute(text(sql), values).all()
