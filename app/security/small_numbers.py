"""Small numbers: district values below a threshold are hidden from the public.

When figures are open to anonymous readers (``DUIDING_PUBLIC_READ``), a count of 3
households in one district can point to a resident. Such values are replaced by
"fewer than N" in pages, charts and the API alike; staff still see the real value.

Masking happens where figures are assembled for a reader (``Masking``), after signals
are computed on the true values: a signal may still say "concern", but the value, and
any mean or limit that falls below the threshold, is not revealed.
"""

from dataclasses import dataclass, replace
from typing import TypeVar

from app.i18n import N_, format_number, gettext
from app.models import Area, AreaKind

FEWER_THAN = N_("fewer than %(threshold)s")

T = TypeVar("T")


@dataclass(frozen=True)
class Masked:
    """A value hidden because it is below ``threshold``; render as "fewer than N"."""

    threshold: int

    @property
    def message(self) -> str:
        """The msgid to translate, with ``threshold`` as its value."""
        return FEWER_THAN

    def text(self, lang: str) -> str:
        """ "fewer than N" in ``lang``."""
        return gettext(lang, FEWER_THAN, threshold=self.threshold)


def mask(value: float | int | None, threshold: int) -> float | int | Masked | None:
    """Return ``value``, or ``Masked(threshold)`` when it is below ``threshold``.

    Missing values stay missing, and zero is hidden too: "none in this district" can
    identify as well as "one". Negative values (changes, balances) are not counts and
    are left alone.
    """
    if value is None or value < 0 or value >= threshold:
        return value
    return Masked(threshold)


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
    so that staff see exactly the documented shape)."""
    if isinstance(value, Masked):
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
