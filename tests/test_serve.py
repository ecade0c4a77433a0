"""``duiding serve``: the uvicorn settings that keep connections from being reset."""

import uvicorn
from typer.testing import CliRunner

from app.cli import app as cli
from app.cli.server import HEALTHCHECK_SECONDS, KEEP_ALIVE_SECONDS


def _serve(monkeypatch, *args: str) -> dict:
    seen: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda target, **options: seen.update(options))
    result = CliRunner().invoke(cli, ["serve", *args])
    assert result.exit_code == 0, result.output
    return seen


def test_idle_connections_outlive_the_clients_pools_and_busy_workers_are_not_killed(
    monkeypatch,
):
    options = _serve(monkeypatch)
    # Longer than the pools of httpx (5 s) and nginx (60 s): the client closes first.
    assert options["timeout_keep_alive"] == KEEP_ALIVE_SECONDS > 60
    assert options["timeout_worker_healthcheck"] == HEALTHCHECK_SECONDS > 5


def test_both_can_be_set(monkeypatch):
    options = _serve(monkeypatch, "--timeout-keep-alive", "90", "--healthcheck", "120")
    assert (options["timeout_keep_alive"], options["timeout_worker_healthcheck"]) == (90, 120)
