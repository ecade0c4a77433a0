"""``duiding import ...``: figures from CSV files and from CBS StatLine."""

from enum import StrEnum
from pathlib import Path

import typer

from app.cli.console import console, errors, fail, ok
from app.figures.layout_kinds import Layout


class OData(StrEnum):
    """The CBS open data API to read a table from."""

    v3 = "v3"
    v4 = "v4"


app = typer.Typer(help="Import figures and data.", no_args_is_help=True)


class Source(StrEnum):
    """The CBS catalogue: StatLine itself, or the third-party figures CBS publishes."""

    statline = "statline"
    dataderden = "dataderden"


def _pairs(values: list[str], option: str) -> dict[str, str]:
    """Options written KEY=VALUE as a dict; fail on one without '='."""
    pairs = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key.strip():
            fail(f"{option} takes KEY=VALUE, not '{value}'")
        pairs[key.strip()] = rest.strip()
    return pairs


def _print_problems(problems, noun: str) -> None:
    for problem in problems:
        column = f", column {problem.field}" if problem.field else ""
        errors.print(
            f"[red]{noun} {problem.where}{column}: {problem.message}[/red]", highlight=False
        )


@app.command("observations")
def observations(
    file: Path = typer.Argument(..., help="CSV file (any Dutch Excel dialect), .xlsx or .ods."),
    indicator: str | None = typer.Option(
        None, "--indicator", help="Slug of the one figure all values are of (no figure column)."
    ),
    period: str | None = typer.Option(
        None, "--period", help="The one period all values are of (no period column)."
    ),
    column: list[str] = typer.Option(
        [],
        "--column",
        help="Which column holds a role: indicator=NAME, period=NAME, area=NAME, value=NAME.",
    ),
    layout: Layout | None = typer.Option(
        None,
        "--layout",
        help="long: a row per value; wide-periods: periods as columns; wide-indicators: "
        "figures as columns. Detected from the header when left out.",
    ),
    sheet: str | None = typer.Option(None, "--sheet", help="Sheet of a workbook (default first)."),
    area: list[str] = typer.Option(
        [], "--area", help="Map an area name in the file to an area code: NAME=CODE."
    ),
) -> None:
    """Import observations from a file: all values or, on any problem, none."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
    from sqlmodel import Session

    from app.db import get_engine
    from app.figures.csv_import import import_observations
    from app.figures.layouts import ROLES, Mapping
    from app.figures.staging import ImportBusy

    if not file.is_file():
        fail(f"{file} is not a file")
    columns = _pairs(column, "--column")
    wrong = [role for role in columns if role not in ROLES]
    if wrong:
        fail(f"--column takes a role of {', '.join(ROLES)}, not '{wrong[0]}'")
    mapping = Mapping(layout or Layout.long, columns, indicator, period, _pairs(area, "--area"))
    if layout is None:
        mapping.layout = Layout.long  # detected below unless a value column is named
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )
    # A read session: the import stages on a connection of its own and takes the
    # write lock only in the short transactions of its merge.
    with progress, file.open("rb") as stream, Session(get_engine()) as session:
        task = progress.add_task(f"Reading {file.name}", total=file.stat().st_size)
        try:
            outcome = import_observations(
                session=session,
                stream=stream,
                source=file.name,
                on_progress=lambda done: progress.update(task, completed=done),
                mapping=mapping,
                sheet=sheet,
                detect_layout=layout is None,
            )
        except ImportBusy:
            progress.stop()
            fail(f"another import is running; nothing of {file.name} was imported, try again later")
    _print_problems(outcome.problems, "line")
    if outcome.problems:
        count = len(outcome.problems)
        fail(f"{count} problem{'s' if count != 1 else ''} in {file.name}; nothing was imported")
    result = outcome.result
    ok(f"{result.inserted} inserted, {result.updated} updated, {result.unchanged} unchanged")
    # For operators and the benchmark: the longest write transaction of the merge (how
    # long a story submission had to wait at most).
    console.print(f"write lock held {outcome.merge_seconds:.2f} s", highlight=False)


@app.command("cbs")
def cbs(
    table: str = typer.Argument(..., help="CBS StatLine table id, e.g. 85039NED."),
    measure: str = typer.Option(
        ..., "--measure", help="Measure to import: the v3 column or the v4 measure code."
    ),
    indicator: str = typer.Option(..., "--indicator", help="Slug of the indicator to fill."),
    period: str | None = typer.Option(
        None,
        "--period",
        help="The period of a table without a period dimension (Kerncijfers wijken en "
        "buurten: the year of the table), when its metadata does not name it.",
    ),
    dimension: list[str] = typer.Option(
        [],
        "--dimension",
        help="One category of another dimension, e.g. Geslacht=T001038 (default: the total).",
    ),
    region_prefix: str | None = typer.Option(
        None, "--region-prefix", help="Only regions whose code starts so, e.g. GM0193 or WK0193."
    ),
    api: OData = typer.Option(
        OData.v3,
        "--api",
        help="v3: the TypedDataSet most tables offer (measure = column, e.g. "
        "Bijstandsuitkeringen_1); v4: the Observations of tables CBS publishes in OData v4 "
        "(measure code, e.g. M001534).",
    ),
    source: Source = typer.Option(
        Source.statline,
        "--source",
        help="statline: CBS's own tables; dataderden: figures CBS publishes for others "
        "(municipal Iv3 finance, police crime per district such as 47018NED).",
    ),
) -> None:
    """Import one measure of a Statistics Netherlands table: all rows or, on any problem, none."""
    from sqlmodel import Session, select

    from app.config import get_settings
    from app.db import get_write_engine
    from app.figures.cbs import CbsError, CbsRequest, base_url, import_cbs
    from app.models import Indicator

    request_dimensions = _pairs(dimension, "--dimension")
    with Session(get_write_engine()) as session:
        target = session.exec(select(Indicator).where(Indicator.slug == indicator)).first()
        if target is None:
            fail(f"unknown indicator '{indicator}'")
        request = CbsRequest(
            table=table,
            measure=measure,
            indicator=target,
            api=api.value,
            source=source.value,
            period=period,
            dimensions=request_dimensions,
            region_prefix=region_prefix,
        )
        base = base_url(api=api.value, source=source.value, settings=get_settings())
        try:
            outcome = import_cbs(session=session, request=request, base=base)
        except CbsError as error:
            session.rollback()
            fail(str(error))
        created = len(outcome.created_areas)
    for warning in outcome.warnings:
        errors.print(f"[yellow]warning: {warning.message}[/yellow]", highlight=False)
    _print_problems(outcome.problems, "row")
    if outcome.problems:
        fail(f"{len(outcome.problems)} problem(s) in CBS table {table}; nothing was imported")
    reading = outcome.reading
    chosen = ", ".join(f"{key}={value}" for key, value in reading.categories.items())
    measure_row = reading.measure
    console.print(
        f"{reading.shape.table} {measure_row.key} ({measure_row.title}); "
        f"unit as published: {measure_row.unit or '-'}, stored: {measure_row.base_unit or '-'}"
        f" (x {measure_row.multiplier:g}), decimals: {measure_row.decimals}"
        + (f"; {chosen}" if chosen else "")
        + (f"; period {reading.period}" if reading.period else ""),
        highlight=False,
    )
    result = outcome.result
    ok(
        f"{result.inserted} inserted, {result.updated} updated, {result.unchanged} unchanged; "
        f"{created} areas created"
    )
