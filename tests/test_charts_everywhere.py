"""Stories, sessions and developments on every panel (issue 16, item 2): the timeline's
small multiples draw them through the one chart builder, a story's page shows its
figures with its period marked, and the indicator page lists a session held after the
figure's last period."""

import json
import re
from datetime import date

import pytest

from app.models import (
    ContextEvent,
    ContextEventIndicator,
    Frequency,
    NarrativeIndicator,
    Observation,
    ReflectionSession,
    SessionIndicator,
)
from tests.factories import login, make_indicator, make_narrative

SPEC = re.compile(
    r'<script type="application/json" class="chart-spec" data-target="([^"]+)">(.*?)</script>',
    re.S,
)


def _specs(html: str) -> dict[str, dict]:
    return {target: json.loads(text) for target, text in SPEC.findall(html)}


@pytest.fixture
def figure(session):
    """Meldingen, monthly 2024-01..2025-12, a story in 2024-06, a development over
    2024-09..2024-11 and a session in January 2026 (after the last period)."""
    indicator = make_indicator(session, slug="meldingen", name="Meldingen", frequency="month")
    for i in range(24):
        period = date(2024 + i // 12, i % 12 + 1, 1)
        session.add(Observation(indicator_id=indicator.id, period_start=period, value=10 + i % 3))
    story = make_narrative(session, title="Meer meldingen in juni", occurred_on=date(2024, 6, 12))
    session.add(NarrativeIndicator(narrative_id=story.id, indicator_id=indicator.id))
    event = ContextEvent(
        title="Energiecrisis", starts_on=date(2024, 9, 1), ends_on=date(2024, 11, 30)
    )
    session.add(event)
    meeting = ReflectionSession(held_on=date(2026, 1, 20), title="Terugblik januari")
    session.add(meeting)
    session.flush()
    session.add(ContextEventIndicator(event_id=event.id, indicator_id=indicator.id))
    session.add(SessionIndicator(session_id=meeting.id, indicator_id=indicator.id))
    session.commit()
    return indicator, story, meeting


def test_timeline_panels_draw_stories_sessions_and_developments(client, session, figure):
    _indicator, story, meeting = figure
    login(client, session, "viewer")
    html = client.get("/timeline?indicator=meldingen&lang=nl").text
    spec = _specs(html)["chart-1"]
    marked = [row for row in spec["datasets"]["points"] if row["stories"]]
    assert [(row["period"], row["href"]) for row in marked] == [
        ("2024-06-01", f"/stories/{story.id}")
    ]
    assert spec["datasets"]["events"][0]["start"] == "2024-09-01"
    # The session held after the last period sits on the last period's point.
    assert [s["href"] for s in spec["datasets"]["sessions"]] == [f"/sessions/{meeting.id}"]
    assert spec["datasets"]["sessions"][0]["day"] == "2025-12-01"
    legend = html[html.index('class="chart-legend"') :]
    legend = legend[: legend.index("</ul>")]
    for words in ("verhalen van de periode", "reflectiesessie", "ontwikkeling"):
        assert words in legend


def test_a_marker_of_several_stories_opens_their_period_on_the_timeline(client, session, figure):
    indicator = figure[0]
    for day in (3, 4):
        extra = make_narrative(session, title=f"Juni {day}", occurred_on=date(2024, 6, day))
        session.add(NarrativeIndicator(narrative_id=extra.id, indicator_id=indicator.id))
    session.commit()
    login(client, session, "viewer")
    spec = _specs(client.get("/timeline?indicator=meldingen").text)["chart-1"]
    june = next(row for row in spec["datasets"]["points"] if row["period"] == "2024-06-01")
    assert june["stories"] == 3
    assert june["href"] == "/indicators/meldingen?from=2024-06&to=2024-06"


def test_a_story_page_shows_its_figure_with_its_period_marked(client, session, figure):
    story = figure[1]
    login(client, session, "viewer")
    html = client.get(f"/stories/{story.id}?lang=nl").text
    spec = _specs(html)["story-chart-1"]
    assert spec["datasets"]["highlight"] == [
        {
            "start": "2024-06-01",
            "end": "2024-06-30",
            "tip": {"Periode van dit verhaal": "2024-06"},
        }
    ]
    assert "gemarkeerde periode" in html
    svg = re.search(r'<img class="chart-svg" src="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "period=2024-06" in svg
    response = client.get(svg)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")


def test_a_bad_period_for_the_svg_is_a_clear_400(client, session, figure):
    login(client, session, "viewer")
    response = client.get("/indicators/meldingen/chart.svg?period=juni")
    assert response.status_code in (400, 422)


def test_the_indicator_page_lists_a_session_held_after_its_last_period(client, session, figure):
    meeting = figure[2]
    login(client, session, "viewer")
    html = client.get("/indicators/meldingen").text
    assert f'href="/sessions/{meeting.id}"' in html
    spec = _specs(html)["indicator-chart"]
    assert [s["day"] for s in spec["datasets"]["sessions"]] == ["2025-12-01"]
    # Unless the reader ends the range before it: then it is not of this range.
    html = client.get("/indicators/meldingen?to=2025-06").text
    assert f'href="/sessions/{meeting.id}"' not in html


def test_a_story_of_a_quarterly_figure_marks_its_quarter(client, session):
    indicator = make_indicator(session, slug="kwartaal", frequency=Frequency.quarter)
    for month in (1, 4, 7, 10):
        session.add(
            Observation(indicator_id=indicator.id, period_start=date(2024, month, 1), value=5)
        )
    story = make_narrative(session, occurred_on=date(2024, 5, 20))
    session.add(NarrativeIndicator(narrative_id=story.id, indicator_id=indicator.id))
    session.commit()
    login(client, session, "viewer")
    spec = _specs(client.get(f"/stories/{story.id}").text)["story-chart-1"]
    band = spec["datasets"]["highlight"][0]
    assert (band["start"], band["end"]) == ("2024-04-01", "2024-06-30")
