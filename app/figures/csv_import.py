"""CSV import of observations (columns indicator,period,area,value): all or nothing.

Files come from Dutch spreadsheets as often as from scripts, so the separator (comma
or semicolon) is sniffed from the header, a BOM is ignored, and numbers may be written
``1.234,5``. The file is streamed: each line is checked and staged in a temporary
table (``app.figures.staging``), never held in memory, so a million rows fit in a
small, steady footprint. Problems are collected with their line and column (up to
``MAX_PROBLEMS``), and only a file without any problem is merged, in the same one
transaction that staged it.
"""

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

from sqlmodel import Session, select

from app.figures.observations import (
    ItemChecker,
    Problem,
    UpsertResult,
    record_upsert,
    repeated,
)
from app.figures.periods import period_of
from app.figures.staging import ObservationStage
from app.i18n import N_
from app.models import Indicator, User, utcnow

COLUMNS = ("indicator", "period", "area", "value")
HEADER = ",".join(COLUMNS)
# By (columns missing, columns unexpected).
_HEADER_PROBLEMS = {
    (True, True): N_("the header must be %(header)s (missing %(missing)s; unexpected %(extra)s)"),
    (True, False): N_("the header must be %(header)s (missing %(missing)s)"),
    (False, True): N_("the header must be %(header)s (unexpected %(extra)s)"),
    (False, False): N_("the header must be %(header)s (a column repeats)"),
}
PROGRESS_EVERY = 10_000
# Enough to fix a file by; a file with more problems is probably not this format at all.
MAX_PROBLEMS = 1000
_DUTCH_THOUSANDS = re.compile(r"-?\d{1,3}(\.\d{3})+")


@dataclass
class ImportOutcome:
    """What an import did: problems (then nothing was written) or the counts."""

    problems: list[Problem] = field(default_factory=list)
    result: UpsertResult = field(default_factory=UpsertResult)
    rows: int = 0

    def report(self, problem: Problem) -> bool:
        """Keep a problem; return False once there are enough to stop reading."""
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        if len(self.problems) < MAX_PROBLEMS:
            return True
        self.problems.append(
            Problem.of(
                problem.where,
                "",
                N_("stopped after %(count)s problems; the rest of the file was not checked"),
                count=MAX_PROBLEMS,
            )
        )
        return False


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


def _check_header(text: io.TextIOWrapper, outcome: ImportOutcome) -> tuple[str, list[str]]:
    """Read the header line; return the delimiter and column names, or report why not."""
    try:
        first = text.readline()
    except UnicodeDecodeError:
        outcome.problems.append(Problem.of(1, "", N_("the file is not UTF-8 text")))
        return "", []
    if not first.strip():
        template = N_("the file is empty; expected the header %(header)s")
        outcome.problems.append(Problem.of(1, "", template, header=HEADER))
        return "", []
    delimiter, names = _header(first)
    if sorted(names) == sorted(COLUMNS):
        return delimiter, names
    missing = ", ".join(name for name in COLUMNS if name not in names)
    extra = ", ".join(f"'{name}'" for name in names if name not in COLUMNS)
    template = _HEADER_PROBLEMS[bool(missing), bool(extra)]
    outcome.problems.append(
        Problem.of(1, "", template, header=HEADER, missing=missing, extra=extra)
    )
    return "", []


def stage_observations(
    *,
    session: Session,
    stream: BinaryIO,
    stage: ObservationStage,
    outcome: ImportOutcome,
    on_progress: Callable[[int], None] | None = None,
) -> None:
    """Check the file line by line and stage every good row; report the problems."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    delimiter, names = _check_header(text, outcome)
    if not names:
        return
    position = [names.index(name) for name in COLUMNS]
    indicators = {row.slug: row for row in session.exec(select(Indicator))}
    checker = ItemChecker(session=session, noun="line")
    reader = csv.reader(text, delimiter=delimiter)
    line = 1
    try:
        for count, row in enumerate(reader, start=1):
            line = reader.line_num + 1
            if on_progress and count % PROGRESS_EVERY == 0:
                on_progress(stream.tell())
            problems = _stage_row(row, line, position, delimiter, indicators, checker, stage)
            if not problems:
                continue
            outcome.rows += 1
            if not all(outcome.report(problem) for problem in problems):
                break
    except UnicodeDecodeError:
        outcome.report(Problem.of(line + 1, "", N_("the file is not UTF-8 text from here on")))
    except csv.Error as error:
        template = N_("the line cannot be read as CSV: %(error)s")
        outcome.report(Problem.of(line, "", template, error=str(error)))
    outcome.rows += stage.staged
    if on_progress:
        on_progress(stream.tell())


def _stage_row(row, line, position, delimiter, indicators, checker, stage) -> list[Problem]:
    """Stage one CSV row and return no problems, or return its problems; skip blank lines."""
    if len(row) != len(COLUMNS):
        if not any(cell.strip() for cell in row):
            return []
        template = N_("expected 4 fields, found %(count)s")
        return [Problem.of(line, "", template, count=len(row))]
    slug, period, area, raw = (row[index].strip() for index in position)
    if not (slug or period or area or raw):
        return []
    indicator = indicators.get(slug)
    if indicator is None:
        if not slug:
            return [Problem.of(line, "indicator", N_("the indicator is empty"))]
        return [Problem.of(line, "indicator", N_("unknown indicator '%(slug)s'"), slug=slug)]
    try:
        value = parse_number(raw, delimiter)
    except ValueError:
        return [Problem.of(line, "value", N_("'%(text)s' is not a number"), text=raw)]
    checked, found = checker.check_fields(
        indicator=indicator, where=line, period=period, value=value, area=area or None
    )
    if found:
        return found
    stage.add(
        line,
        indicator.id,
        checked.area.id if checked.area else None,
        checked.period.start,
        checked.value,
    )
    return []


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

    ``dry_run`` checks and counts everything but writes nothing, for the preview.
    """
    outcome = ImportOutcome()
    try:
        stage = ObservationStage(session)
        stage_observations(
            session=session, stream=stream, stage=stage, outcome=outcome, on_progress=on_progress
        )
        _report_repeats(session=session, stage=stage, outcome=outcome)
        if not outcome.problems and outcome.rows == 0:
            outcome.problems.append(Problem.of(2, "", N_("the file has a header but no rows")))
        if outcome.problems or dry_run:
            outcome.problems.sort(key=lambda problem: problem.where)
        if outcome.problems:
            session.rollback()
            return outcome
        counts = stage.counts()
        for count in counts.values():
            outcome.result.add(UpsertResult(count.inserted, count.updated, count.unchanged))
        if dry_run:
            session.rollback()
            return outcome
        stage.merge(now=utcnow(), source=source, user_id=user.id if user else None)
        for indicator in session.exec(select(Indicator).where(Indicator.id.in_(counts))):
            count = counts[indicator.id]
            record_upsert(
                session=session,
                indicator=indicator,
                result=UpsertResult(count.inserted, count.updated, count.unchanged),
                source=source,
                user=user,
                actor="" if user else f"import:{source}",
            )
        session.commit()
    except Exception:
        session.rollback()
        raise
    return outcome


def _report_repeats(*, session: Session, stage: ObservationStage, outcome: ImportOutcome) -> None:
    """Report staged rows that repeat an earlier line, as long as there is room."""
    room = MAX_PROBLEMS - len(outcome.problems)
    if room <= 0 or not stage.staged:
        return
    repeats = stage.repeats(limit=room + 1)
    if not repeats:
        return
    frequencies = dict(session.exec(select(Indicator.id, Indicator.frequency)).all())
    codes = {area.id: code for code, area in ItemChecker(session=session).areas.items()}
    for repeat in repeats:
        period = period_of(repeat.period_start, frequencies[repeat.indicator_id])
        area = codes.get(repeat.area_id)
        problem = repeated(repeat.line, period, area, "line", repeat.first_line)
        if not outcome.report(problem):
            break
