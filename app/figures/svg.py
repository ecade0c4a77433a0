"""Charts as static SVG, for readers without JavaScript.

vl-convert renders a Vega-Lite spec in about 20 ms but brings ~100 MB of memory, so it
is imported on first use only. A spec carries its data, so the spec text itself is the
data version: the same figures give the same key and are rendered once.
"""

import json
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=128)
def _render(spec_json: str) -> str:
    import vl_convert

    return vl_convert.vegalite_to_svg(spec_json)


def chart_svg(spec: dict[str, Any]) -> str:
    """The SVG of a Vega-Lite spec with a fixed width, from the cache when it has one."""
    return _render(json.dumps(spec, sort_keys=True))
