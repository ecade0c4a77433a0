"""Chart layouts kept in the data folder across restarts, so that a server starting on
unchanged code builds none and never imports Altair for them.

A layout (app/figures/charts.py: layers, encodings, colours, no data) is a pure function
of its options and of the code that builds it. Building the first ones after a start
took about two seconds on a 2-core machine (importing Altair 0.9 s, then tens of
milliseconds per layout), and the first visitor of a report or an indicator page paid
for them. Each layout is kept in memory (least recently used first out, as before) and
in the chart store of app/figures/svg.py under a key holding the options, a digest of
the module that builds it and Altair's version: changed code never reads an old layout.
"""

import functools
import hashlib
import inspect
import json
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

from app.figures import svg

Layout = dict[str, Any]


def _options(value: Any) -> Any:
    """JSON for what json.dumps cannot write itself: a set of layers, in a stable order."""
    if isinstance(value, frozenset | set):
        return sorted(value)
    raise TypeError(f"a layout option cannot be {type(value).__name__}")


def kept(maxsize: int) -> Callable[[Callable[..., Layout]], Callable[..., Layout]]:
    """Keep the layouts ``build`` returns: in memory (``maxsize`` of them), and on disk."""

    def decorate(build: Callable[..., Layout]) -> Callable[..., Layout]:
        source = Path(inspect.getfile(build)).read_bytes()
        code = hashlib.sha256(source + version("altair").encode()).hexdigest()[:16]

        @functools.lru_cache(maxsize=maxsize)
        @functools.wraps(build)
        def layout(*options: Any) -> Layout:
            key = f"layout:{build.__name__}:{code}:{json.dumps(options, default=_options)}"
            found = svg.stored(key)
            if not isinstance(found, dict):
                found = build(*options)
                svg.store(key, found)
            return found

        return layout

    return decorate
