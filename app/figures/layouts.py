"""Which column is what: layouts and column mappings that turn a table into values.

A file is in one of three layouts:
- ``long``: a row per value (columns figure, period, area, value; any of the first
  three may be left out when the import names one figure or one period for all);
- ``wide-periods``: a row per figure and area, one column per period ("2023", "2024");
- ``wide-indicators``: a row per period and area, one column per figure.
``detect`` guesses the layout and roles from the header (Dutch and English column
names, periods as headers, figures by slug or name), the user confirms or corrects
them (preview or CLI options), and ``parsed_rows`` reads the table accordingly into
``ParsedRow`` items, with a Problem for a cell that is not a number.
"""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlmodel import Session, select

from app.figures.area_names import AreaMatcher, normalised
from app.figures.layout_kinds import Layout
from app.figures.observations import ParsedRow, Problem
from app.figures.periods import PeriodError, parse_period
from app.figures.readers import Cell, Table, cell_text, parse_number
from app.i18n import N_
from app.models import ImportMapping, Indicator, User, utcnow
from app.problems import Problem as Refusal

ROLES = ("indicator", "period", "area", "value")
# Column names people use for each role, compared after normalising.
_NAMES = {
    "indicator": ("indicator", "indicatoren", "figure", "cijfer", "slug", "onderwerp", "maat"),
    "period": ("period", "periode", "perioden", "jaar", "year", "maand", "kwartaal", "datum"),
    "area": (
        "area",
        "gebied",
        "gebiedscode",
        "gebiedsnaam",
        "wijk",
        "buurt",
        "wijken en buurten",
        "wijkenenbuurten",
        "gemeente",
        "gemeentenaam",
        "regio",
        "regio s",
        "regios",
        "region",
    ),
    "value": ("value", "waarde", "aantal", "getal"),
}
_ROLE_OF = {normalised(name): role for role, names in _NAMES.items() for name in names}


class MappingError(Refusal):
    """The columns do not fit the chosen layout: a message template and its values."""

    status = 422

    def __init__(self, template: str, **values: object) -> None:
        super().__init__(template, errors=(), **values)
        self.template = template
        self.values = values


@dataclass
class Mapping:
    """How to read a table: the layout, the column of each role, fixed figure/period."""

    layout: Layout = Layout.long
    columns: dict[str, str] = field(default_factory=dict)
    indicator: str | None = None
    period: str | None = None
    areas: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict:
        """The mapping as saved per source, to be reused on the next upload."""
        return {
            "layout": self.layout.value,
            "columns": self.columns,
            "indicator": self.indicator,
            "period": self.period,
            "areas": self.areas,
        }

    @classmethod
    def from_json(cls, data: dict) -> "Mapping":
        """A saved mapping back (unknown keys are ignored, a bad layout is long)."""
        layout = str(data.get("layout"))
        return cls(
            Layout(layout) if layout in Layout._value2member_map_ else Layout.long,
            dict(data.get("columns") or {}),
            data.get("indicator"),
            data.get("period"),
            dict(data.get("areas") or {}),
        )


def _indicator_names(indicators: dict[str, Indicator]) -> dict[str, str]:
    """Each figure under its slug and its normalised name, for wide-indicator headers."""
    names = {normalised(row.name): slug for slug, row in indicators.items()}
    names.update({normalised(slug): slug for slug in indicators})
    return names


def _is_period(text: str) -> bool:
    try:
        parse_period(text)
    except PeriodError:
        return False
    return True


def detect(
    header: list[str],
    indicators: dict[str, Indicator],
    given: Mapping,
    *,
    layout: bool = True,
    columns: bool = True,
) -> Mapping:
    """Fill in what ``given`` leaves open from the header; the user may correct it.

    With ``columns`` the roles left open are recognised by column name; with
    ``layout`` the layout is guessed too (when no value column was named): periods as
    headers are wide-periods, figures wide-indicators. A mapping the user confirmed
    is taken as it is (both False).
    """
    found = dict(given.columns)
    taken = set(found.values())
    for name in header if columns else []:
        role = _ROLE_OF.get(normalised(name))
        if role and role not in found and name not in taken:
            found[role] = name
            taken.add(name)
    columns_found = found
    mapping = Mapping(given.layout, columns_found, given.indicator, given.period, dict(given.areas))
    if not layout or given.layout != Layout.long or "value" in given.columns:
        return mapping
    rest = [name for name in header if name and name not in taken]
    if "value" not in columns_found and rest:
        if all(_is_period(name) for name in rest):
            mapping.layout = Layout.wide_periods
        elif all(normalised(name) in _indicator_names(indicators) for name in rest):
            mapping.layout = Layout.wide_indicators
    return mapping


@dataclass
class Reading:
    """What ``parsed_rows`` found besides the rows: area names it could not place."""

    areas: AreaMatcher
    value_columns: list[str] = field(default_factory=list)


def _position(header: list[str], name: str) -> int:
    """The index of column ``name`` (exact, else case-insensitive) or MappingError."""
    if name in header:
        return header.index(name)
    lowered = [cell.casefold() for cell in header]
    if name.casefold() in lowered:
        return lowered.index(name.casefold())
    raise MappingError(
        N_("there is no column '%(column)s'; the columns are %(columns)s"),
        column=name,
        columns=", ".join(header),
    )


def plan(table: Table, mapping: Mapping, indicators: dict[str, Indicator]) -> dict:
    """Check that the mapping fits the header; return where each role's cells are."""
    header = table.header
    where = {role: _position(header, name) for role, name in mapping.columns.items()}
    used = set(where.values())
    if mapping.layout == Layout.long:
        if "value" not in where:
            raise MappingError(
                N_(
                    "no column holds the values; name it (value column) or choose a wide "
                    "layout; the columns are %(columns)s"
                ),
                columns=", ".join(header),
            )
        spread = []
    else:
        spread = [(index, name) for index, name in enumerate(header) if name and index not in used]
        if not spread:
            raise MappingError(N_("no columns are left for the values of a wide layout"))
    if mapping.layout == Layout.wide_indicators:
        names = _indicator_names(indicators)
        unknown = [name for _, name in spread if normalised(name) not in names]
        if unknown:
            raise MappingError(
                N_("these columns are not figures that exist: %(columns)s"),
                columns=", ".join(unknown),
            )
        spread = [(index, names[normalised(name)]) for index, name in spread]
    if (
        mapping.layout != Layout.wide_indicators
        and "indicator" not in where
        and not mapping.indicator
    ):
        raise MappingError(N_("name the figure: choose its column or one figure for all rows"))
    if mapping.layout != Layout.wide_periods and "period" not in where and not mapping.period:
        raise MappingError(N_("name the period: choose its column or one period for all rows"))
    return {"where": where, "spread": spread}


def parsed_rows(
    table: Table,
    mapping: Mapping,
    indicators: dict[str, Indicator],
    matcher: AreaMatcher,
) -> Iterator[ParsedRow | Problem]:
    """Read the table's rows as the mapping says: a ParsedRow per value or a Problem.

    Raises MappingError (before any row) when the mapping does not fit the header.
    """
    found = plan(table, mapping, indicators)
    where, spread = found["where"], found["spread"]
    return _rows(table, mapping, where, spread, matcher)


def _rows(table, mapping, where, spread, matcher) -> Iterator[ParsedRow | Problem]:
    delimiter = table.delimiter
    indicator_at, period_at, area_at = (where.get(role) for role in ("indicator", "period", "area"))
    value_at = where.get("value")
    fixed_indicator = mapping.indicator or ""
    fixed_period = mapping.period or ""
    width = max([*where.values(), *(index for index, _ in spread), 0]) + 1
    codes: dict[str, str | None] = {}
    for line, cells in table.rows:
        if not any(cells) and 0.0 not in cells:
            continue  # a blank line (a lone 0 is false too, hence the second test)
        if len(cells) < width:
            if delimiter:  # a CSV line with fields missing, not a sheet's short row
                template = N_("expected %(expected)s fields, found %(count)s")
                yield Problem.of(line, "", template, expected=len(table.header), count=len(cells))
                continue
            cells = [*cells, *([None] * (width - len(cells)))]
        slug = cell_text(cells[indicator_at]) if indicator_at is not None else fixed_indicator
        period = cell_text(cells[period_at]) if period_at is not None else fixed_period
        area = None
        if area_at is not None:
            text = cell_text(cells[area_at])
            if text:
                area = codes.get(text)
                if area is None:
                    area = matcher.code(text) or text
                    if text not in matcher.unknown:
                        codes[text] = area
        if value_at is not None:
            yield _row(line, slug, period, area, cells[value_at], delimiter, "value")
            continue
        for index, heading in spread:
            cell = cells[index]
            if cell is None or cell == "":
                continue  # a wide table leaves cells empty where there is no value
            if mapping.layout == Layout.wide_periods:
                yield _row(line, slug, heading, area, cell, delimiter, heading)
            else:
                yield _row(line, heading, period, area, cell, delimiter, heading)


def _row(line, slug, period, area, cell: Cell, delimiter, column) -> ParsedRow | Problem:
    try:
        value = parse_number(cell, delimiter)
    except ValueError:
        return Problem.of(line, column, N_("'%(text)s' is not a number"), text=cell_text(cell))
    return ParsedRow(line, slug, period, area, value)


def source_key(table: Table) -> str:
    """The key a mapping is saved under: the sheet's name and its header, as a digest."""
    text = "\x1f".join([table.sheet, *(normalised(name) for name in table.header)])
    return hashlib.sha256(text.encode()).hexdigest()


def saved_mapping(*, session: Session, table: Table) -> Mapping | None:
    """The mapping confirmed for a file with this header before, if any."""
    row = session.exec(select(ImportMapping).where(ImportMapping.source == source_key(table)))
    found = row.first()
    return Mapping.from_json(found.mapping) if found else None


def save_mapping(*, session: Session, table: Table, mapping: Mapping, user: User | None) -> None:
    """Keep the mapping for the next file with this header; does not commit."""
    key = source_key(table)
    row = session.exec(select(ImportMapping).where(ImportMapping.source == key)).first()
    row = row or ImportMapping(source=key)
    row.mapping = mapping.as_json()
    row.updated_at = utcnow()
    row.updated_by_id = user.id if user else None
    session.add(row)
