"""CSV import of observations (columns indicator,period,area,value): all or nothing.

Files come from Dutch spreadsheets as often as from scripts, so the separator (comma
or semicolon) is sniffed from the header, a BOM is ignored, and numbers may be written
``1.234,5``. The file is read line by line; every problem is collected with its line
and column, and only a file without any problem is written, in one transaction.
"""

import csv
import io
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

from sqlmodel import Session, select

from app.figures.observations import (
    ItemChecker,
    ObservationInput,
    Problem,
    UpsertResult,
    upsert_observations,
)
from app.models import Indicator, User

COLUMNS = ("indicator", "period", "area", "value")
PROGRESS_EVERY = 10_000
_DUTCH_THOUSANDS = re.compile(r"-?\d{1,3}(\.\d{3})+")


@dataclass
class ImportOutcome:
    """What an import did: problems (then nothing was written) or the counts."""

    problems: list[Problem] = field(default_factory=list)
    result: UpsertResult = field(default_factory=UpsertResult)
    rows: int = 0


def parse_number(text: str, delimiter: str) -> float | None:
    """Read a number as spreadsheets write it; None when empty, ValueError when not one.

    A comma is a decimal comma (dots are then thousands separators). Without a comma,
    ``1.234`` in a semicolon file is Dutch for 1234; elsewhere a dot is a decimal point.
    """
    text = text.strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif delimiter == ";" and _DUTCH_THOUSANDS.fullmatch(text):
        text = text.replace(".", "")
    return float(text)


def _header(line: str) -> tuple[str, list[str]]:
    delimiter = ";" if line.count(";") > line.count(",") else ","
    names = [name.strip().lower() for name in next(csv.reader([line], delimiter=delimiter))]
    return delimiter, names


def read_observations(
    *,
    session: Session,
    stream: BinaryIO,
    on_progress: Callable[[int], None] | None = None,
) -> tuple[dict[int, list[ObservationInput]], dict[int, Indicator], ImportOutcome]:
    """Validate the whole file; return the inputs per indicator id and the problems."""
    outcome = ImportOutcome()
    problems = outcome.problems
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        first = text.readline()
    except UnicodeDecodeError:
        problems.append(Problem(1, "", "the file is not UTF-8 text"))
        return {}, {}, outcome
    if not first.strip():
        problems.append(
            Problem(1, "", "the file is empty; expected the header " + ",".join(COLUMNS))
        )
        return {}, {}, outcome
    delimiter, names = _header(first)
    if sorted(names) != sorted(COLUMNS):
        missing = [name for name in COLUMNS if name not in names]
        extra = [name for name in names if name not in COLUMNS]
        detail = "; ".join(
            part
            for part in (
                missing and "missing " + ", ".join(missing),
                extra and "unexpected " + ", ".join(f"'{name}'" for name in extra),
            )
            if part
        )
        problems.append(
            Problem(
                1, "", f"the header must be {','.join(COLUMNS)} ({detail or 'a column repeats'})"
            )
        )
        return {}, {}, outcome
    position = {name: names.index(name) for name in COLUMNS}
    indicators = {row.slug: row for row in session.exec(select(Indicator))}
    checker = ItemChecker(session=session, noun="line")
    inputs: dict[int, list[ObservationInput]] = defaultdict(list)
    used: dict[int, Indicator] = {}
    reader = csv.reader(text, delimiter=delimiter)
    line = 1
    try:
        for line_count, row in enumerate(reader, start=2):
            line = reader.line_num + 1
            if on_progress and line_count % PROGRESS_EVERY == 0:
                on_progress(stream.tell())
            if not any(cell.strip() for cell in row):
                continue
            outcome.rows += 1
            if len(row) != len(COLUMNS):
                problems.append(Problem(line, "", f"expected 4 fields, found {len(row)}"))
                continue
            slug, period, area, raw = (row[position[name]].strip() for name in COLUMNS)
            indicator = indicators.get(slug)
            if indicator is None:
                message = f"unknown indicator '{slug}'" if slug else "the indicator is empty"
                problems.append(Problem(line, "indicator", message))
                continue
            try:
                value = parse_number(raw, delimiter)
            except ValueError:
                problems.append(Problem(line, "value", f"'{raw}' is not a number"))
                continue
            checked, found = checker.check(
                indicator=indicator, where=line, period=period, value=value, area=area or None
            )
            if found:
                problems.extend(found)
                continue
            inputs[indicator.id].append(checked)
            used[indicator.id] = indicator
    except UnicodeDecodeError:
        problems.append(Problem(line + 1, "", "the file is not UTF-8 text from here on"))
    except csv.Error as error:
        problems.append(Problem(line, "", f"the line cannot be read as CSV: {error}"))
    if on_progress:
        on_progress(stream.tell())
    return inputs, used, outcome


def import_observations(
    *,
    session: Session,
    stream: BinaryIO,
    source: str,
    user: User | None = None,
    on_progress: Callable[[int], None] | None = None,
    dry_run: bool = False,
) -> ImportOutcome:
    """Import a CSV file of observations; commit only when no line has a problem.

    ``dry_run`` does everything but the commit, so a preview can show the exact counts.
    """
    inputs, indicators, outcome = read_observations(
        session=session, stream=stream, on_progress=on_progress
    )
    if outcome.problems:
        session.rollback()
        return outcome
    if outcome.rows == 0:
        outcome.problems.append(Problem(2, "", "the file has a header but no rows"))
        return outcome
    try:
        for indicator_id, items in inputs.items():
            outcome.result.add(
                upsert_observations(
                    session=session,
                    indicator=indicators[indicator_id],
                    items=items,
                    source=source,
                    user=user,
                    actor="" if user else f"import:{source}",
                )
            )
        if dry_run:
            session.rollback()
        else:
            session.commit()
    except Exception:
        session.rollback()
        raise
    return outcome
