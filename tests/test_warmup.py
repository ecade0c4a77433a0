"""The warm-up after a start (app/warmup.py): it fills what the first pages would load,
never raises, and stays out of the way when turned off. Its speed is measured in bench/."""

from datetime import date

import pytest

from app.figures import charts
from app.models import Observation
from app.warmup import start_warm_up, warm_up
from tests.factories import make_indicator, make_theme


def test_turned_off_it_starts_no_thread(env):
    env.setenv("DUIDING_WARM_UP", "false")
    assert start_warm_up() is None


def test_it_builds_the_chart_layouts_and_runs_every_step(env, session):
    indicator = make_indicator(session, frequency="month")
    for month in range(1, 13):
        session.add(
            Observation(indicator_id=indicator.id, period_start=date(2025, month, 1), value=month)
        )
    session.commit()
    charts._layout.cache_clear()
    ran = []
    warm_up(first=[lambda: ran.append("first")], last=[lambda: ran.append("last")])
    assert ran == ["first", "last"]
    assert charts._layout.cache_info().currsize > 0


def test_a_failing_step_does_not_stop_it(env, session):
    ran = []

    def broken():
        raise RuntimeError("no")

    warm_up(first=[broken], last=[lambda: ran.append("last")])  # an empty database too
    assert ran == ["last"]


@pytest.mark.parametrize("default", ["nl", "en"])
def test_after_the_warm_up_the_latest_report_renders_nothing(
    settings, session, monkeypatch, default
):
    """In the instance's language: a live report's charts are drawn in its reader's."""
    from app.figures import svg
    from app.reports.build import half_year
    from app.reports.service import live_report

    indicator = make_indicator(session, themes=[make_theme(session)], frequency="month")
    for month in range(1, 13):
        session.add(
            Observation(indicator_id=indicator.id, period_start=date(2025, month, 1), value=month)
        )
    session.commit()
    settings(default_language=default)
    warm_up()

    def unexpected(spec: dict) -> str:
        raise AssertionError("rendered after the warm-up")

    monkeypatch.setattr(svg, "render", unexpected)
    report = live_report(session=session, half=half_year("2025-H2"), lang=default)
    assert report.themes[0].indicators[0].svg.startswith("<svg")


def test_a_new_app_leaves_the_report_writers_and_the_svg_engine_unloaded(tmp_path):
    """create_app() in a fresh interpreter, as ``duiding serve`` runs it: the PDF and
    Word writers, vl-convert and Altair (together ~170 MB and a second of start) and
    the HTTP client of the CBS import load only when a download, an SVG, a chart or a
    CBS import needs them."""
    import os
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from app.main import create_app\n"
        "create_app()\n"
        "heavy = ('weasyprint', 'docx', 'vl_convert', 'altair', 'httpx')\n"
        "print('LOADED', sorted(m for m in heavy if m in sys.modules))\n"
    )
    env = {
        **os.environ,
        "DUIDING_DATABASE_URL": f"sqlite:///{tmp_path / 'probe.db'}",
        "DUIDING_SECRET_KEY": "a-secret-key-only-for-this-probe-of-the-imports-000",
        "DUIDING_DATA_DIR": str(tmp_path / "data"),
    }
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr[-500:]
    assert "LOADED []" in result.stdout, result.stdout
