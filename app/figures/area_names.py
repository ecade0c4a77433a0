"""Find an area by its CBS code or by its name as spreadsheets write it.

Research departments export names, not codes, and write them their own way:
"ZWOLLE", "Gemeente Zwolle", "Súdwest-Fryslân" without the accent, "Den Haag" for
the official "'s-Gravenhage". A name is compared case- and accent-insensitively,
without a leading "gemeente", "wijk" or "buurt" and with the usual aliases, so that
each spelling finds the one area it means. A name that matches two areas is
ambiguous and matches neither.
"""

import re
import unicodedata
from collections.abc import Iterable

from app.models import Area, AreaKind

# Official name -> the names people use for it (all compared after normalising).
ALIASES = {
    "'s-Gravenhage": ("Den Haag", "Haag", "The Hague"),
    "'s-Hertogenbosch": ("Den Bosch", "s-Hertogenbosch", "Hertogenbosch"),
    "Bergen (NH.)": ("Bergen NH", "Bergen (Noord-Holland)"),
    "Bergen (L.)": ("Bergen L", "Bergen (Limburg)"),
    "Súdwest-Fryslân": ("Sudwest Fryslan", "Súdwest Fryslân"),
    "Noardeast-Fryslân": ("Noardeast Fryslan",),
    "Utrecht (gemeente)": ("Utrecht",),
    "Groningen (gemeente)": ("Groningen",),
}
_PREFIX = re.compile(r"^(gemeente|gem\.|wijk|buurt)\s+")
_NOT_WORD = re.compile(r"[^\w]+")


def normalised(name: str) -> str:
    """A name reduced to what tells it apart: no case, accents, punctuation or prefix."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    text = _PREFIX.sub("", text.strip().replace("\u2019", "'"))
    text = text.removeprefix("'s-").removeprefix("s-")
    return _NOT_WORD.sub(" ", text).strip()


_ALIAS = {
    normalised(alias): normalised(official)
    for official, aliases in ALIASES.items()
    for alias in aliases
}


def key(name: str) -> str:
    """The key under which a name is looked up (an alias counts as its official name)."""
    found = normalised(name)
    return _ALIAS.get(found, found)


class AreaMatcher:
    """Match area cells to areas: a code as it is, else a name; remember what failed."""

    def __init__(self, areas: Iterable[Area], mapped: dict[str, str] | None = None) -> None:
        self.codes = {area.code.upper(): area.code for area in areas if area.code}
        names: dict[str, set[str]] = {}
        for area in areas:
            names.setdefault(key(area.name), set()).add(area.code)
        self.names = {name: next(iter(codes)) for name, codes in names.items() if len(codes) == 1}
        self.ambiguous = {name for name, codes in names.items() if len(codes) > 1}
        # Names the user mapped by hand (preview or --area), by their key.
        self.mapped = {key(name): code for name, code in (mapped or {}).items()}
        self.unknown: dict[str, int] = {}

    def code(self, cell: str) -> str | None:
        """The code of the area ``cell`` names, or None (the name is kept as unknown)."""
        found = self.codes.get(cell.upper())
        if found:
            return found
        name = key(cell)
        found = self.mapped.get(name) or self.names.get(name)
        if found is None:
            self.unknown[cell] = self.unknown.get(cell, 0) + 1
        return found


NEW = "+new"  # in a mapping: create an area with this name instead of matching one


def new_areas(mapped: dict[str, str], known: Iterable[Area]) -> list[Area]:
    """Areas for the names a user chose to create: their name, a code made from it.

    The code is the name in plain letters and digits (``Nieuwe-Wijk``), made unique
    among the known codes; the kind is district, the editor can change both later.
    """
    codes = {area.code.upper() for area in known}
    created = []
    for name, choice in mapped.items():
        if choice != NEW:
            continue
        plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        base = re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-")[:16] or "gebied"
        code, number = base, 1
        while code.upper() in codes:
            number += 1
            code = f"{base}-{number}"
        codes.add(code.upper())
        created.append(Area(code=code, name=name.strip()[:200], kind=AreaKind.district))
    return created
