"""The bare routes Duiding is compared with: Starlette alone, no middleware, under
uvicorn with ``duiding serve``'s settings (bench/peers.py). What Duiding's pages cost
beyond these is its own middleware, handlers and templates.

- ``/healthz`` answers as a health check does, with nothing behind it;
- ``/search?match=`` runs the plain FTS5 ``MATCH ... LIMIT 50`` of the bench's search
  peer on the SQLite file named by ``BENCH_FTS_FILE``, so that the peer of the search
  page pays for HTTP as the page does: a query in a process costs tenths of a
  millisecond, less than any request through uvicorn.
"""

import os
import sqlite3
from functools import cache

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

FTS_LIMIT = 50
MATCH = "SELECT rowid FROM search_document WHERE search_document MATCH ? LIMIT ?"


async def healthz(request: Request) -> JSONResponse:
    """Answer as a health check does, with nothing behind it."""
    return JSONResponse({"status": "ok"})


@cache
def _connection() -> sqlite3.Connection:
    """One read-only connection, kept as a server keeps its pool's (routes run on the
    event loop's thread, one at a time)."""
    file = os.environ["BENCH_FTS_FILE"]
    return sqlite3.connect(f"file:{file}?mode=ro", uri=True, check_same_thread=False)


async def search(request: Request) -> JSONResponse:
    """The rowids of the first FTS_LIMIT matches of ``match``, unranked, as JSON."""
    rows = _connection().execute(MATCH, (request.query_params["match"], FTS_LIMIT)).fetchall()
    return JSONResponse([rowid for (rowid,) in rows])


app = Starlette(routes=[Route("/healthz", healthz), Route("/search", search)])
