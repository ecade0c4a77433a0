"""Periods lie within the years 1900 to 2100, in every notation and at every entrance:
API bodies and filters, breaks, story requests, stories, the HTML pages and forms, the
report URL and the CLI import. Outside, the answer is a clear 422 (one JSON shape) or
a message at the field, never a 500 and never a traceback."""

import json
import re
from html import unescape

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select
from typer.testing import CliRunner

from app.cli import app as cli
from app.config import get_settings
from app.figures import uploads
from app.figures.periods import FIRST_YEAR, LAST_YEAR, PeriodError, parse_period
from app.models import Frequency, IndicatorBreak, Narrative, Observation, StoryRequest
from tests.factories import bearer, csrf, login, make_indicator
from tests.test_observations_cbs import FIXTURES, cbs_answer, invoke, mock_client

MONTHS = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]

#: Every notation the period module reads, by the frequency it names.
NOTATIONS = {
    Frequency.year: ["{y}", "{y}JJ00"],
    Frequency.half: ["{y}-H{h}", "{y}HJ0{h}", "H{h} {y}"],
    Frequency.quarter: ["{y}-Q{q}", "{y}KW0{q}", "{y} Q{q}", "Q{q}-{y}"],
    Frequency.month: ["{y}-{m:02d}", "{y}MM{m:02d}", "{name} {y}", "{m:02d}-{y}", "{m}/{y}"],
    Frequency.week: ["{y}-W{w:02d}", "{y}W{w:02d}"],
    Frequency.day: ["{y}-{m:02d}-{d:02d}", "{d}-{m}-{y}"],
}
inside = st.integers(FIRST_YEAR, LAST_YEAR)
outside = st.one_of(st.integers(0, FIRST_YEAR - 1), st.integers(LAST_YEAR + 1, 9999))


@st.composite
def periods(draw, years):
    """(frequency, text): a period of some frequency in one of its notations."""
    frequency = draw(st.sampled_from(list(NOTATIONS)))
    notation = draw(st.sampled_from(NOTATIONS[frequency]))
    month = draw(st.integers(1, 12))
    text = notation.format(
        y=f"{draw(years):04d}",
        h=draw(st.integers(1, 2)),
        q=draw(st.integers(1, 4)),
        m=month,
        name=MONTHS[month - 1],
        w=draw(st.integers(1, 52)),
        d=draw(st.integers(1, 28)),
    )
    return frequency, text


def outside_message(text: str) -> str:
    return f"'{text}' lies outside the years 1900 to 2100"


@given(periods(outside))
def test_every_notation_outside_the_years_is_refused_with_one_message(case):
    frequency, text = case
    for expected in (None, frequency):
        with pytest.raises(PeriodError) as raised:
            parse_period(text, expected)
        assert str(raised.value) == outside_message(text)


@given(periods(inside))
def test_every_notation_inside_the_years_is_read(case):
    frequency, text = case
    assert parse_period(text, frequency).frequency == frequency


@pytest.mark.parametrize(
    ("text", "frequency"),
    [("1900", Frequency.year), ("1900-W01", Frequency.week), ("2100-12-31", Frequency.day),
     ("2100-H2", Frequency.half), ("01-1900", Frequency.month)],
)  # fmt: skip
def test_the_first_and_last_years_are_inside(text, frequency):
    assert parse_period(text, frequency).frequency == frequency


@pytest.fixture
def figures(session):
    """An indicator per frequency (slug = the frequency), an editor's token header."""
    for frequency in NOTATIONS:
        make_indicator(session, slug=frequency.value, frequency=frequency)
    headers = bearer(session, role="editor")
    session.rollback()
    return headers


def _api_detail(response) -> list[dict]:
    assert response.status_code == 422, (response.request.url, response.text)
    detail = response.json()["detail"]
    assert set(response.json()) == {"detail"} and isinstance(detail, list)
    return detail


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=periods(outside))
def test_api_bodies_and_filters_refuse_a_period_outside_the_years(client, session, figures, case):
    frequency, text = case
    slug, message = frequency.value, outside_message(text)
    posted = client.post(
        f"/api/v1/indicators/{slug}/observations",
        json=[{"period": text, "value": 1}],
        headers=figures,
    )
    assert _api_detail(posted) == [
        {"loc": ["body", 0, "period"], "msg": message, "type": "value_error"}
    ]
    for url, loc in (
        (f"/api/v1/indicators/{slug}/observations?from={text}", ["query", "from"]),
        (f"/api/v1/indicators/{slug}/observations.csv?to={text}", ["query", "to"]),
        (f"/api/v1/narratives?to={text}", ["query", "to"]),
        (f"/api/v1/timeline?from={text}", ["query", "from"]),
    ):
        detail = _api_detail(client.get(url, params=None, headers=figures))
        assert (detail[0]["loc"], detail[0]["msg"]) == (loc, message), url
    events = _api_detail(
        client.get("/api/v1/context-events", params={"from": text}, headers=figures)
    )
    assert events[0]["loc"] == ["query", "from"]
    breaks = client.patch(
        f"/api/v1/indicators/{slug}",
        json={"breaks": [{"period": text, "note": "x"}]},
        headers=figures,
    )
    assert _api_detail(breaks)[0] == {
        "loc": ["body", "breaks", 0, "period"], "msg": message, "type": "value_error"
    }  # fmt: skip
    asked = client.post(
        "/api/v1/story-requests",
        json={"question": "Wat merkt u?", "indicator": slug, "period": text},
        headers=figures,
    )
    assert _api_detail(asked) == [
        {"loc": ["body", "period"], "msg": message, "type": "value_error"}
    ]
    session.rollback()
    assert session.exec(select(Observation)).all() == []
    assert session.exec(select(StoryRequest)).all() == []
    assert session.exec(select(IndicatorBreak)).all() == []


@pytest.mark.parametrize("text", ["0000-01", "9999-12", "1899-12-31", "2101-01-01", "0000-00"])
def test_a_story_outside_the_years_is_refused_in_the_api_and_the_form(client, session, text):
    editor = bearer(session, role="editor")
    story = {"title": "Titel", "body": "Verhaal", "occurred": text, "author_role": "partner"}
    response = client.post("/api/v1/narratives", json=story, headers=editor)
    detail = _api_detail(response)
    assert detail[0]["loc"] == ["body", "occurred"]
    if text != "0000-00":
        assert detail[0]["msg"] == outside_message(text)
    session.rollback()
    login(client, session, "editor")
    session.rollback()
    form = {
        "csrf_token": csrf(client, "/stories/new"),
        "title": "Mijn verhaal",
        "body": "Wat ik zag.",
        "occurred": text,
        "author_role": "partner",
        "consent": "yes",
        "consent_reach": "internal",
    }
    page = client.post("/stories/new", data=form)
    assert page.status_code == 422
    assert f'value="{text}"' in page.text  # what was typed is kept
    if text != "0000-00":
        assert f"'{text}' ligt buiten de jaren 1900 tot en met 2100" in unescape(page.text)
    session.rollback()
    assert session.exec(select(Narrative)).all() == []


@pytest.mark.parametrize("text", ["0000-01", "9999-12", "1899-Q4", "2101"])
def test_pages_and_reports_answer_4xx_for_a_period_outside_the_years(client, session, text):
    make_indicator(session, slug="bijstand")
    login(client, session, "editor")
    session.rollback()
    for url in (f"/indicators/bijstand?from={text}", f"/timeline?to={text}"):
        page = client.get(url)
        assert page.status_code == 422, url
        assert "ligt buiten de jaren 1900 tot en met 2100" in page.text
    assert client.get(f"/reports/{text[:4]}-H1").status_code == 404
    chart = client.get(f"/indicators/bijstand/chart.svg?from={text}")
    assert 400 <= chart.status_code < 500


@pytest.mark.parametrize("period", ["0000-01", "9999-12", "0", "1899-12"])
def test_the_cli_import_says_which_line_is_outside_the_years(session, tmp_path, period):
    make_indicator(session, slug="bijstand", frequency=Frequency.month)
    session.rollback()
    path = tmp_path / "cijfers.csv"
    path.write_text(f"indicator,period,area,value\nbijstand,2024-01,,3\nbijstand,{period},,4\n")
    result = CliRunner().invoke(cli, ["import", "observations", str(path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "lies outside the years 1900 to 2100" in result.output or period == "0"
    assert re.search(r"line 3", result.output), result.output
    assert "nothing was imported" in result.output
    session.rollback()
    assert session.exec(select(Observation)).all() == []


@pytest.mark.parametrize("period", ["0000-01", "9999-12", "1899-12", "0000MM01"])
def test_the_upload_preview_refuses_a_file_with_a_period_outside_the_years(client, session, period):
    make_indicator(session, slug="bijstand", frequency=Frequency.month)
    login(client, session, "editor")
    session.rollback()
    content = f"indicator,period,area,value\nbijstand,2024-01,,3\nbijstand,{period},,4\n"
    page = client.post(
        "/indicators/import",
        data={"csrf_token": csrf(client, "/indicators/import")},
        files={"file": ("cijfers.csv", content.encode(), "text/csv")},
    )
    assert page.status_code == 422
    shown = " ".join(re.sub(r"<[^>]+>", " ", unescape(page.text)).split())
    assert f"3 period '{period}' ligt buiten de jaren 1900 tot en met 2100" in shown, shown
    assert 'formaction="/indicators/import/commit"' not in page.text  # nothing to confirm
    session.rollback()
    assert session.exec(select(Observation)).all() == []
    assert list(uploads.folder(get_settings().data_dir).iterdir()) == []  # not kept either


@pytest.mark.parametrize("period", ["0000JJ00", "9999MM12", "1899KW04"])
def test_a_cbs_table_with_a_period_outside_the_years_is_refused_whole(session, monkeypatch, period):
    make_indicator(session, slug="bijstand", frequency=Frequency.quarter)
    session.commit()
    table = FIXTURES / "v3" / "85039NED" / "TypedDataSet.json"
    body = json.loads(table.read_text())
    rows = [dict(row) for row in body["value"]]
    rows[1]["Perioden"] = period

    def handler(request):
        if request.url.path.endswith("/TypedDataSet"):
            return httpx.Response(200, json={**body, "value": rows})
        return cbs_answer(request)

    mock_client(monkeypatch, handler)
    result = invoke()
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"row 2, column period: '{period}' lies outside the years 1900 to 2100" in result.output
    assert "nothing was imported" in result.output
    session.rollback()
    assert session.exec(select(Observation)).all() == []
