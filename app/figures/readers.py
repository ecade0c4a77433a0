"""Read the spreadsheets municipalities have into rows of cells, whatever the dialect.

A CSV file may come from any Dutch Excel: ``;`` or ``,`` (or a tab) between fields,
UTF-8 with or without a byte-order mark, or Windows-1252 (Excel's "CSV
(puntkomma-gescheiden)"). ``.xlsx``, ``.xlsm``, ``.xls`` and ``.ods`` workbooks are
read with python-calamine, one sheet at a time. Every reader yields the same thing:
a header and then ``(line, cells)`` with cells as text or numbers, so that the
layout and column mapping (``app.figures.layouts``) never care where a row came from.
CSV is streamed; a workbook sheet is read row by row from calamine's own parse.
"""

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import BinaryIO, cast

from app.i18n import N_
from app.problems import Problem

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
# Enough of a file to tell its encoding and separator by.
SAMPLE = 64 * 1024
Cell = str | float | None
HEADER = "indicator,period,area,value"
_DUTCH_THOUSANDS = re.compile(r"-?\d{1,3}(\.\d{3})+")


class ReadError(Problem):
    """The file cannot be read at all: a message template (msgid) and its values."""

    status = 422

    def __init__(self, template: str, *, where: int = 1, **values: object) -> None:
        super().__init__(template, errors=(), **values)
        self.template = template
        self.values = values
        self.where = where


@dataclass
class Table:
    """A header and the rows below it; ``delimiter`` is the CSV separator ('' in a workbook)."""

    header: list[str]
    rows: Iterator[tuple[int, list[Cell]]]
    delimiter: str = ""
    encoding: str = ""
    sheet: str = ""
    sheets: list[str] = field(default_factory=list)
    position: Callable[[], int] | None = None
    # The text wrapper of a CSV file: held so that it does not close the file when the
    # rows are read to the end and it is collected.
    text: io.TextIOWrapper | None = None


def is_workbook(name: str, head: bytes) -> bool:
    """Whether the upload is a spreadsheet workbook (by its name or a zip/OLE signature)."""
    lowered = name.lower()
    if lowered.endswith(WORKBOOK_SUFFIXES):
        return True
    return head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0"))


def open_table(stream: BinaryIO, *, name: str, sheet: str | None = None) -> Table:
    """Open a CSV file or one sheet of a workbook; raise ReadError when it cannot be read."""
    head = stream.read(SAMPLE)
    stream.seek(0)
    if not head.strip():
        template = N_("the file is empty; expected a header such as %(header)s")
        raise ReadError(template, header=HEADER)
    if is_workbook(name, head):
        return _workbook(stream, sheet)
    return _csv(stream, head)


def _encoding(head: bytes) -> str:
    """UTF-8 (with or without BOM) when the sample decodes as such, else Windows-1252."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        # A multi-byte character may be cut at the end of the sample.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _delimiter(first: str) -> str:
    """The separator of a header line: the most frequent of ; , and tab outside quotes."""
    counts = dict.fromkeys(";,\t", 0)
    quoted = False
    for char in first:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda sep: (counts[sep], sep == ","))
    return best if counts[best] else ","


def _csv(stream: BinaryIO, head: bytes) -> Table:
    if b"\x00" in head:  # a picture or PDF chosen by mistake; no text file holds NUL
        raise ReadError(N_("the file is not text that can be read"))
    encoding = _encoding(head)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    try:
        first = text.readline()
    except UnicodeDecodeError:
        raise ReadError(N_("the file is not text that can be read")) from None
    delimiter = _delimiter(first)
    header = [cell.strip() for cell in next(csv.reader([first], delimiter=delimiter), [])]

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        reader = csv.reader(text, delimiter=delimiter)
        try:
            for row in reader:
                if any("\x00" in cell for cell in row):  # no database takes NUL text
                    template = N_("the file is not text that can be read")
                    raise ReadError(template, where=reader.line_num + 1)
                yield reader.line_num + 1, cast("list[Cell]", row)  # text cells are Cells
        except UnicodeDecodeError:
            template = N_("the file is not %(encoding)s text from here on")
            raise ReadError(template, where=reader.line_num + 2, encoding=encoding) from None
        except csv.Error as error:
            template = N_("the line cannot be read as CSV: %(error)s")
            raise ReadError(template, where=reader.line_num + 1, error=str(error)) from None

    return Table(header, rows(), delimiter, encoding, position=stream.tell, text=text)


def _workbook(stream: BinaryIO, sheet: str | None) -> Table:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(stream)
        names = list(book.sheet_names)
        if sheet is not None and sheet not in names:
            raise ReadError(
                N_("the workbook has no sheet '%(sheet)s'; its sheets are %(sheets)s"),
                sheet=sheet,
                sheets=", ".join(names),
            )
        chosen = sheet if sheet is not None else names[0]
        cells = iter(book.get_sheet_by_name(chosen).iter_rows())
    except (CalamineError, ValueError, IndexError, OSError) as error:
        template = N_("the file cannot be read as a spreadsheet: %(error)s")
        raise ReadError(template, error=str(error)) from None
    header: list[str] = []
    line = 0
    for row in cells:
        line += 1
        if any(_cell(value) not in (None, "") for value in row):
            header = [_header_text(value) for value in row]
            break
    if not header:
        raise ReadError(N_("the sheet '%(sheet)s' is empty"), sheet=chosen)
    while header and not header[-1]:
        header.pop()

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        for number, row in enumerate(cells, start=line + 1):
            yield number, [_cell(value) for value in row]

    return Table(header, rows(), "", "", chosen, names)


def _cell(value: object) -> Cell:
    """A workbook cell as text or a number; dates as ISO text (periods are read from text)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _header_text(value: object) -> str:
    """A header cell as text: a year typed as a number reads "2024", not "2024.0"."""
    cell = _cell(value)
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else str(cell)
    return (cell or "").strip()


def cell_text(cell: Cell) -> str:
    """A cell as text for periods, codes and names (whole numbers without ".0")."""
    if cell is None:
        return ""
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else repr(cell)
    return cell.strip()


def parse_number(text: Cell, delimiter: str) -> float | None:
    """Read a number as spreadsheets write it; None when empty, ValueError when not one.

    A comma is a decimal comma (dots are then thousands separators). Without a comma,
    ``1.234`` in a semicolon file is Dutch for 1234; elsewhere a dot is a decimal point.
    A workbook cell that holds a number is taken as it is.
    """
    if text is None or isinstance(text, float):
        return text
    text = text.strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif delimiter == ";" and _DUTCH_THOUSANDS.fullmatch(text):
        text = text.replace(".", "")
    return float(text)
