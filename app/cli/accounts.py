"""``duiding users`` and ``duiding tokens``: staff accounts and API tokens."""

import sys

import typer

from app.cli.console import console, fail, ok, writing
from app.roles import Role

users = typer.Typer(help="Staff accounts.", no_args_is_help=True)
tokens = typer.Typer(help="API tokens.", no_args_is_help=True)

PASSWORD_STDIN = typer.Option(
    False, "--password-stdin", help="Read the password from standard input."
)


def _password(password_stdin: bool) -> str:
    """The first line of standard input; a password is never a command-line argument,
    where other users of the machine and the shell history would see it."""
    if not password_stdin:
        fail("give the password on standard input with --password-stdin")
    return sys.stdin.readline().rstrip("\r\n")


@users.command("add", help="Add a staff account; the password is read from stdin.")
def add_user(
    email: str = typer.Argument(..., help="Email address, used to sign in."),
    role: Role = typer.Option(..., "--role", help="admin, editor, viewer or council (raadslid)."),
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Create a user with an argon2-hashed password."""
    from app import accounts

    password = _password(password_stdin)
    with writing() as session:
        user = accounts.create_user(session=session, email=email, role=role, password=password)
    ok(f"added {user.email} as {user.role.value}")


@users.command("set-password", help="Set a user's password, read from stdin.")
def set_password(
    email: str = typer.Argument(..., help="Email address of the account."),
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Replace the password hash; accounts restored from an archive need this to sign in."""
    from app import accounts

    password = _password(password_stdin)
    with writing() as session:
        user = accounts.get_by_email(session=session, email=email)
        if user is None:
            fail(f"no user with email {email}")
        accounts.set_password(session=session, user=user, password=password, actor="cli")
    ok(f"set a new password for {user.email}")


@tokens.command("create", help="Create an API token for a user and print it once.")
def create_token(
    email: str = typer.Argument(..., help="Email address of the token's owner."),
    name: str = typer.Option("", help="A label to recognise the token by."),
) -> None:
    """Print a new bearer token; only its hash is stored."""
    from app import accounts

    with writing() as session:
        user = accounts.get_by_email(session=session, email=email)
        if user is None:
            fail(f"no user with email {email}")
        token = accounts.create_token(session=session, user=user, name=name)
    console.print(token, highlight=False, soft_wrap=True)
