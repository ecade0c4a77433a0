"""The one chart builder: locale, tooltips, steps at a break, legend, no empty layers."""

import json
import re
from datetime import date

import pytest

from app.figures.charts import indicator_chart, legend
from app.figures.svg import chart_svg
from app.models import (
    Direction,
    Frequency,
    IndicatorBreak,
    Observation,
    ReflectionSession,
    SessionIndicator,
)
from tests.factories import make_indicator


def _row(day: str, value, mean, signal="common", stories=0):
    return {
        "period": day,
        "label": day[:7],
        "value": value,
        "mean": mean,
        "lpl": None if mean is None else mean - 10,
        "upl": None if mean is None else mean + 10,
        "masked": value is None,
        "provisional": False,
        "signal": signal,
        "stories": stories,
        "href": None,
        "tip": {},
        "story_tip": {},
    }


def _spec(rows, datasets=None, lang="nl", **options):
    return indicator_chart(
        rows,
        datasets or {},
        lang=lang,
        value_title="dagen",
        description="Samenvatting.",
        width=400,
        height=120,
        **options,
    )


def _texts(svg: str) -> list[str]:
    return re.findall(r">([^<>]+)</text>", svg)


ROWS = [_row(f"2024-{m:02}-01", 1000 + m * 100.5, 1300) for m in range(1, 13)]


def test_dutch_and_english_axes_in_the_server_rendered_svg():
    dutch = _texts(chart_svg(_spec(ROWS)))
    assert "jan 2024" in dutch or "feb 2024" in dutch
    assert any(re.fullmatch(r"\d\.\d00", text) for text in dutch)  # "1.200", not "1,200"
    assert not any(text.startswith(("January", "Jan ")) for text in dutch)
    english = _texts(chart_svg(_spec(ROWS, lang="en")))
    assert any(text.endswith(" 2024") and text[:3] in ("Jan", "Feb", "Mar") for text in english)
    assert any(re.fullmatch(r"\d,\d00", text) for text in english)


def test_mean_and_limits_step_at_a_break_instead_of_sloping():
    rows = [_row("2024-01-01", 10, 10), _row("2024-02-01", 12, 10), _row("2024-03-01", 30, 30)]
    spec = _spec(rows)
    assert [row["phase"] for row in spec["datasets"]["points"]] == [0, 0, 1]
    means = [
        layer for layer in spec["layer"] if layer["encoding"].get("y", {}).get("field") == "mean"
    ]
    assert means[0]["encoding"]["detail"]["field"] == "phase"


def test_only_layers_with_data_are_drawn_and_named_in_the_legend():
    spec = _spec(ROWS)
    assert set(spec["datasets"]) == {"points"}  # no empty events, breaks or sessions
    kinds = [entry.kind for entry in legend(ROWS, {}, "nl")]
    assert kinds == ["common", "mean", "limits"]
    full = [
        *ROWS[:11],
        _row("2024-12-01", 2500, 1300, signal="concern", stories=2),
        _row("2025-01-01", None, None),
    ]
    datasets = {
        "events": [{"start": "2024-03-01", "end": "2024-05-01", "tip": {}}],
        "breaks": [{"day": "2024-06-01", "tip": {}}],
        "sessions": [{"day": "2024-07-10", "href": "/sessions/1", "tip": {}}],
    }
    labels = {entry.kind: entry.label for entry in legend(full, datasets, "nl")}
    assert labels == {
        "concern": "zorgwekkend",
        "common": "gewone variatie",
        "mean": "gemiddelde",
        "limits": "grenzen van gewone variatie",
        "masked": "waarde verborgen (klein aantal)",
        "story": "verhalen van de periode",
        "session": "reflectiesessie",
        "event": "ontwikkeling",
        "break": "breuk: gewone variatie opnieuw berekend",
    }


def test_a_standalone_svg_draws_its_legend_and_names_itself():
    svg = chart_svg(_spec(ROWS, legend_below=True))
    assert {"gewone variatie", "gemiddelde", "grenzen van gewone variatie"} <= set(_texts(svg))


def test_text_that_looks_like_an_expression_stays_data():
    hostile = "'); alert(1); ('"
    rows = [dict(ROWS[0], tip={"Periode": hostile})]
    text = json.dumps(
        _spec(rows, {"sessions": [{"day": "2024-01-05", "href": "/", "tip": {"x": hostile}}]})
    )
    spec = json.loads(text)
    expressions = re.findall(r'"(?:expr|filter|calculate)": "([^"]*)"', text)
    assert all(hostile not in expression for expression in expressions)
    assert spec["datasets"]["points"][0]["tip"] == {"Periode": hostile}


@pytest.fixture
def indicator(session):
    indicator = make_indicator(
        session,
        slug="wachttijd",
        name="Wachttijd",
        unit="dagen",
        frequency=Frequency.month,
        direction=Direction.down,
    )
    for i, value in enumerate([1200.5, 1300.25] * 9):
        day = date(2024 + i // 12, i % 12 + 1, 1)
        session.add(Observation(indicator_id=indicator.id, period_start=day, value=value))
    session.add(IndicatorBreak(indicator_id=indicator.id, starts_on=date(2025, 1, 1)))
    meeting = ReflectionSession(held_on=date(2024, 3, 5), title="Reflectie maart")
    session.add(meeting)
    session.flush()
    session.add(SessionIndicator(session_id=meeting.id, indicator_id=indicator.id))
    session.commit()
    return indicator


def _page_spec(html: str, target: str) -> dict:
    found = re.search(rf'class="chart-spec" data-target="{target}">(.*?)</script>', html, re.S)
    return json.loads(found[1])


def test_the_page_chart_has_dutch_tooltips_a_description_and_a_legend(client, settings, indicator):
    settings(public_read=True)
    html = client.get("/indicators/wachttijd").text
    spec = _page_spec(html, "indicator-chart")
    first = spec["datasets"]["points"][0]
    assert first["tip"] == {
        "Periode": "2024-01",
        "Waarde": "1.200,5",
        "Signaal": "gewone variatie",
        "Gemiddelde": first["tip"]["Gemiddelde"],
        "Grenzen van gewone variatie": first["tip"]["Grenzen van gewone variatie"],
    }
    assert "," in first["tip"]["Gemiddelde"]
    tooltips = {layer["encoding"].get("tooltip", {}).get("field") for layer in spec["layer"]}
    assert tooltips == {"tip", None}  # translated labels as data, never a raw field name
    assert spec["config"]["locale"]["time"]["shortMonths"][2] == "mrt"
    assert spec["description"].startswith("Wachttijd ")
    assert spec["config"]["mark"]["aria"] is False
    legend_html = re.search(r'<ul class="chart-legend"[^>]*>(.*?)</ul>', html, re.S)[1]
    assert "gemiddelde" in legend_html and "reflectiesessie" in legend_html
    assert "breuk: gewone variatie opnieuw berekend" in legend_html
    english = _page_spec(client.get("/indicators/wachttijd?lang=en").text, "indicator-chart")
    assert english["datasets"]["points"][0]["tip"]["Value"] == "1,200.5"


def _rects(spec) -> list[tuple[str, dict]]:
    """Every rect mark in ``spec``, nested layers included: (data or filter, mark)."""
    found = []
    if isinstance(spec, dict):
        mark = spec.get("mark")
        if isinstance(mark, dict) and mark.get("type") == "rect":
            where = spec.get("data", {}).get("name", "")
            where += "".join(str(t.get("filter", "")) for t in spec.get("transform", []))
            found.append((where, mark))
        for value in spec.values():
            found += _rects(value)
    elif isinstance(spec, list):
        for value in spec:
            found += _rects(value)
    return found


@pytest.mark.parametrize("kind", ["highlight", "event"])
def test_a_band_and_its_legend_keys_have_one_colour_and_opacity(kind):
    """The report's half year (the highlight band) and a development look in the legend
    exactly as drawn: in the chart, in the SVG's own legend and in the page's swatch."""
    from app.figures.charts import BANDS
    from app.templating import templates

    dataset = "highlight" if kind == "highlight" else "events"
    band = [{"start": "2024-07-01", "end": "2024-12-31", "tip": {}}]
    spec = _spec(ROWS, {dataset: band}, legend_below=True)
    rects = _rects(spec)
    drawn = [mark for where, mark in rects if where == dataset]
    key = [mark for where, mark in rects if where.endswith(f"datum.kind == '{kind}'")]
    assert len(drawn) == 1 and len(key) == 1
    assert (drawn[0]["color"], drawn[0]["opacity"]) == (key[0]["color"], key[0]["opacity"])
    assert (drawn[0]["color"], drawn[0]["opacity"]) == (BANDS[kind].colour, BANDS[kind].opacity)
    swatch = templates.env.from_string(
        '{% from "indicators/_chart.html" import legend_key %}{{ legend_key(kind) }}'
    ).render(kind=kind, lang="nl")
    assert f'fill="{drawn[0]["color"]}" fill-opacity="{drawn[0]["opacity"]}"' in swatch
    assert "class=" not in swatch.split("<rect", 1)[1]  # no stylesheet rule overrides it
