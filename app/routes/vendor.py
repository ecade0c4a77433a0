"""The Vega, Vega-Lite and vega-embed JavaScript, served by the app itself (no CDN), and
the favicon (pages link /static/favicon.svg; /favicon.ico serves it too, so that no
browser logs a 404).

The bundle comes from the installed vl-convert package (in its child process:
app/figures/renderer.py); building it takes about a second, so it is built once, on
first request, and kept in memory.
"""

import contextlib
import os
from functools import cache
from importlib import metadata
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

from app.config import get_settings
from app.figures import renderer

router = APIRouter(include_in_schema=False)


@cache
def vega_bundle() -> str:
    """vega + vega-lite + vega-embed as one script that sets them on ``window``.

    Kept under the data folder per vl-convert version, so that only the first start
    after an upgrade builds it (the warm-up does, in the background: app/warmup.py).
    The version is read from the package's metadata: starting vl-convert just to name
    the file would start its JavaScript engine (some 60 MB) when a stored bundle needs
    none of it."""
    folder = get_settings().data_dir / "cache"
    path = folder / f"vega-bundle-{_vl_convert_version()}.js"
    with contextlib.suppress(OSError):
        return path.read_text(encoding="utf-8")
    bundle = renderer.javascript_bundle()
    with contextlib.suppress(OSError):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(bundle, encoding="utf-8")
        partial.replace(path)  # whole or not at all, also with several workers
    return bundle


def _vl_convert_version() -> str:
    try:
        return metadata.version("vl-convert-python")
    except metadata.PackageNotFoundError:
        return "unknown"


@router.get("/static/vendor/vega-bundle.js")
def vega_bundle_js() -> Response:
    return Response(
        vega_bundle(),
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )


FAVICON = Path(__file__).parent.parent / "static" / "favicon.svg"


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    """The favicon's SVG itself (browsers read it by its type, whatever the name)."""
    return FileResponse(
        FAVICON, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"}
    )
