"""Downloads of one figure: per period its value, mean, limits, signal and story count,
as CSV in two dialects and as an Excel workbook.

The rows are the indicator page's period table (``IndicatorContext``), so a download
says what the page says, masked alike: a small district number hidden from this reader
is written as "minder dan 5", never as its value (nor is a mean or limit that is hidden).

Dialects:
- ``plain``: comma separated, decimal point, stable column names and signal codes
  (for R, Python and other tools), UTF-8 without BOM.
- ``excel-nl``: what Dutch Excel opens by double-click: semicolon separated, decimal
  comma, column names and signals in the reader's language, UTF-8 with BOM (without
  the BOM Excel reads "ë" as two characters).
"""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from app.figures.context import IndicatorContext
from app.figures.signals import SIGNAL_LABELS
from app.i18n import N_, gettext
from app.problems import Invalid
from app.security.small_numbers import Masked

Dialect = Literal["plain", "excel-nl"]
DIALECTS: tuple[Dialect, ...] = ("plain", "excel-nl")
BOM = "\ufeff"
#: Decimals kept of computed numbers (mean, limits); values are written as stored.
DECIMALS = 4

#: (machine name, label) of each column, in order.
COLUMNS = (
    ("period", N_("Period")),
    ("area", N_("Area")),
    ("value", N_("Value")),
    ("mean", N_("Mean")),
    ("lower_limit", N_("Lower limit")),
    ("upper_limit", N_("Upper limit")),
    ("signal", N_("Signal")),
    ("stories", N_("Stories")),
)
UNKNOWN_DIALECT = N_("choose plain or excel-nl")

Number = float | int | Masked | None


@dataclass(frozen=True)
class ExportRow:
    """One period of the download, numbers as this reader may see them."""

    period: str
    area: str
    value: Number
    mean: Number
    lower_limit: Number
    upper_limit: Number
    signal: str
    stories: int


def dialect_of(text: str | None) -> Dialect:
    """The dialect asked for (plain when none); Invalid for any other name."""
    if not text:
        return "plain"
    for dialect in DIALECTS:
        if text == dialect:
            return dialect
    raise Invalid.at("dialect", UNKNOWN_DIALECT, part="query")


def export_rows(context: IndicatorContext) -> list[ExportRow]:
    """The rows of a figure's period table (signals computed on the true values, then
    masked for the reader, as every page does: app/figures/context.shown_signals)."""
    code = context.area.code if context.area else ""
    return [
        ExportRow(
            period=row.period.label,
            area=code,
            value=row.point.value,
            mean=row.point.mean,
            lower_limit=row.point.lpl,
            upper_limit=row.point.upl,
            signal=row.point.signal,
            stories=row.story_count,
        )
        for row in context.rows
    ]


def _number(value: float | int, decimals: int | None) -> str:
    """A number with a decimal point and no exponent or thousands separator."""
    if decimals is not None:
        value = round(value, decimals)
    if float(value).is_integer():
        return str(int(value))
    text = f"{value:.10f}".rstrip("0")
    return text.rstrip(".")


def _text(value: Number, lang: str, *, comma: bool, decimals: int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, Masked):
        return value.text(lang)
    text = _number(value, decimals)
    return text.replace(".", ",") if comma else text


def header(dialect: Dialect, lang: str) -> list[str]:
    """The column names: stable names in ``plain``, the reader's language otherwise."""
    if dialect == "plain":
        return [name for name, _ in COLUMNS]
    return [gettext(lang, label) for _, label in COLUMNS]


def _cells(row: ExportRow, dialect: Dialect, lang: str) -> list[str]:
    comma = dialect == "excel-nl"

    def number(value: Number, decimals: int | None = DECIMALS) -> str:
        return _text(value, lang, comma=comma, decimals=decimals)

    signal = row.signal if dialect == "plain" else gettext(lang, SIGNAL_LABELS[row.signal])
    return [
        row.period,
        row.area,
        number(row.value, None),
        number(row.mean),
        number(row.lower_limit),
        number(row.upper_limit),
        signal,
        str(row.stories),
    ]


def to_csv(rows: Sequence[ExportRow], dialect: Dialect, lang: str) -> bytes:
    """The rows as CSV in ``dialect`` (see the module docstring), UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(
        buffer, delimiter=";" if dialect == "excel-nl" else ",", lineterminator="\r\n"
    )
    writer.writerow(header(dialect, lang))
    writer.writerows(_cells(row, dialect, lang) for row in rows)
    text = buffer.getvalue()
    return ((BOM if dialect == "excel-nl" else "") + text).encode("utf-8")


def _cell(value: Number, lang: str, decimals: int | None = DECIMALS) -> Any:
    """A workbook cell: a number as a number, a hidden one as its text."""
    if isinstance(value, Masked):
        return value.text(lang)
    if value is None or decimals is None:
        return value
    return round(value, decimals)


#: Characters Excel refuses in a sheet title, and its length limit.
_SHEET_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))
_SHEET_TITLE_MAX = 31


def sheet_title(text: str) -> str:
    """A sheet title Excel accepts."""
    return text.translate(_SHEET_FORBIDDEN).strip()[:_SHEET_TITLE_MAX].strip() or "Data"


def _safe(text: str) -> str:
    """User text for a cell: a leading =, +, - or @ would make Excel read a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def to_xlsx(
    rows: Sequence[ExportRow],
    lang: str,
    *,
    about: Sequence[tuple[str, str]],
    exported_on: date,
) -> bytes:
    """The rows as an Excel workbook: the data on the first sheet (numbers as numbers,
    signals in words), and what the figure is on a second (``about``: label, text pairs
    already in the reader's language)."""
    from openpyxl import Workbook  # loaded on first download only
    from openpyxl.styles import Font

    workbook = Workbook()
    data = workbook.active
    data.title = sheet_title(gettext(lang, N_("Values")))
    data.append(header("excel-nl", lang))
    for cell in data[1]:
        cell.font = Font(bold=True)
    for row in rows:
        data.append(
            [
                row.period,
                row.area,
                _cell(row.value, lang, None),
                _cell(row.mean, lang),
                _cell(row.lower_limit, lang),
                _cell(row.upper_limit, lang),
                gettext(lang, SIGNAL_LABELS[row.signal]),
                row.stories,
            ]
        )
    data.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGH", (10, 10, 12, 12, 12, 12, 22, 10), strict=True):
        data.column_dimensions[letter].width = width
    info = workbook.create_sheet(sheet_title(gettext(lang, N_("About this figure"))))
    for label, text in [*about, (gettext(lang, N_("Exported on")), exported_on.isoformat())]:
        info.append([label, _safe(text)])
    info.column_dimensions["A"].width = 24
    info.column_dimensions["B"].width = 60
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
