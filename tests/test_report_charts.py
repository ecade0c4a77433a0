"""The half-year report's charts are rendered once per data version (app/figures/svg.py,
app/reports/build.py): a warm report renders nothing, a revised value shows at once on
the page and in its chart, a frozen report serves what it froze, a live report's charts
are drawn in its reader's language (each language kept apart) while a frozen one keeps
the charts it drew in every language when it was frozen, and vl-convert never loads in
the server: a chart that is really rendered is drawn in the renderer's child process."""

# ruff: noqa: F811 - the tests take test_reports' ``data`` fixture by its name

import json
import os
import re
import subprocess
import sys
from datetime import date

import pytest

from app.figures import svg
from app.figures.charts import locale_config
from app.figures.versions import PerVersion
from app.middleware import LANG_COOKIE
from app.models import FrozenReport, Observation
from app.reports import build
from app.reports.content import Report
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


#: Words of the youth figure's chart that only one language draws: a month of its time
#: axis, its legend's mean and the shaded half year.
DUTCH = {"okt 2023", "gemiddelde", "gemarkeerde periode"}
ENGLISH = {"Oct 2023", "mean", "period shown"}


def _words(chart: str) -> set[str]:
    return set(re.findall(r"<text[^>]*>([^<]*)</text>", chart))


def _in(chart: str, lang: str) -> bool:
    """Whether the chart reads in ``lang``, and not in the other language."""
    words, other = (DUTCH, ENGLISH) if lang == "nl" else (ENGLISH, DUTCH)
    return words <= _words(chart) and not other & _words(chart)


def test_a_live_report_draws_its_charts_in_its_readers_language(client, session, data, renders):
    login(client, session, "viewer")
    english = _chart(client.get(f"{REPORT}?lang=en").text)
    assert _in(english, "en")
    spec = renders[-1]
    assert spec["config"]["locale"] == locale_config("en")
    assert spec["datasets"]["highlight"][0]["tip"] == {"Half year": "2024-H1"}
    dutch = _chart(client.get(f"{REPORT}?lang=nl").text)
    assert _in(dutch, "nl")
    assert renders[-1]["config"]["locale"] == locale_config("nl")
    assert renders[-1]["datasets"]["highlight"][0]["tip"] == {"Halfjaar": "2024-H1"}
    # without ?lang= the reader's cookie or browser says it, then the default language
    assert _in(_chart(client.get(REPORT).text), "nl")  # the cookie ?lang=nl left
    client.cookies.delete(LANG_COOKIE)
    assert _in(_chart(client.get(REPORT, headers={"Accept-Language": "en"}).text), "en")


def test_dutch_and_english_charts_are_kept_apart(client, session, data, renders, monkeypatch):
    login(client, session, "viewer")
    english = _chart(client.get(f"{REPORT}?lang=en").text)
    dutch = _chart(client.get(f"{REPORT}?lang=nl").text)
    assert _in(english, "en") and _in(dutch, "nl") and len(renders) == 2
    for _ in range(2):
        assert _chart(client.get(f"{REPORT}?lang=en").text) == english
        assert _chart(client.get(f"{REPORT}?lang=nl").text) == dutch
        # a restarted server (nothing computed in memory) takes them from the store
        monkeypatch.setattr(build, "_figures", PerVersion(keep=8))
    assert len(renders) == 2  # each language rendered once, never served the other's


@pytest.fixture
def written(monkeypatch) -> dict[str, tuple]:
    """The report and language the PDF and Word writers are given, by suffix (the files
    hold the charts as pictures; what they were drawn from is said here)."""
    from app.reports import docx, pdf

    given: dict[str, tuple] = {}

    def writer(suffix: str):
        def write(report, markdown: str, lang: str) -> bytes:
            given[suffix] = (report, lang)
            return b"%"

        return write

    monkeypatch.setattr(pdf, "report_pdf", writer("pdf"))
    monkeypatch.setattr(docx, "report_docx", writer("docx"))
    return given


def _svg(report) -> str:
    """The youth figure's chart in a report object."""
    (theme,) = [theme for theme in report.themes if theme.slug == "jeugd"]
    return theme.indicators[0].svg.strip()


def test_the_downloads_of_a_live_report_draw_its_charts_in_their_readers_language(
    client, session, data, written
):
    login(client, session, "viewer")
    for lang in ("en", "nl", "en"):
        page = _chart(client.get(f"{REPORT}?lang={lang}").text)
        for suffix in ("pdf", "docx"):
            assert client.get(f"{REPORT}.{suffix}?lang={lang}").status_code == 200
            report, said = written.pop(suffix)
            assert said == lang and _svg(report) == page and _in(page, lang)


def test_a_frozen_report_keeps_its_charts_in_every_language(
    client, session, data, renders, written
):
    login(client, session, "editor")
    page = client.get(f"{REPORT}?lang=en").text  # an editor who reads English freezes it
    response = client.post(
        f"{REPORT}/freeze", data={"csrf_token": csrf_from(page)}, follow_redirects=False
    )
    frozen_url = response.headers["location"]
    session.rollback()  # read what the app committed
    row = session.get(FrozenReport, int(frozen_url.split("version=")[1]))
    assert row is not None
    stored = Report.model_validate(row.content)
    # its chart in the instance's language, and one in each language, drawn at freezing
    (part,) = next(theme for theme in stored.themes if theme.slug == "jeugd").indicators
    assert _in(_svg(stored), "nl") and part.svgs["nl"].strip() == _svg(stored)
    assert _in(part.svgs["en"], "en")
    _revise(client, data, 44)  # a later revision changes no language's chart
    rendered = len(renders)
    for lang in ("en", "nl", "en"):
        chart = _chart(client.get(f"{frozen_url}&lang={lang}").text)
        assert chart == part.svgs[lang].strip() and _in(chart, lang)
        for suffix in ("pdf", "docx"):
            assert client.get(f"{REPORT}.{suffix}?version={row.id}&lang={lang}").status_code == 200
            report, said = written.pop(suffix)
            assert said == lang and _svg(report) == chart
    assert len(renders) == rendered  # nothing drawn again for a frozen report
    session.rollback()
    session.refresh(row)
    assert row.content == stored.model_dump(mode="json")  # and nothing stored anew


def test_a_report_frozen_with_one_language_shows_it_to_every_reader(client, session, data):
    """Reports frozen before every language was kept hold one chart: every reader gets it."""
    login(client, session, "editor")
    page = client.get(REPORT).text
    response = client.post(
        f"{REPORT}/freeze", data={"csrf_token": csrf_from(page)}, follow_redirects=False
    )
    frozen_url = response.headers["location"]
    session.rollback()
    row = session.get(FrozenReport, int(frozen_url.split("version=")[1]))
    assert row is not None
    content = Report.model_validate(row.content)
    for theme in content.themes:
        for part in theme.indicators:
            part.svgs = {}
    row.content = content.model_dump(mode="json")
    session.add(row)
    session.commit()
    for lang in ("en", "nl"):
        assert _chart(client.get(f"{frozen_url}&lang={lang}").text) == _svg(content)


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
from app.figures import renderer

assert "vega" in vega_bundle()
with Session(get_engine()) as session:
    report = live_report(session=session, half=half_year("2024-H1"), lang="nl")
assert report.themes[0].indicators[0].svg.startswith("<svg")
print("vl_convert" in sys.modules, renderer.running())
"""


def test_vl_convert_draws_in_a_child_only_when_a_chart_or_bundle_is_made(
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

    assert loaded(os.environ["DUIDING_DATA_DIR"]) == "False False"  # all stored: no child
    # nothing stored: the bundle and the chart are made in the child, never in the server
    assert loaded(str(tmp_path / "empty")) == "False True"
