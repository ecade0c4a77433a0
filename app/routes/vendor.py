"""The Vega, Vega-Lite and vega-embed JavaScript, served by the app itself (no CDN), and
the favicon (pages link /static/favicon.svg; /favicon.ico leads there, so that no
browser logs a 404).

The bundle comes from the installed vl-convert package; building it takes about a
second, so it is built once, on first request, and kept in memory.
"""

from functools import cache

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

router = APIRouter(include_in_schema=False)


@cache
def vega_bundle() -> str:
    """vega + vega-lite + vega-embed as one script that sets them on ``window``."""
    import vl_convert

    return vl_convert.javascript_bundle()  # type: ignore[call-arg]  # the stub makes it required


@router.get("/static/vendor/vega-bundle.js")
def vega_bundle_js() -> Response:
    return Response(
        vega_bundle(),
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )


@router.get("/favicon.ico")
def favicon() -> RedirectResponse:
    return RedirectResponse(
        "/static/favicon.svg", status_code=301, headers={"Cache-Control": "public, max-age=86400"}
    )
