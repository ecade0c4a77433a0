"""The ``duiding`` command line: one Typer app, sub-commands in modules of this package."""

import typer

from app.cli import accounts, archive, database, imports, mail, maintenance, server

app = typer.Typer(
    help="Duiding: figures read as signals, next to the stories that explain them.",
    no_args_is_help=True,
    add_completion=False,
)
app.command("serve", help="Serve the web application.")(server.serve)
app.command("demo", help="Load the demo municipality (deterministic).")(server.demo)
app.command("export", help="Export all data as CSV + JSON in a zip (no contact details).")(
    archive.export
)
app.command("backup", help="Take a consistent copy of the (SQLite) database.")(archive.backup)
app.command("maintenance", help="Delete contact details past their retention.")(
    maintenance.maintenance
)
app.add_typer(database.app, name="db")
app.add_typer(accounts.users, name="users")
app.add_typer(accounts.tokens, name="tokens")
imports.app.command("archive", help="Restore an export zip into this empty instance.")(
    archive.import_archive
)
app.add_typer(imports.app, name="import")
app.add_typer(mail.app, name="mail")
