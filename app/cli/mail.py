"""``duiding mail``: send the e-mail notifications waiting in the outbox."""

import typer

from app.cli.console import console, fail, ok

app = typer.Typer(help="E-mail notifications (the outbox).", no_args_is_help=True)


@app.command(
    "send", help="Send the messages that are due (the server also does this every minute)."
)
def send() -> None:
    """Queue today's digest and action reminders, then deliver what is due."""
    from app.config import settings_or_exit
    from app.mail.delivery import deliver

    settings = settings_or_exit()
    if not settings.mail_enabled:
        fail("e-mail is off: set DUIDING_SMTP_HOST and DUIDING_SMTP_FROM to turn it on")
    outcome = deliver(settings=settings)
    for error in outcome.errors:
        console.print(f"[yellow]![/yellow] {error}", highlight=False)
    summary = (
        f"{outcome.sent} sent, {outcome.deferred} left in the outbox for a later try, "
        f"{outcome.failed} refused for good ({outcome.queued} queued now)"
    )
    if outcome.deferred or outcome.failed:
        fail(summary, code=2)
    ok(summary)


@app.command("status", help="Count the messages in the outbox per state.")
def status() -> None:
    """Print how many messages are pending, being sent, sent and refused."""
    from sqlmodel import Session

    from app.db import get_engine
    from app.mail.delivery import status as counts

    with Session(get_engine()) as session:
        for state, n in counts(session=session).items():
            console.print(f"{state}: {n}", highlight=False)
