"""``duiding import ...``: figures from CSV files and from CBS StatLine."""

from enum import StrEnum
from pathlib import Path

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from sqlmodel import Session

from app.cli.console import console, errors, fail, ok


class OData(StrEnum):
    """The CBS open data API to read a table from."""

    v3 = "v3"
    v4 = "v4"


app = typer.Typer(help="Import figures and data.", no_args_is_help=True)


@app.command("observations")
def observations(
    file: Path = typer.Argument(..., help="CSV with the columns indicator,period,area,value."),
) -> None:
    """Import observations from a CSV file: all lines or, on any problem, none."""
    from app.db import get_write_engine
    from app.figures.csv_import import import_observations

    if not file.is_file():
        fail(f"{file} is not a file")
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )
    with progress, file.open("rb") as stream, Session(get_write_engine()) as session:
        task = progress.add_task(f"Reading {file.name}", total=file.stat().st_size)
        outcome = import_observations(
            session=session,
            stream=stream,
            source=file.name,
            on_progress=lambda done: progress.update(task, completed=done),
        )
    for problem in outcome.problems:
        column = f", column {problem.field}" if problem.field else ""
        errors.print(f"[red]line {problem.where}{column}: {problem.message}[/red]", highlight=False)
    if outcome.problems:
        count = len(outcome.problems)
        fail(f"{count} problem{'s' if count != 1 else ''} in {file.name}; nothing was imported")
    result = outcome.result
    ok(f"{result.inserted} inserted, {result.updated} updated, {result.unchanged} unchanged")


@app.command("cbs")
def cbs(
    table: str = typer.Argument(..., help="CBS StatLine table id, e.g. 85039NED."),
    measure: str = typer.Option(
        ..., "--measure", help="Measure to import: the v3 column or the v4 measure code."
    ),
    indicator: str = typer.Option(..., "--indicator", help="Slug of the indicator to fill."),
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
) -> None:
    """Import one measure of a Statistics Netherlands table: all rows or, on any problem, none."""
    from sqlmodel import select

    from app.db import get_write_engine
    from app.figures.cbs import CbsError, import_cbs
    from app.models import Indicator

    with Session(get_write_engine()) as session:
        target = session.exec(select(Indicator).where(Indicator.slug == indicator)).first()
        if target is None:
            fail(f"unknown indicator '{indicator}'")
        try:
            outcome = import_cbs(
                session=session,
                table=table,
                measure=measure,
                indicator=target,
                region_prefix=region_prefix,
                api=api.value,
            )
        except CbsError as error:
            fail(str(error))
    for problem in outcome.problems:
        errors.print(
            f"[red]row {problem.where}, {problem.field}: {problem.message}[/red]", highlight=False
        )
    if outcome.problems:
        fail(f"{len(outcome.problems)} problem(s) in CBS table {table}; nothing was imported")
    result = outcome.result
    ok(
        f"{result.inserted} inserted, {result.updated} updated, {result.unchanged} unchanged; "
        f"{outcome.created_areas} areas created"
    )
