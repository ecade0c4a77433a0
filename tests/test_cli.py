"""The command line as an operator uses it: accounts, tokens, migrations, help."""

from sqlmodel import select
from typer.testing import CliRunner

from app.cli import app
from app.models import ApiToken, AuditEntry, User
from app.security.tokens import token_digest
from tests.factories import csrf_from

runner = CliRunner()


def test_help_lists_every_command(env):
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("serve", "db", "demo", "users", "tokens", "import", "export", "backup"):
        assert command in result.output


def test_db_upgrade_on_a_migrated_database_changes_nothing(env):
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0
    assert "database is up to date" in result.output


def test_users_add_reads_the_password_from_stdin_and_hashes_it(env, session):
    result = runner.invoke(
        app,
        ["users", "add", "Beleid@Gemeente.example", "--role", "editor", "--password-stdin"],
        input="een lang genoeg wachtwoord\n",
    )
    assert result.exit_code == 0, result.output
    user = session.exec(select(User)).one()
    assert (user.email, user.role) == ("beleid@gemeente.example", "editor")
    assert user.password_hash.startswith("$argon2")


def test_users_add_refuses_bad_input_with_a_message_and_stores_nothing(env, session):
    cases = [
        (["users", "add", "a@b.nl", "--role", "editor"], "x" * 12, "--password-stdin"),
        (["users", "add", "a@b.nl", "--role", "boss", "--password-stdin"], "x" * 12, "boss"),
        (
            ["users", "add", "geen-adres", "--role", "viewer", "--password-stdin"],
            "x" * 12,
            "not a valid email address",
        ),
        (
            ["users", "add", "a@b.nl", "--role", "viewer", "--password-stdin"],
            "kort",
            "at least 10 characters",
        ),
    ]
    for args, password, message in cases:
        result = runner.invoke(app, args, input=password + "\n")
        assert result.exit_code != 0, args
        assert message in result.output, (args, result.output)
    assert session.exec(select(User)).all() == []


def test_users_add_refuses_a_duplicate_email(env):
    args = ["users", "add", "a@b.nl", "--role", "viewer", "--password-stdin"]
    assert runner.invoke(app, args, input="x" * 12 + "\n").exit_code == 0
    again = runner.invoke(app, args, input="y" * 12 + "\n")
    assert again.exit_code == 1
    assert "already exists" in again.output


def test_tokens_create_prints_a_token_once_and_stores_only_its_digest(env, session, client):
    runner.invoke(
        app,
        ["users", "add", "a@b.nl", "--role", "viewer", "--password-stdin"],
        input="x" * 12 + "\n",
    )
    result = runner.invoke(app, ["tokens", "create", "a@b.nl"])
    assert result.exit_code == 0
    token = result.output.strip()
    stored = session.exec(select(ApiToken)).one()
    assert stored.token_hash == token_digest(token) != token
    api = client.get("/api/v1/themes", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200


def test_tokens_create_for_an_unknown_user_fails_clearly(env):
    result = runner.invoke(app, ["tokens", "create", "niemand@b.nl"])
    assert result.exit_code == 1
    assert "no user with email niemand@b.nl" in result.output


def test_users_set_password_lets_a_restored_account_sign_in(env, session, client):
    session.add(User(email="hersteld@b.nl", role="editor", password_hash=""))  # as restored
    session.commit()
    result = runner.invoke(
        app,
        ["users", "set-password", "Hersteld@B.nl", "--password-stdin"],
        input="nieuw wachtwoord 1\n",
    )
    assert result.exit_code == 0, result.output
    assert "set a new password for hersteld@b.nl" in result.output
    session.expire_all()
    assert session.exec(select(User)).one().password_hash.startswith("$argon2")
    login = client.get("/login")
    token = csrf_from(login.text)
    signed_in = client.post(
        "/login",
        data={"email": "hersteld@b.nl", "password": "nieuw wachtwoord 1", "csrf_token": token},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303
    assert client.get("/sessions", follow_redirects=False).status_code == 200
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "set_password")).one()
    assert entry.actor == "cli"


def test_users_set_password_refuses_bad_input_and_changes_nothing(env, session):
    runner.invoke(
        app,
        ["users", "add", "a@b.nl", "--role", "viewer", "--password-stdin"],
        input="x" * 12 + "\n",
    )
    before = session.exec(select(User)).one().password_hash
    cases = [
        (["users", "set-password", "a@b.nl"], "y" * 12, "--password-stdin"),
        (["users", "set-password", "niemand@b.nl", "--password-stdin"], "y" * 12, "no user"),
        (["users", "set-password", "a@b.nl", "--password-stdin"], "kort", "at least 10"),
    ]
    for args, password, message in cases:
        result = runner.invoke(app, args, input=password + "\n")
        assert result.exit_code == 1, args
        assert message in result.output, (args, result.output)
    session.expire_all()
    assert session.exec(select(User)).one().password_hash == before


#: What a command loads only when it runs: the database layer, the web framework, the
#: charts and the report and spreadsheet writers (seconds of imports on a busy machine).
HEAVY_MODULES = (
    "sqlalchemy",
    "sqlmodel",
    "fastapi",
    "starlette",
    "altair",
    "vl_convert",
    "openpyxl",
    "docx",
    "weasyprint",
    "httpx",
    "jinja2",
    "app.models",
    "app.main",
)


def test_help_loads_no_heavy_module():
    """``duiding --help`` (and a command's own help) in a fresh interpreter, as an operator
    runs it: none of the heavy packages is imported."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from app.cli import app\n"
        "try:\n"
        "    app(sys.argv[1:])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"loaded = sorted(m for m in {HEAVY_MODULES!r} if m in sys.modules)\n"
        "print('LOADED', loaded)\n"
    )
    for args in (["--help"], ["users", "add", "--help"], ["import", "observations", "--help"]):
        result = subprocess.run(
            [sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr
        assert "Usage" in result.stdout
        assert "LOADED []" in result.stdout, (args, result.stdout[-300:])


def test_commands_on_a_database_never_migrated_say_to_migrate(env, tmp_path):
    """A new file gave a traceback about a missing table; the hint names the command."""
    from tests.conftest import reset_caches

    env.setenv("DUIDING_DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    reset_caches()
    for args, given in (
        (["demo"], None),
        (["users", "add", "a@b.nl", "--role", "viewer", "--password-stdin"], "x" * 12 + "\n"),
    ):
        result = runner.invoke(app, args, input=given)
        assert result.exit_code == 1, (args, result.output)
        assert "run `duiding db upgrade` first" in result.output, result.output
        assert "Traceback" not in result.output
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(app, ["demo"]).exit_code == 0
