"""The NHS "Making Data Count" variation icons, drawn as our own small SVG.

A figure's latest state reads at a glance: grey for usual (common cause) variation,
blue for a special cause on the desired side (improvement), orange against it
(concern), purple when no side is desired (neither), each pointing high or low. The
icon is decoration beside a text label, so it never carries meaning on its own; every
page that shows a figure's latest state (indicator list, dashboard, related figures,
report, chart legends) draws it through ``variation_icon``.
"""

from collections.abc import Sequence
from functools import lru_cache
from typing import Literal

from markupsafe import Markup

from app.figures.signals import SignalPoint
from app.i18n import N_, gettext
from app.models import Direction

Variation = Literal[
    "common",
    "improvement_high",
    "improvement_low",
    "concern_high",
    "concern_low",
    "neither_high",
    "neither_low",
]

#: The text label of each icon, shown beside it (or read out when the label is hidden).
VARIATION_LABELS: dict[str, str] = {
    "common": N_("Usual variation"),
    "improvement_high": N_("Improvement: special cause, high"),
    "improvement_low": N_("Improvement: special cause, low"),
    "concern_high": N_("Concern: special cause, high"),
    "concern_low": N_("Concern: special cause, low"),
    "neither_high": N_("Special cause, high (no desired direction)"),
    "neither_low": N_("Special cause, low (no desired direction)"),
}

_COLOURS = {
    "common": "#5f6b76",
    "improvement": "#005eb8",
    "concern": "#b35600",
    "neither": "#6d3f9c",
}
#: Heights (0 top, 24 bottom) of the five dots inside the circle.
_DOTS = {
    "common": (12, 10, 13, 11, 12),
    "high": (16, 15, 16, 12, 11),
    "low": (8, 9, 8, 12, 13),
}


def variation_of(point: SignalPoint, direction: Direction) -> Variation:
    """The icon of one point: its signal and the side it lies on.

    A point from an old session snapshot has no side stored; its signal and the desired
    direction then tell it (an improvement of a "lower is better" figure lies low)."""
    if point.signal == "common":
        return "common"
    side = point.side
    if side is None:
        desired_low = direction == Direction.down
        side = "low" if (point.signal == "improvement") == desired_low else "high"
        if point.signal == "neither":
            side = "high"
    return f"{point.signal}_{side}"  # type: ignore[return-value]


def latest_variation(points: Sequence[SignalPoint], direction: Direction) -> Variation | None:
    """The icon of a figure's latest point, or None when it has no values."""
    return variation_of(points[-1], direction) if points else None


@lru_cache(maxsize=64)
def variation_icon(kind: str, lang: str, *, label: bool = True) -> Markup:
    """The icon ``kind`` as inline SVG with its text label (visually hidden when
    ``label`` is False, for tight places such as legends and table cells).

    Cached: a period table draws one per period (120 on a ten-year monthly figure), and
    formatting the same few icons again cost more than the rest of the table."""
    text = gettext(lang, VARIATION_LABELS[kind])
    meaning, _, side = kind.partition("_")
    colour = _COLOURS[meaning]
    dot = Markup('<circle cx="{}" cy="{}" r="1.7" fill="{}"/>')
    circles = Markup("").join(
        dot.format(6 + 3 * i, y, colour if side and i >= 3 else _COLOURS["common"])
        for i, y in enumerate(_DOTS[side or "common"])
    )
    letter = (
        Markup(
            '<text x="12" y="{}" font-size="6" font-family="sans-serif" font-weight="700" '
            'text-anchor="middle" fill="{}">{}</text>'
        ).format(8 if side == "high" else 20.5, colour, "H" if side == "high" else "L")
        if side
        else ""
    )
    svg = Markup(
        '<svg class="variation-icon" viewBox="0 0 24 24" width="24" height="24" '
        'aria-hidden="true" focusable="false">'
        '<circle cx="12" cy="12" r="11" fill="#fff" stroke="{}" stroke-width="2"/>{}{}</svg>'
    ).format(colour, circles, letter)
    shown = "variation-label" if label else "visually-hidden"
    wrapper = Markup('<span class="variation variation-{}">{}<span class="{}">{}</span></span>')
    return wrapper.format(kind, svg, shown, text)
