"""The half-year report's charts are rendered once per data version (app/figures/svg.py,
app/reports/build.py): a warm report renders nothing, a revised value shows at once on
the page and in its chart, a frozen report serves what it froze, each language has its
own charts, and vl-convert is loaded only when a chart is really rendered."""

# ruff: noqa: F811 - the tests take test_reports' ``data`` fixture by its name

import json
import os
import re
import subprocess
import sys
from datetime import date

import pytest

from app.figures import svg
from app.figures.versions import PerVersion
from app.models import Observation
from app.reports import build
from app.routes.vendor import vega_bundle
from tests.factories import csrf_from, login, make_indicator
from tests.test_reports import REPORT, _section, data  # noqa: F401 - the fixture


@pytest.fixture
def renders(monkeypatch) -> list[dict]:
    """The specs vl-convert is given to render, in order."""
    done: list[dict] = []
    real = svg.render

    def counting(spec: dict) -> str:
        done.append(spec)
        return real(spec)

    monkeypatch.setattr(svg, "render", counting)
    return done


def _chart(html: str) -> str:
    """The SVG of the youth theme's one figure."""
    section = _section(html, "jeugd")
    found = re.search(r'<div class="report-svg"[^>]*>(<svg.*?</svg>)', section, re.S)
    assert found, "no chart"
    return found.group(1)


def _revise(client, data, value: float) -> None:
    revised = client.post(
        "/api/v1/indicators/verzuim/observations",
        json=[{"period": "2024-03", "value": value}],
        headers=data["editor"],
    )
    assert revised.status_code == 200 and revised.json()["updated"] == 1, revised.text


def _shows(spec: dict, value: float) -> bool:
    return re.search(rf'"value": {value:g}(\.0)?[,}}]', json.dumps(spec)) is not None


def test_a_warm_report_renders_no_chart(client, session, data, renders, monkeypatch):
    login(client, session, "viewer")
    first = client.get(REPORT).text
    assert len(renders) == 1  # the one figure with values; the other has no chart
    again = client.get(REPORT).text
    assert len(renders) == 1 and _chart(again) == _chart(first)
    # a restarted server (nothing computed in memory) takes the charts from the store
    monkeypatch.setattr(build, "_figures", PerVersion(keep=8))
    assert _chart(client.get(REPORT).text) == _chart(first)
    assert len(renders) == 1


def test_a_revised_value_shows_at_once_on_the_page_and_in_its_chart(client, session, data, renders):
    login(client, session, "viewer")
    before = client.get(REPORT).text
    assert "maart 2024: 40," in before
    _revise(client, data, 44)
    after = client.get(REPORT).text
    assert "maart 2024: 44," in after and "maart 2024: 40," not in after
    assert _chart(after) != _chart(before)
    assert len(renders) == 2 and _shows(renders[1], 44) and not _shows(renders[1], 40)
    # the old value back is the old data version: its chart comes from the store
    _revise(client, data, 40)
    back = client.get(REPORT).text
    assert "maart 2024: 40," in back and _chart(back) == _chart(before)
    assert len(renders) == 2


def test_a_frozen_report_serves_what_it_froze(client, session, data, renders):
    login(client, session, "editor")
    page = client.get(REPORT).text
    response = client.post(
        f"{REPORT}/freeze", data={"csrf_token": csrf_from(page)}, follow_redirects=False
    )
    frozen_url = response.headers["location"]
    frozen = client.get(frozen_url).text
    _revise(client, data, 44)
    assert "maart 2024: 44," in client.get(REPORT).text
    rendered = len(renders)
    later = client.get(frozen_url).text
    assert "maart 2024: 40," in later and "maart 2024: 44," not in later
    assert _chart(later) == _chart(frozen) == _chart(page)
    assert len(renders) == rendered  # never rendered again, with today's data or any


def test_dutch_and_english_charts_are_kept_apart(client, session, data, renders, settings):
    login(client, session, "viewer")
    dutch = _chart(client.get(REPORT).text)
    settings(default_language="en")
    english = _chart(client.get(REPORT).text)
    assert len(renders) == 2 and english != dutch
    assert renders[0]["config"]["locale"] != renders[1]["config"]["locale"]
    settings(default_language="nl")
    assert _chart(client.get(REPORT).text) == dutch
    settings(default_language="en")
    assert _chart(client.get(REPORT).text) == english
    assert len(renders) == 2


def test_figures_are_kept_for_one_data_version(session):
    kept = PerVersion(keep=2)
    indicator = make_indicator(session)
    kept.entries(session, "a")["figure"] = 1
    assert kept.entries(session, "a") == {"figure": 1}
    assert kept.entries(session, "b") == {}
    session.add(Observation(indicator_id=indicator.id, period_start=date(2025, 1, 1), value=3))
    session.commit()
    assert kept.entries(session, "a") == {}  # a new value: nothing of before is served
    kept.entries(session, "a")["figure"] = 2
    kept.entries(session, "b")
    kept.entries(session, "c")  # the least recently asked scope, "a", makes way
    assert kept.entries(session, "a") == {}


LOADED = """
import sys
from sqlmodel import Session
from app.db import get_engine
from app.reports.build import half_year
from app.reports.service import live_report
from app.routes.vendor import vega_bundle

assert "vega" in vega_bundle()
with Session(get_engine()) as session:
    report = live_report(session=session, half=half_year("2024-H1"))
assert report.themes[0].indicators[0].svg.startswith("<svg")
print("vl_convert" in sys.modules)
"""


def test_vl_convert_is_loaded_only_when_a_chart_or_bundle_is_made(
    client, session, data, env, tmp_path
):
    login(client, session, "viewer")
    client.get(REPORT)  # renders the chart into this test's data folder
    vega_bundle.cache_clear()  # kept in memory by an earlier test, in its own data folder
    assert client.get("/static/vendor/vega-bundle.js").status_code == 200  # and the bundle
    session.rollback()

    def loaded(data_dir: str) -> str:
        environment = {**os.environ, "DUIDING_DATA_DIR": data_dir}
        done = subprocess.run(
            [sys.executable, "-c", LOADED], env=environment, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert loaded(os.environ["DUIDING_DATA_DIR"]) == "False"
    assert loaded(str(tmp_path / "empty")) == "True"  # nothing stored: rendered, loaded
