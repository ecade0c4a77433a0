"""``duiding serve``: the uvicorn settings that keep connections from being reset, and the
collector settings of a started app."""

import gc

import uvicorn
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import app as cli
from app.cli.server import HEALTHCHECK_SECONDS, KEEP_ALIVE_SECONDS
from app.collector import YOUNG_THRESHOLD


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


def test_a_started_app_collects_the_young_generation_less_often(app):
    """Every worker tunes its collector as it starts (the lifespan: each of uvicorn's
    worker processes is a new interpreter), keeping the older generations' ratios."""
    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)  # the interpreter's default
        with TestClient(app):
            assert gc.get_threshold() == (YOUNG_THRESHOLD, 10, 10)
    finally:
        gc.set_threshold(*before)
