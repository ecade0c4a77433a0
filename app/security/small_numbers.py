"""Small numbers: district values below a threshold are hidden from the public.

When figures are open to anonymous readers (``DUIDING_PUBLIC_READ``), a count of 3
households in one district can point to a resident. Such values are replaced by
"fewer than N" in pages, charts and the API alike; staff still see the real value.

Masking happens where figures are assembled for a reader (``Masking``), after signals
are computed on the true values: a signal may still say "concern", but the value, and
any mean or limit that falls below the threshold, is not revealed.

Hiding one value is not enough when the others are shown: the municipality's total
minus the other districts gives it back. So, as statistical offices do (secondary
suppression), ``suppress`` hides more values of the same period beside a small one:
the smallest other district values, until what is hidden together can no longer be
narrowed down by subtraction (see ``suppress``). A district's own neighbourhoods are
one more such group, with the district's value as their total. ``app/figures/
suppression.py`` applies this to an indicator's stored values; every page, chart, CSV
and JSON answer that shows district values to a masked reader goes through it.
"""

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

from app.i18n import N_, format_number, gettext
from app.models import Area, AreaKind

FEWER_THAN = N_("fewer than %(threshold)s")
#: A value hidden only so that a small number beside it cannot be worked out.
WITHHELD = N_("hidden (protects a small number)")

T = TypeVar("T", bound="DataclassInstance")
K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Masked:
    """A value hidden because it is below ``threshold``; render as "fewer than N".

    ``secondary``: the value itself is not small, it is hidden beside a small one so
    that subtraction cannot reveal that one; it reads "hidden (protects a small number)"
    (saying "fewer than N" of it would be untrue)."""

    threshold: int
    secondary: bool = False

    @property
    def message(self) -> str:
        """The msgid to translate, with ``threshold`` as its value."""
        return WITHHELD if self.secondary else FEWER_THAN

    def text(self, lang: str) -> str:
        """ "fewer than N" (or "hidden ...") in ``lang``."""
        return gettext(lang, self.message, threshold=self.threshold)


def withheld(threshold: int) -> Masked:
    """A secondary suppression: a value hidden so that a small one cannot be derived."""
    return Masked(threshold, secondary=True)


def mask(value: float | int | None, threshold: int) -> float | int | Masked | None:
    """Return ``value``, or ``Masked(threshold)`` when it is below ``threshold``.

    Missing values stay missing, and zero is hidden too: "none in this district" can
    identify as well as "one". Negative values (changes, balances) are not counts and
    are left alone.
    """
    if value is None or value < 0 or value >= threshold:
        return value
    return Masked(threshold)


def suppress(values: Mapping[K, float | None], threshold: int) -> dict[K, Masked]:
    """The cells of one group to hide: the small ones and, beside them, others enough that
    subtraction cannot reveal them (secondary suppression, one period of one figure).

    ``values`` are the cells of a group whose values add up to a total that may be
    published (the districts of the municipality, the neighbourhoods of a district).
    Primary: every value ``mask`` hides (0 up to ``threshold`` - 1). Secondary: when
    any is hidden, the smallest other values (``threshold`` or more) are hidden too, at
    least one, and until their excess over the threshold covers the primaries' own
    room: with S the total minus what is shown, the primaries together are at most
    S - (threshold x secondaries), and that bound must not be tighter than the one
    "fewer than N" already publishes. When no such set exists, the whole group is
    hidden. Missing values and negative ones (not counts) are left alone.

    Returns the hidden keys with their mark (``Masked``, ``secondary`` for the others).
    """
    primary = {k: v for k, v in values.items() if isinstance(mask(v, threshold), Masked)}
    if not primary:
        return {}
    hidden: dict[K, Masked] = dict.fromkeys(primary, Masked(threshold))
    room = sum(threshold - 1 - v for v in primary.values() if v is not None)
    candidates = sorted(
        ((v, k) for k, v in values.items() if v is not None and v >= threshold),
        key=lambda pair: (pair[0], repr(pair[1])),
    )
    excess = 0.0
    for value, key in candidates:
        if len(hidden) > len(primary) and excess >= room:
            break
        hidden[key] = withheld(threshold)
        excess += value - threshold
    return hidden


def suppress_tree(
    values: Mapping[K, float | None],
    parent: Mapping[K, K | None],
    threshold: int,
    *,
    forced: Iterable[K] = (),
) -> dict[K, Masked]:
    """``suppress`` over areas in a hierarchy, for one period of one figure.

    ``values`` are district and neighbourhood values by key, ``parent`` the key of each
    one's parent area (None for the top: the districts of the municipality, whose total
    is published as is). Each set of siblings is one group. When a parent's value is
    hidden, its children (which add up to it) must not all be shown, so the smallest of
    them is hidden too; this repeats until nothing changes. ``forced`` keys are hidden
    as secondary from the start (cells hidden for another reason)."""
    groups: dict[K | None, list[K]] = {}
    for key in values:
        groups.setdefault(parent.get(key), []).append(key)
    hidden: dict[K, Masked] = {k: withheld(threshold) for k in forced if k in values}
    changed = True
    while changed:
        changed = False
        for top, members in groups.items():
            group = {k: values[k] for k in members}
            found = suppress(group, threshold)
            if top in hidden and not found and not any(k in hidden for k in members):
                # A hidden parent: its children would give it back; hide the smallest.
                shown = sorted(
                    (v, repr(k), k) for k, v in group.items() if v is not None and v >= 0
                )
                if shown:
                    found.setdefault(shown[0][2], withheld(threshold))
            already = [k for k in members if k in hidden and k not in found]
            if already and len(already) + len(found) < 2:
                # One cell hidden for another reason: a second one beside it.
                found |= _second(group, hidden, threshold)
            for key, mark in found.items():
                if key not in hidden or (not mark.secondary and hidden[key].secondary):
                    hidden[key] = mark
                    changed = True
    return hidden


def _second(group: Mapping[K, float | None], hidden: Mapping, threshold: int) -> dict[K, Masked]:
    shown = sorted(
        (v, repr(k), k) for k, v in group.items() if k not in hidden and v is not None and v >= 0
    )
    return {shown[0][2]: withheld(threshold)} if shown else {}


def applies(*, public_read: bool, signed_in: bool, area_level: bool) -> bool:
    """Tell whether masking applies: an anonymous reader, a district value."""
    return public_read and not signed_in and area_level


def is_district(area: Area | None) -> bool:
    """Tell whether values of ``area`` are below the municipality (district, neighbourhood)."""
    return area is not None and area.kind != AreaKind.municipality


def display(value: float | int | Masked | None, lang: str, digits: int = 1) -> str:
    """A value as text for ``lang``: "minder dan 5" when masked, else "1.234,5"."""
    if isinstance(value, Masked):
        return value.text(lang)
    return format_number(value, lang, digits)


def plain(value: float | int | Masked | None) -> float | int | None:
    """The value for JSON: a masked value is ``null`` (with its threshold beside it)."""
    return None if isinstance(value, Masked) else value


def shown(value: float | int | Masked | None) -> dict:
    """The JSON fields of a value: ``{"value": 12.0}``, or when masked
    ``{"value": None, "fewer_than": 5}`` (the extra field only where something is hidden,
    so that staff see exactly the documented shape); a value hidden beside a small one
    is ``{"value": None, "withheld": True}``."""
    if isinstance(value, Masked):
        if value.secondary:
            return {"value": None, "withheld": True}
        return {"value": None, "fewer_than": value.threshold}
    return {"value": value}


@dataclass(frozen=True)
class Masking:
    """What one reader may see of district values; ``Masking()`` shows everything."""

    public_read: bool = False
    signed_in: bool = True
    threshold: int = 5

    @property
    def hides_districts(self) -> bool:
        """Whether any district value may be hidden from this reader at all."""
        return applies(public_read=self.public_read, signed_in=self.signed_in, area_level=True)

    def value(self, value: float | int | None, *, area_level: bool) -> float | int | Masked | None:
        """``value``, masked when it is a district value below the threshold for this reader."""
        if applies(public_read=self.public_read, signed_in=self.signed_in, area_level=area_level):
            return mask(value, self.threshold)
        return value

    def numbers(self, record: T, names: tuple[str, ...], *, area_level: bool) -> T:
        """A copy of the dataclass ``record`` with the fields ``names`` masked."""
        changes = {name: self.value(getattr(record, name), area_level=area_level) for name in names}
        return replace(record, **changes)


#: For staff, exports and computations: nothing is hidden.
SHOW_ALL = Masking()
