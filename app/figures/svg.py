"""Charts as static SVG, for readers without JavaScript and for the half-year report.

A spec carries its data, its locale and its size, so a digest of the spec's text is the
data version of what the chart shows: the same figures in the same language give the
same key, and a revised value, another language or another size a new one. Rendered
SVGs are kept under that key in the data folder (``cache/charts``, a size-bounded
diskcache, shared by the server's workers and kept across restarts), so a chart is
rendered once per data version and never again per request, and a server that starts on
unchanged data needs no renderer at all. The chart layouts the specs are filled from
are kept in the same store (app/figures/chart_layouts.py).

vl-convert renders a Vega-Lite spec in about 20 ms but brings 100 to 300 MB of memory,
so it draws in a child process started only when an SVG is really rendered (a key not
in the store) and gone when it has been idle a while (app/figures/renderer.py).
"""

import hashlib
import json
import threading
from pathlib import Path
from typing import Any

from app.config import get_settings

#: The store's size on disk; the oldest stored charts make way beyond it. A large
#: municipality's report is about 200 charts of 20-30 kB each.
STORE_BYTES = 128 * 1024 * 1024

_lock = threading.Lock()
_open: tuple[Path, Any] | None = None


def _store() -> Any:
    """The chart store of the configured data folder (one open at a time: a test, or a
    changed setting, points elsewhere and the previous one is closed)."""
    global _open
    folder = Path(get_settings().data_dir) / "cache" / "charts"
    with _lock:
        if _open is None or _open[0] != folder:
            import diskcache

            if _open is not None:
                _open[1].close()
            _open = (folder, diskcache.Cache(str(folder), size_limit=STORE_BYTES))
        return _open[1]


def spec_key(spec: dict[str, Any]) -> str:
    """The data version of a chart: a digest of its spec (data, locale and size)."""
    text = json.dumps(spec, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def stored(key: str) -> Any:
    """What was stored under ``key`` (an SVG, or a chart layout of app/figures/chart_layouts.py),
    or None."""
    return _store().get(key)


def store(key: str, value: Any) -> None:
    _store().set(key, value)


def stored_svg(key: str) -> str | None:
    """The SVG rendered earlier for ``key``, or None when there is none (yet)."""
    found = stored(key)
    return found if isinstance(found, str) else None


def render(spec: dict[str, Any]) -> str:
    """Render a spec with vl-convert, in its child process."""
    from app.figures import renderer

    return renderer.svg(spec)


#: Keys being rendered right now, each with the event set when its SVG is stored.
_rendering: dict[str, threading.Event] = {}


def chart_svg(spec: dict[str, Any]) -> str:
    """The SVG of a Vega-Lite spec with a fixed width: from the store when this data
    version was rendered before, otherwise rendered now and stored.

    One thread renders a key at a time; another asking for it meanwhile waits and reads
    what it stored. vl-convert renders one chart at a time whichever thread asks, so the
    first reader of a report after a start, racing the warm-up through the same 200
    charts, waited for both renders of each (the bench's large report on an empty chart
    store: 28.6 s, then 23.3 s)."""
    key = spec_key(spec)
    while (found := stored_svg(key)) is None:
        with _lock:
            busy = _rendering.get(key)
            if busy is None:
                _rendering[key] = mine = threading.Event()
        if busy is not None:
            busy.wait()  # then read it from the store (or render it, if that failed)
            continue
        try:
            found = render(spec)
            store(key, found)
        finally:
            with _lock:
                del _rendering[key]
            mine.set()
        break
    return found
