"""Charts a person can read (issue 16), in chromium at 1280 and 360 px: the legend is
there, axis text is Dutch on a Dutch page and English with ?lang=en, the timeline's
panels carry story markers, nothing is logged to the console (errors nor warnings),
nothing leaves localhost (the page fixture's guard) and axe-core finds no violations;
the indicator page of the demo's longest series is at most a third of its old height,
and its reading guide is open the first time, folded after."""

from datetime import date

import pytest
from sqlmodel import Session

from app.db import get_write_engine
from app.demo import PASSWORD as DEMO_PASSWORD
from app.demo import load_demo
from app.models import (
    ContextEvent,
    ContextEventIndicator,
    Frequency,
    NarrativeIndicator,
    Observation,
    ReflectionSession,
    SessionIndicator,
)
from tests.browser.conftest import axe_violations, sign_in
from tests.factories import make_indicator, make_narrative

WIDTHS = {"desktop": (1280, 800), "phone": (360, 740)}
#: The demo's longest series (72 months) had the tallest indicator page on main at
#: dc2f1c5 (2 December 2026), measured in chromium signed in as its editor:
#: 12,800 px at 1280 px wide and 34,285 px at 360 px. After issue 16: 3,563 and 6,665.
OLD_HEIGHT = {"desktop": 12_800, "phone": 34_285}
LONGEST = "inzet-lichte-ondersteuning"


def _figure(session):
    """Hulpvragen, monthly 2024-01..2025-12 around a thousand (one value 1.026,3), with a
    story, a session, and a development over the autumn of 2024."""
    indicator = make_indicator(
        session, slug="hulpvragen", name="Hulpvragen", unit="aanvragen", frequency=Frequency.month
    )
    for i in range(24):
        value = 1026.3 if i == 5 else 1000 + (i % 4) * 20
        period = date(2024 + i // 12, i % 12 + 1, 1)
        session.add(Observation(indicator_id=indicator.id, period_start=period, value=value))
    story = make_narrative(session, title="Meer vragen in juni", occurred_on=date(2024, 6, 10))
    event = ContextEvent(
        title="Energiecrisis", starts_on=date(2024, 9, 1), ends_on=date(2024, 12, 31)
    )
    meeting = ReflectionSession(held_on=date(2025, 3, 12), title="Reflectie maart")
    session.add_all([event, meeting])
    session.flush()
    session.add_all(
        [
            NarrativeIndicator(narrative_id=story.id, indicator_id=indicator.id),
            ContextEventIndicator(event_id=event.id, indicator_id=indicator.id),
            SessionIndicator(session_id=meeting.id, indicator_id=indicator.id),
        ]
    )
    session.commit()
    return story


def _watch_console(page) -> list[str]:
    """Every console error and warning of the page from now on."""
    logged: list[str] = []
    page.on(
        "console",
        lambda m: logged.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None,
    )
    return logged


def _legend(page, selector: str = ".chart-legend li") -> set[str]:
    """The legend's labels (the story and session keys draw their glyph as SVG text)."""
    return {text.lstrip("▲◆ ").strip() for text in page.locator(selector).all_text_contents()}


def _axis_text(page, target: str) -> str:
    return " ".join(page.locator(f"#{target} svg g.role-axis text").all_text_contents())


@pytest.mark.parametrize("size", WIDTHS)
def test_indicator_chart_in_dutch_and_english(page, session, size):
    _figure(session)
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[size], strict=True)))
    logged = _watch_console(page)
    sign_in(page, session, "viewer")
    page.goto("/indicators/hulpvragen?lang=nl")
    page.wait_for_selector("#indicator-chart.chart-ready svg")
    # In the first screen: the chart starts above the fold, under the title.
    assert page.locator("#indicator-chart").bounding_box()["y"] < WIDTHS[size][1]
    legend = _legend(page, "#indicator-chart + script + .chart-legend li")
    assert {"gemiddelde", "verhalen van de periode", "reflectiesessie", "ontwikkeling"} <= legend
    axis = _axis_text(page, "indicator-chart")
    assert "jan" in axis and "1.000" in axis
    assert "Jan" not in axis and "1,000" not in axis
    # The table says what the tooltip says, in Dutch ("1.026,3", not "1026.3").
    assert "1.026,3" in page.locator("#period-2024-06").text_content()
    assert page.console_errors == [] and logged == []
    assert axe_violations(page) == []

    page.goto("/indicators/hulpvragen?lang=en")
    page.wait_for_selector("#indicator-chart.chart-ready svg")
    axis = _axis_text(page, "indicator-chart")
    assert "Jan" in axis and "1,000" in axis and "1.000" not in axis
    legend = _legend(page, "#indicator-chart + script + .chart-legend li")
    assert {"mean", "stories of the period", "reflection session", "development"} <= legend
    assert logged == []
    assert axe_violations(page) == []


@pytest.mark.parametrize("size", WIDTHS)
def test_timeline_panels_carry_story_markers_and_bands(page, session, size):
    story = _figure(session)
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[size], strict=True)))
    logged = _watch_console(page)
    sign_in(page, session, "viewer")
    page.goto("/timeline?indicator=hulpvragen&lang=nl")
    page.wait_for_selector("#chart-1.chart-ready svg")
    assert page.locator("#chart-1 svg text", has_text="▲").count() == 1
    assert page.locator("#chart-1 svg text", has_text="◆").count() == 1
    assert "jan" in _axis_text(page, "chart-1")
    assert {"verhalen van de periode", "ontwikkeling", "reflectiesessie"} <= _legend(page)
    assert logged == []
    assert axe_violations(page) == []
    page.locator("#chart-1 svg text", has_text="▲").click()
    page.wait_for_url(f"**/stories/{story.id}")
    # The story's page shows the figure with the story's month marked.
    page.wait_for_selector("#story-chart-1.chart-ready svg")
    assert "gemarkeerde periode" in page.locator(".chart-legend").inner_text()
    assert logged == []
    assert axe_violations(page) == []


def test_the_reading_guide_is_open_the_first_time_then_folded(page, session):
    _figure(session)
    sign_in(page, session, "viewer")
    page.goto("/indicators/hulpvragen")
    guide = page.locator("#chart-guide")
    assert guide.get_attribute("open") is not None
    assert "2,66" in guide.inner_text()
    page.reload()
    assert page.locator("#chart-guide").get_attribute("open") is None
    page.locator("#chart-guide > summary").click()
    page.reload()
    assert page.locator("#chart-guide").get_attribute("open") is not None


def test_without_javascript_the_guide_is_open(page_without_js, session):
    _figure(session)
    sign_in(page_without_js, session, "viewer")
    page_without_js.goto("/indicators/hulpvragen")
    assert page_without_js.locator("#chart-guide").get_attribute("open") is not None


@pytest.fixture
def demo(env):
    with Session(get_write_engine()) as session:
        load_demo(session=session)


@pytest.mark.parametrize("size", WIDTHS)
def test_the_longest_demo_series_is_a_third_of_its_old_height(demo, page, size):
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[size], strict=True)))
    logged = _watch_console(page)
    page.goto("/login")
    page.fill("#email", "redacteur@wadderveen.example")
    page.fill("#password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"/indicators/{LONGEST}?lang=nl")
    page.wait_for_selector("#indicator-chart.chart-ready svg")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= OLD_HEIGHT[size] / 3, height
    # Nothing pushes the page sideways on a phone, and no word is broken mid-word:
    # every period table cell is at least as wide as its longest word.
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[size][0]
    broken = page.evaluate(
        """() => [...document.querySelectorAll('details[open] table.periods td, '
                 + 'details[open] table.periods th')]
            .filter(cell => cell.scrollWidth > cell.clientWidth + 1).length"""
    )
    assert broken == 0
    assert logged == []
