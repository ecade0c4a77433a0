"""Import observations from files and CBS: check parsed rows, stage them, merge all or nothing.

Reading is elsewhere: ``app.figures.readers`` opens CSV files in every Dutch Excel
dialect and workbooks, ``app.figures.layouts`` maps their columns to figure, period,
area and value, ``app.figures.cbs`` reads StatLine tables. Each yields ``ParsedRow``
items (or a Problem for a cell that cannot be read), and ``import_rows`` is the one
seam they all go through: each row is checked and staged in a temporary table
(``app.figures.staging``), never held in memory, so a million rows fit in a small,
steady footprint. Problems are collected with their line and column (up to
``MAX_PROBLEMS``), and only an import without any problem is merged, in one short
write transaction at the end: until then the import takes no write lock.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import BinaryIO

from sqlmodel import Session, col, select

from app.db import engine_of
from app.figures.area_names import NEW, AreaMatcher, new_areas
from app.figures.layouts import Mapping, MappingError, detect, parsed_rows, saved_mapping
from app.figures.observations import (
    ItemChecker,
    ParsedRow,
    Problem,
    UpsertResult,
    record_upsert,
    repeated,
)
from app.figures.periods import period_of
from app.figures.readers import ReadError, Table, open_table
from app.figures.staging import ObservationStage
from app.i18n import N_
from app.models import Indicator, User, utcnow

PROGRESS_EVERY = 10_000
# Enough to fix a file by; a file with more problems is probably not this format at all.
MAX_PROBLEMS = 1000


@dataclass
class ImportOutcome:
    """What an import did: problems (then nothing was written) or the counts.

    ``unknown_areas`` holds each area cell that matched no area, with how many rows
    have it, for the preview to offer a mapping; ``mapping`` and ``table`` say how
    the file was read (layout, columns, separator, encoding, sheet).
    """

    problems: list[Problem] = field(default_factory=list)
    result: UpsertResult = field(default_factory=UpsertResult)
    rows: int = 0
    unknown_areas: dict[str, int] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    mapping: Mapping | None = None
    table: Table | None = None
    merge_seconds: float = 0.0  # the merge's longest write transaction (for the benchmark)
    # The columns did not fit the layout: choosing others may fix it.
    unmapped: bool = False
    # Areas made for names the user chose to create (stored only with the import).
    created_areas: list = field(default_factory=list)

    @property
    def mappable(self) -> bool:
        """Whether a different mapping (columns, layout, area names) may fix the problems."""
        return self.table is not None and (self.unmapped or bool(self.unknown_areas))

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


def stage_rows(
    *,
    session: Session,
    rows: Iterable[ParsedRow | Problem],
    stage: ObservationStage,
    outcome: ImportOutcome,
    noun: str = "line",
    on_progress: Callable[[int], None] | None = None,
) -> None:
    """Check each parsed row and stage the good ones; report the problems."""
    indicators = {row.slug: row for row in session.exec(select(Indicator))}
    checker = ItemChecker(session=session, noun=noun)
    unknown: dict[str, tuple[int, int]] = {}
    count = 0
    try:
        for count, row in enumerate(rows, start=1):
            if on_progress and count % PROGRESS_EVERY == 0:
                on_progress(count)
            problems = (
                [row] if isinstance(row, Problem) else _stage_row(row, indicators, checker, stage)
            )
            if not problems:
                continue
            one_area = problems[0].field == "area" and len(problems) == 1
            if isinstance(row, ParsedRow) and row.area is not None and one_area:
                first, seen = unknown.get(row.area, (row.where, 0))
                unknown[row.area] = (first, seen + 1)
                continue
            outcome.rows += 1
            if not all(outcome.report(problem) for problem in problems):
                break
    except ReadError as error:
        outcome.report(Problem.of(error.where, "", error.template, **error.values))
    outcome.rows += stage.staged
    for name, (first, seen) in unknown.items():
        outcome.unknown_areas[name] = seen
        outcome.rows += seen
        template = N_(
            "unknown area '%(name)s' (rows: %(count)s): use its CBS code, or map the name to "
            "an area"
        )
        if not outcome.report(Problem.of(first, "area", template, name=name, count=seen)):
            break
    if on_progress:
        on_progress(count)


def _stage_row(row: ParsedRow, indicators, checker: ItemChecker, stage) -> list[Problem]:
    """Stage one parsed row and return no problems, or return its problems."""
    indicator = indicators.get(row.indicator)
    if indicator is None:
        if not row.indicator:
            return [Problem.of(row.where, "indicator", N_("the indicator is empty"))]
        template = N_("unknown indicator '%(slug)s'")
        return [Problem.of(row.where, "indicator", template, slug=row.indicator)]
    checked, found = checker.check_fields(
        indicator=indicator, where=row.where, period=row.period, value=row.value, area=row.area
    )
    if found or checked is None:
        return found
    stage.add(
        row.where,
        indicator.id,
        checked.area.id if checked.area else None,
        checked.period.start,
        checked.value,
        row.status,
    )
    return []


def import_rows(
    *,
    session: Session,
    rows: Iterable[ParsedRow | Problem],
    source: str,
    user: User | None = None,
    on_progress: Callable[[int], None] | None = None,
    dry_run: bool = False,
    outcome: ImportOutcome | None = None,
    noun: str = "line",
    allow_empty: bool = False,
    within: bool = False,
) -> ImportOutcome:
    """Check, stage and merge parsed rows; write only when no row has a problem.

    ``session`` only reads (indicators, areas): give it one that takes no write lock.
    Rows are staged and checked on a connection of the import's own, and merged in
    short write transactions at the end (visible at once), so an import blocks no one. ``within``
    does all of it in ``session``'s own transaction instead and commits it (CBS,
    whose import first creates areas in it). ``dry_run`` checks and counts everything
    but writes nothing, for the preview. ``outcome`` may carry what the reader found
    already (mapping, warnings); ``allow_empty`` accepts no rows at all (the reader
    warned about it already). Raises ``ImportBusy`` when another import runs.
    """
    outcome = outcome or ImportOutcome()
    try:
        with ObservationStage(engine_of(session), within=session if within else None) as stage:
            _stage_and_merge(
                session=session,
                rows=rows,
                stage=stage,
                outcome=outcome,
                noun=noun,
                on_progress=on_progress,
                source=source,
                user=user,
                merge=not dry_run,
                allow_empty=allow_empty,
            )
    except BaseException:
        session.rollback()
        raise
    if within and not outcome.problems and not dry_run:
        session.commit()
    else:
        session.rollback()  # a read snapshot, or writes that must not stay
    return outcome


def _stage_and_merge(
    *, session, rows, stage, outcome, noun, on_progress, source, user, merge, allow_empty
) -> None:
    """Check and stage every row, count what merging does, and merge when asked."""
    stage_rows(
        session=session, rows=rows, stage=stage, outcome=outcome, noun=noun, on_progress=on_progress
    )
    _report_repeats(session=session, stage=stage, outcome=outcome, noun=noun)
    if not stage.within:
        session.rollback()  # the checks are done: end this session's read snapshot
    if not outcome.problems and outcome.rows == 0 and not allow_empty:
        outcome.problems.append(Problem.of(2, "", N_("the file has a header but no rows")))
    if outcome.problems:
        outcome.problems.sort(key=lambda problem: problem.where)
        return
    counts = stage.counts()
    for count in counts.values():
        outcome.result.add(UpsertResult(count.inserted, count.updated, count.unchanged))
    if not merge:
        return

    def audit(merging: Session) -> None:
        for indicator in merging.exec(select(Indicator).where(col(Indicator.id).in_(counts))):
            count = counts[indicator.id]
            record_upsert(
                session=merging,
                indicator=indicator,
                result=UpsertResult(count.inserted, count.updated, count.unchanged),
                source=source,
                user=user,
                actor="" if user else f"import:{source}",
            )

    stage.merge(now=utcnow(), source=source, user_id=user.id if user else None, then=audit)
    outcome.merge_seconds = stage.merge_seconds


def import_observations(
    *,
    session: Session,
    stream: BinaryIO,
    source: str,
    user: User | None = None,
    on_progress: Callable[[int], None] | None = None,
    dry_run: bool = False,
    mapping: Mapping | None = None,
    sheet: str | None = None,
    detect_layout: bool = True,
    detect_columns: bool = True,
    saved: bool = False,
) -> ImportOutcome:
    """Import a CSV file or a workbook sheet of observations; all rows or, on a problem, none.

    ``mapping`` says what the user chose (layout, columns, one figure or period for
    all, area names mapped by hand); the rest is detected from the header (the layout
    too, unless ``detect_layout`` is False because the user chose it; ``detect_columns``
    False takes the columns as given). ``saved`` reads a file with a header seen before
    with the mapping confirmed then.
    ``on_progress`` receives how far into the file reading has come (bytes for CSV).
    """
    outcome = ImportOutcome()
    indicators = {row.slug: row for row in session.exec(select(Indicator))}
    try:
        table = open_table(stream, name=source, sheet=sheet)
        outcome.table = table
        if mapping is None and saved:
            mapping = saved_mapping(session=session, table=table)
            detect_layout = detect_columns = mapping is None
        outcome.mapping = detect(
            table.header,
            indicators,
            mapping or Mapping(),
            layout=detect_layout,
            columns=detect_columns,
        )
        known = list(ItemChecker(session=session).areas.values())
        outcome.created_areas = new_areas(outcome.mapping.areas, known)
        session.add_all(outcome.created_areas)
        session.flush()
        mapped = {
            name: area.code
            for name, area in zip(
                [name for name, choice in outcome.mapping.areas.items() if choice == NEW],
                outcome.created_areas,
                strict=True,
            )
        }
        matcher = AreaMatcher([*known, *outcome.created_areas], {**outcome.mapping.areas, **mapped})
        rows = parsed_rows(table, outcome.mapping, indicators, matcher)
    except (ReadError, MappingError) as error:
        outcome.unmapped = isinstance(error, MappingError)
        outcome.problems.append(Problem.of(1, "", error.template, **error.values))
        session.rollback()
        return outcome
    position = table.position
    progress = None
    if on_progress and position:

        def progress(_count: int) -> None:
            on_progress(position())

    return import_rows(
        session=session,
        rows=rows,
        source=source,
        user=user,
        on_progress=progress,
        dry_run=dry_run,
        outcome=outcome,
        # Areas created for names the user chose belong to the import's transaction.
        within=bool(outcome.created_areas),
    )


def _report_repeats(
    *, session: Session, stage: ObservationStage, outcome: ImportOutcome, noun: str
) -> None:
    """Report staged rows that repeat an earlier line, as long as there is room."""
    room = MAX_PROBLEMS - len(outcome.problems)
    if room <= 0 or not stage.staged:
        return
    repeats = stage.repeats(limit=room + 1)
    if not repeats:
        return
    frequencies = dict(session.exec(select(col(Indicator.id), col(Indicator.frequency))).all())
    codes = {area.id: code for code, area in ItemChecker(session=session).areas.items()}
    for repeat in repeats:
        period = period_of(repeat.period_start, frequencies[repeat.indicator_id])
        area = None if repeat.area_id is None else codes.get(repeat.area_id)
        problem = repeated(repeat.line, period, area, noun, repeat.first_line)
        if not outcome.report(problem):
            break
