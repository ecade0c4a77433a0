"""Text that could end a script element or break a Vega expression, in every field that
reaches a chart: the page stays whole, its data islands parse back, the charts render."""

import html
import io
import json
import re
from datetime import date

import pytest
from markupsafe import escape
from pypdf import PdfReader

from app.models import ConsentReach, ContextEvent, NarrativeIndicator, SessionIndicator
from tests.factories import bearer, login, make_narrative
from tests.test_indicator_page import indicator  # noqa: F401 - the fixture
from tests.test_reports import REPORT, data  # noqa: F401 - the fixture

#: An HTML comment and script start (the parser state that swallowed pages), a script
#: end, a backslash before a quote, two backslashes, a single quote and a line break.
HOSTILE = "<!--<script> a\\\"b\\\\c' </script>\nd"
ISLAND = re.compile(
    r'<script type="application/json" class="chart-spec" data-target="([^"]+)">(.*?)</script>',
    re.DOTALL,
)


def _texts(node) -> list[str]:
    """Every string anywhere in a spec."""
    if isinstance(node, dict):
        return [text for value in node.values() for text in _texts(value)]
    if isinstance(node, list):
        return [text for value in node for text in _texts(value)]
    return [node] if isinstance(node, str) else []


@pytest.fixture
def hostile(session, indicator):  # noqa: F811 - the fixture imported above
    """The indicator of tests/test_indicator_page.py with hostile text in every field that
    reaches its chart: its name, its unit, a story, a context event and a session."""
    indicator.name = f"Meldingen {HOSTILE}"
    indicator.unit = f"u {HOSTILE}"
    session.add(indicator)
    story = make_narrative(
        session, title=f"Verhaal {HOSTILE}", occurred_on=date(2025, 3, 1), consent_reach="public"
    )
    session.add(NarrativeIndicator(narrative_id=story.id, indicator_id=indicator.id))
    session.add(ContextEvent(title=f"Ontwikkeling {HOSTILE}", starts_on=date(2025, 2, 1)))
    session.commit()
    return indicator


def _check_page(page: str, ending: str) -> list[dict]:
    islands = list(ISLAND.finditer(page))
    assert islands, "no chart on the page"
    specs = []
    for text in (island.group(2) for island in islands):
        # nothing in the island can switch the HTML parser's state
        assert not set(text) & set("<>&'"), text[:200]
        specs.append(json.loads(text))
    assert ending in page[islands[0].end() :]  # the rest of the page is there
    return specs


def test_indicator_page_and_timeline_keep_hostile_text_inside_their_islands(
    client, session, settings, hostile
):
    settings(public_read=True)
    client.post(
        "/api/v1/sessions",
        json={
            "held_on": "2025-04-10",
            "title": f"Sessie {HOSTILE}",
            "indicators": [{"slug": "meldingen"}],
        },
        headers=bearer(session, "editor"),
    ).raise_for_status()
    page = client.get("/indicators/meldingen")
    assert page.status_code == 200
    spec = _check_page(page.text, 'id="period-2026-01"')[0]
    assert spec["description"].startswith(f"Meldingen {HOSTILE}")
    texts = _texts(spec)
    for value in ("Verhaal", "Ontwikkeling", "Sessie"):
        assert any(f"{value} {HOSTILE}" in text for text in texts), value
    # the timeline lists the story after its chart
    timeline = client.get("/timeline?indicator=meldingen")
    assert timeline.status_code == 200
    [spec] = _check_page(timeline.text, str(escape(f"Verhaal {HOSTILE}")))
    assert spec["description"].startswith(f"Meldingen {HOSTILE}")


def test_charts_with_hostile_text_render_as_svg(client, session, settings, hostile):
    settings(public_read=True)
    response = client.get("/indicators/meldingen/chart.svg")
    assert response.status_code == 200, response.text
    svg = html.unescape(response.text)
    # the unit reads as typed on the axis (marks are hidden from assistive technology,
    # so it no longer repeats in every point's description)
    one_line = f"u {HOSTILE}".replace("\n", " ")
    assert svg.count(f"u {HOSTILE}") + svg.count(one_line) >= 1
    assert "\\u005c" not in svg


def test_reports_with_a_hostile_unit_render(client, session, data):  # noqa: F811
    figure = data["indicator"]
    figure.unit = HOSTILE
    figure.name = f"Verzuim {HOSTILE}"
    session.add(figure)
    story = data["stories"][ConsentReach.council]
    story.title = f"Raadsverhaal {HOSTILE}"
    session.add(story)
    session.commit()
    login(client, session, "viewer")
    page = client.get(REPORT)
    assert page.status_code == 200 and "<svg" in page.text
    assert "<!--<script>" not in page.text and str(escape(HOSTILE)) in page.text
    markdown = client.get(f"{REPORT}.md")
    assert markdown.status_code == 200 and f"Raadsverhaal {HOSTILE}" in markdown.text
    pdf = client.get(f"{REPORT}.pdf")
    assert pdf.status_code == 200
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Raadsverhaal <!--<script>" in text


def test_session_snapshot_chart_with_hostile_text_renders(client, session, hostile):
    editor = bearer(session, "editor")
    created = client.post(
        "/api/v1/sessions",
        json={
            "held_on": "2026-02-10",
            "title": f"Sessie {HOSTILE}",
            "indicators": [{"slug": "meldingen"}],
        },
        headers=editor,
    )
    assert created.status_code == 201, created.text
    login(client, session, "viewer")
    page = client.get(f"/sessions/{created.json()['id']}")
    assert page.status_code == 200
    [spec] = _check_page(page.text, "</html>")
    assert spec["description"].startswith(f"Meldingen {HOSTILE}")
    figure = session.exec(
        SessionIndicator.__table__.select().where(
            SessionIndicator.session_id == created.json()["id"]
        )
    ).first()
    svg = client.get(f"/sessions/{created.json()['id']}/figures/{figure.id}/chart.svg")
    assert svg.status_code == 200, svg.text


def test_only_titles_that_need_it_are_rewritten():
    from app.figures.charts import expression_safe

    spec = {
        "encoding": {"y": {"field": "v", "title": "Aantal"}},
        "layer": [
            {
                "encoding": {
                    "y": {"field": "v", "title": 'a\\"b', "axis": {"format": "d"}},
                    "color": {"field": "c", "title": "x\ny", "legend": None},
                    "tooltip": [{"field": "t", "title": "\\"}, {"field": "u", "title": None}],
                }
            }
        ],
    }
    expression_safe(spec)
    assert spec["encoding"]["y"] == {"field": "v", "title": "Aantal"}
    layer = spec["layer"][0]["encoding"]
    assert layer["y"] == {
        "field": "v",
        "title": 'a\\u005c"b',
        "axis": {"title": 'a\\"b', "format": "d"},
    }
    assert layer["color"] == {"field": "c", "title": "x\\u000ay", "legend": None}
    assert layer["tooltip"] == [{"field": "t", "title": "\\u005c"}, {"field": "u", "title": None}]
