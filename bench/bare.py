"""The bare route ``/healthz`` is compared with: Starlette alone, no middleware, no
database, under uvicorn with ``duiding serve``'s settings (bench/peers.py). What
Duiding's ``/healthz`` costs beyond this is its own middleware and handler."""

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


async def healthz(request: Request) -> JSONResponse:
    """Answer as a health check does, with nothing behind it."""
    return JSONResponse({"status": "ok"})


app = Starlette(routes=[Route("/healthz", healthz)])
