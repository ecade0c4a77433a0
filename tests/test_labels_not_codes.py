"""Labels, not codes (issue 21): what a reader sees names a theme and an area by name and
a period in words ("oktober 2025", "2e helft 2025"), in Dutch and in English; the codes
stay in addresses and form values only."""

import html
import re
from datetime import date

import pytest

from app.figures.observations import ObservationInput, upsert_observations
from app.figures.periods import parse_period
from app.models import AreaKind, Frequency
from tests.factories import (
    bearer,
    csrf_from,
    login,
    make_area,
    make_indicator,
    make_narrative,
    make_theme,
)


def visible(page: str) -> str:
    """The text a reader sees: no tags, attributes, scripts or styles."""
    text = re.sub(r"(?s)<(script|style|head)\b[^>]*>.*?</\1>", " ", page)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return re.sub(r"\s+", " ", text)


WORDS = {
    "nl": {"month": "oktober 2025", "half": "2e helft 2025", "day": "1 okt 2025"},
    "en": {"month": "October 2025", "half": "second half of 2025", "day": "1 Oct 2025"},
}


def _observe(session, indicator, values: dict[str, float]) -> None:
    session.commit()  # end any read transaction older than the app's last write
    items = [
        ObservationInput(period=parse_period(label, indicator.frequency), value=value)
        for label, value in values.items()
    ]
    upsert_observations(session=session, indicator=indicator, items=items, source="test")
    session.commit()


@pytest.fixture
def work(session):
    """A theme with a monthly figure measured in the second half of 2025."""
    theme = make_theme(session, slug="werk-en-inkomen", name="Werk en inkomen")
    indicator = make_indicator(
        session, themes=[theme], slug="uitstroom", name="Uitstroom", frequency=Frequency.month
    )
    _observe(session, indicator, {f"2025-{m:02d}": 30 + m % 3 for m in range(1, 13)})
    return theme


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_frozen_versions_name_their_theme(client, session, work, lang):
    login(client, session, "editor")
    live = client.get("/reports/2025-H2", params={"theme": "werk-en-inkomen"})
    frozen = client.post(
        "/reports/2025-H2/freeze",
        data={"csrf_token": csrf_from(live.text), "theme": "werk-en-inkomen"},
        follow_redirects=False,
    )
    assert frozen.status_code == 303
    version = frozen.headers["location"]
    for path in ("/reports", version):
        page = client.get(path, params={"lang": lang})
        assert page.status_code == 200
        seen = visible(page.text)
        assert "(Werk en inkomen)" in seen, path
        assert "werk-en-inkomen" not in seen, path  # still in the version's address
        assert "theme=werk-en-inkomen" in page.text
    listed = visible(client.get("/reports", params={"lang": lang}).text)
    assert WORDS[lang]["half"] in listed and "2025-H2" not in listed
    report = visible(client.get(version, params={"lang": lang}).text)
    # the latest value and the signals of the half year by period in words
    assert "2025-12" not in report and "2025-07" not in report
    assert ("december 2025" if lang == "nl" else "December 2025") in report


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_session_says_its_stories_and_figures_by_period(client, session, lang):
    indicator = make_indicator(session, slug="wachttijd", frequency=Frequency.month)
    _observe(session, indicator, {"2025-09": 30, "2025-10": 28})
    story = make_narrative(session, title="Gezinscoach", occurred_on=date(2025, 10, 1))
    body = {
        "held_on": "2025-11-03",
        "title": "Overleg",
        "indicators": [{"slug": "wachttijd"}],
        "narratives": [story.id],
    }
    created = client.post("/api/v1/sessions", json=body, headers=bearer(session, "editor"))
    assert created.status_code == 201, created.text
    login(client, session, "viewer")
    page = client.get(f"/sessions/{created.json()['id']}", params={"lang": lang})
    assert page.status_code == 200
    seen = visible(page.text)
    # as the story page says it: the period the story is about, not its first day
    assert f"Gezinscoach ({WORDS[lang]['month']})" in seen
    assert WORDS[lang]["day"] not in seen
    # the frozen figures' periods in words
    assert re.search(rf"<td>{WORDS[lang]['month']}</td>", page.text)
    assert "2025-10" not in seen and "2025-09" not in seen


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_session_form_lists_stories_by_period(client, session, lang):
    make_narrative(session, title="Gezinscoach", occurred_on=date(2025, 10, 1))
    login(client, session, "editor")
    page = client.get("/sessions/new", params={"lang": lang})
    assert f"Gezinscoach ({WORDS[lang]['month']})" in visible(page.text)
    assert "2025-10-01" not in visible(page.text)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_development_says_its_periods_in_words(client, session, lang):
    make_theme(session, slug="jeugd", name="Jeugd")
    indicator = make_indicator(session, slug="verzuim", frequency=Frequency.month)
    _observe(session, indicator, {"2025-09": 30, "2025-10": 28})
    event = {"title": "Coronapandemie", "start": "2025-10", "end": "2025-H2", "themes": []}
    created = client.post("/api/v1/context-events", json=event, headers=bearer(session, "editor"))
    assert created.status_code == 201, created.text
    login(client, session, "viewer")
    for path in (f"/context/{created.json()['id']}", "/context", "/indicators/verzuim"):
        seen = visible(client.get(path, params={"lang": lang}).text)
        assert f"{WORDS[lang]['month']} \u2013 {WORDS[lang]['half']}" in seen, path
        assert "2025-10" not in seen and "2025-H2" not in seen, path


def test_the_area_list_names_the_parent(client, session):
    parent = make_area(session, code="GM9901", name="Wadderveen", kind=AreaKind.municipality)
    make_area(session, code="WK990101", name="Centrum", parent_id=parent.id)
    login(client, session, "viewer")
    page = client.get("/themes-and-areas")
    row = re.search(r"<tr><td>WK990101</td>.*?</tr>", page.text)
    assert row and "<td>Wadderveen</td>" in row[0] and "GM9901" not in row[0]
