"""Small numbers: district values below a threshold are hidden from the public.

When figures are open to anonymous readers (``DUIDING_PUBLIC_READ``), a count of 3
households in one district can point to a resident. Such values are replaced by
"fewer than N" in pages, charts and the API alike; staff still see the real value.
"""

from dataclasses import dataclass

from app.i18n import N_

FEWER_THAN = N_("fewer than %(threshold)s")


@dataclass(frozen=True)
class Masked:
    """A value hidden because it is below ``threshold``; render as "fewer than N"."""

    threshold: int

    @property
    def message(self) -> str:
        """The msgid to translate, with ``threshold`` as its value."""
        return FEWER_THAN


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
