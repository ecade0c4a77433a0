"""The warm-up after a start (app/warmup.py): it fills what the first pages would load,
never raises, and stays out of the way when turned off. Its speed is measured in bench/."""

from datetime import date

from app.figures import charts
from app.models import Observation
from app.warmup import start_warm_up, warm_up
from tests.factories import make_indicator


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
