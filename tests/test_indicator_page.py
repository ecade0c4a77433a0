"""The indicator page and its signals API: figures with their stories, sessions and events."""

import json
import re
from datetime import date

import pytest

from app.figures.context import IndicatorContext, PeriodRow
from app.figures.observations import ObservationInput, upsert_observations
from app.figures.periods import Period, parse_period
from app.figures.signals import compute_signals
from app.figures.summary import summary
from app.figures.timeline_page import ITEMS_PER_PAGE
from app.models import (
    ContextEvent,
    Direction,
    Frequency,
    IndicatorBreak,
    IndicatorRelation,
    NarrativeIndicator,
    Observation,
    ReflectionSession,
    SessionIndicator,
)
from app.models.narrative import LinkRelation
from tests.factories import make_area, make_indicator, make_narrative, make_theme

# 24 alternating 9/11 then 30 (see tests/test_signals.py): only 2026-01 is a signal.
VALUES = [9, 11] * 12 + [30]


@pytest.fixture
def indicator(session):
    theme = make_theme(session)
    indicator = make_indicator(
        session,
        themes=[theme],
        slug="meldingen",
        name="Meldingen",
        frequency=Frequency.month,
        direction=Direction.down,
        description="Aantal **meldingen** <script>alert(1)</script>",
        source="Politie",
    )
    for i, value in enumerate(VALUES):
        session.add(
            Observation(
                indicator_id=indicator.id,
                period_start=date(2024 + i // 12, i % 12 + 1, 1),
                value=value,
            )
        )
    session.commit()
    return indicator


def test_signals_api_shape(client, session, settings, indicator):
    settings(public_read=True)
    response = client.get("/api/v1/indicators/meldingen/signals")
    assert response.status_code == 200
    body = response.json()
    assert (body["indicator"], body["area"], len(body["points"])) == ("meldingen", None, 25)
    assert body["points"][-1] == {
        "period": "2026-01",
        "value": 30.0,
        "mean": pytest.approx(10.8),
        "lpl": pytest.approx(10.8 - 5.32),
        "upl": pytest.approx(10.8 + 5.32),
        "signal": "concern",
        "rules": ["outside_limits"],
        "baseline": True,
    }
    assert body["points"][0]["signal"] == "common"


def test_signals_api_for_an_area_and_unknown_names(client, session, settings, indicator):
    settings(public_read=True)
    area = make_area(session, code="WK019301")
    session.add(
        Observation(
            indicator_id=indicator.id, area_id=area.id, period_start=date(2024, 1, 1), value=14
        )
    )
    session.commit()
    body = client.get("/api/v1/indicators/meldingen/signals?area=WK019301").json()
    assert body["area"] == "WK019301"
    assert [(p["period"], p["value"], p["signal"]) for p in body["points"]] == [
        ("2024-01", 14.0, "common")
    ]
    assert client.get("/api/v1/indicators/nope/signals").json() == {
        "detail": "There is no indicator 'nope'."
    }
    unknown_area = client.get("/api/v1/indicators/meldingen/signals?area=XX")
    assert (unknown_area.status_code, unknown_area.json()) == (
        404,
        {"detail": "There is no area with code 'XX'."},
    )


def test_signals_need_a_reader(client, indicator):
    assert client.get("/api/v1/indicators/meldingen/signals").status_code == 401


def test_page_shows_guide_chart_table_and_unexplained_signal(client, session, settings, indicator):
    settings(public_read=True)
    html = client.get("/indicators/meldingen").text
    assert "Aantal <strong>meldingen</strong>" in html
    assert "<script>alert" not in html
    assert "Lager is beter" in html
    assert (
        '<script type="application/json" class="chart-spec" data-target="indicator-chart">' in html
    )
    assert html.count('<tr id="period-') == 25
    assert html.count(">onverklaard<") == 1
    assert (
        "Meldingen, januari 2026: boven de bovengrens van de gewone variatie; zorgwekkend, "
        "want lager is beter; nog niet verklaard." in html
    )
    assert "Voorlopige grenzen" not in html


def test_a_story_or_session_explains_a_signal(client, session, settings, indicator):
    settings(public_read=True)
    story = make_narrative(
        session, title="Meer inbraken gemeld", occurred_on=date(2026, 1, 1), consent_reach="public"
    )
    make_narrative(
        session, title="Nog niet gepubliceerd", occurred_on=date(2026, 1, 1), status="pending"
    )
    session.add(
        NarrativeIndicator(
            narrative_id=story.id, indicator_id=indicator.id, relation=LinkRelation.explains
        )
    )
    meeting = ReflectionSession(held_on=date(2024, 2, 10), title="Reflectie februari")
    session.add(meeting)
    session.flush()
    session.add(SessionIndicator(session_id=meeting.id, indicator_id=indicator.id))
    session.add(ContextEvent(title="Nieuwe meldapp", starts_on=date(2024, 6, 1)))
    session.commit()
    html = client.get("/indicators/meldingen").text
    assert f'<a href="/stories/{story.id}">Meer inbraken gemeld</a>' in html
    assert "Nog niet gepubliceerd" not in html
    assert f'<a href="/sessions/{meeting.id}">Reflectie februari</a>' in html
    assert "Nieuwe meldapp" in html
    assert ">onverklaard<" not in html


def test_period_filter_and_provisional_notice(client, session, settings, indicator):
    settings(public_read=True)
    html = client.get("/indicators/meldingen?from=2025-06&to=2025-08").text
    assert html.count('<tr id="period-') == 3
    assert "Voorlopige grenzen" not in html  # limits come from the full series
    bad = client.get("/indicators/meldingen?from=2025-Q9")
    assert bad.status_code == 422


def _filter_line(html: str) -> str:
    return re.search(r'<details class="filter-line"[^>]*>', html)[0]


def test_a_chosen_filter_stays_folded_and_a_bad_one_opens_at_its_field(client, settings, indicator):
    """The filters fold into one line that says what is shown ("Getoond: ..."), so that
    the chart stays in the first screen when a district or periods are chosen; a filter
    with a mistake opens it, with its message at the field."""
    settings(public_read=True)
    chosen = client.get("/indicators/meldingen?from=2025-06&to=2025-08").text
    assert "open" not in _filter_line(chosen)
    assert "Getoond:" in chosen
    bad = client.get("/indicators/meldingen?from=2025-Q9").text
    assert "open" in _filter_line(bad)


def test_unknown_indicator_page_is_404(client, settings):
    settings(public_read=True)
    assert client.get("/indicators/nope").status_code == 404


def test_vega_bundle_is_served_locally(client):
    response = client.get("/static/vendor/vega-bundle.js")
    assert response.status_code == 200
    assert "window.vegaEmbed" in response.text
    assert "max-age=31536000" in response.headers["cache-control"]


def test_timeline_interleaves_stories_sessions_and_events(client, session, settings, indicator):
    settings(public_read=True)
    story = make_narrative(
        session, title="Meer inbraken gemeld", occurred_on=date(2024, 3, 1), consent_reach="public"
    )
    session.add(NarrativeIndicator(narrative_id=story.id, indicator_id=indicator.id))
    make_narrative(session, title="Over iets anders", occurred_on=date(2024, 4, 1))
    meeting = ReflectionSession(held_on=date(2024, 2, 10), title="Reflectie februari")
    session.add(meeting)
    session.flush()
    session.add(SessionIndicator(session_id=meeting.id, indicator_id=indicator.id))
    session.add(ContextEvent(title="Nieuwe meldapp", starts_on=date(2024, 6, 1)))
    session.add(
        ContextEvent(title="Te vroeg", starts_on=date(2023, 1, 1), ends_on=date(2023, 2, 1))
    )
    session.commit()
    body = client.get("/api/v1/timeline?indicator=meldingen&from=2024&to=2024").json()
    assert [(i["kind"], i["date"], i["title"]) for i in body["items"]] == [
        ("session", "2024-02-10", "Reflectie februari"),
        ("story", "2024-03-01", "Meer inbraken gemeld"),
        ("event", "2024-06-01", "Nieuwe meldapp"),
    ]
    assert body["total"] == 3
    assert [(p["indicator"], len(p["points"])) for p in body["indicators"]] == [("meldingen", 12)]
    paged = client.get("/api/v1/timeline?indicator=meldingen&from=2024&to=2024&limit=1&offset=1")
    assert (paged.json()["total"], [i["title"] for i in paged.json()["items"]]) == (
        3,
        ["Meer inbraken gemeld"],
    )
    html = client.get("/timeline?indicator=meldingen&from=2024&to=2024").text
    assert html.count('class="chart-spec"') == 1
    assert f'<a href="/stories/{story.id}">Meer inbraken gemeld</a>' in html
    assert "Over iets anders" not in html


def test_timeline_rejects_unknown_names_and_bad_periods(client, settings, indicator):
    settings(public_read=True)
    assert client.get("/api/v1/timeline?indicator=nope").json() == {
        "detail": "There is no indicator 'nope'."
    }
    assert client.get("/api/v1/timeline?theme=nope").json() == {
        "detail": "There is no theme 'nope'."
    }
    assert client.get("/api/v1/timeline?from=2024-Q9").status_code == 422
    assert client.get("/timeline").status_code == 200


def test_page_shows_story_shares_and_related_indicators(client, session, settings, indicator):
    settings(public_read=True)
    for title, day, assessment in [
        ("Beter 1", date(2024, 1, 1), "better"),
        ("Slechter", date(2024, 2, 1), "worse"),
        ("Beter 2", date(2024, 3, 1), "better"),
        ("Zonder oordeel", date(2024, 4, 1), None),
    ]:
        story = make_narrative(
            session, title=title, occurred_on=day, assessment=assessment, consent_reach="public"
        )
        session.add(NarrativeIndicator(narrative_id=story.id, indicator_id=indicator.id))
    other = make_indicator(session, slug="aangiftes", name="Aangiftes")
    session.add(IndicatorRelation(indicator_id=indicator.id, related_id=other.id, kind="waterbed"))
    session.commit()
    html = client.get("/indicators/meldingen").text
    assert "Wat de verhalen zeggen" in html
    shares = {
        "1e kwartaal 2024": ("3", "67%", "33%", "0%", "0%"),
        "2e kwartaal 2024": ("1", "0%", "0%", "0%", "100%"),
    }
    for quarter, cells in shares.items():
        row = "".join(f'<td class="num">{cell}</td>' for cell in cells)
        assert f"{quarter}</th>{row}</tr>" in html
    drawn = _specs(html)["shares-chart"]["datasets"]["shares"]
    assert [(r["quarter"], r["label"], r["count"]) for r in drawn if r["count"]] == [
        ("2024-Q1", "beter", 2),
        ("2024-Q1", "slechter", 1),
        ("2024-Q2", "onduidelijk", 1),
    ]
    assert '<a href="/indicators/aangiftes">Aangiftes</a>' in html
    # The figure and the stories are drawn; the related one, without values, says so.
    assert html.count('class="chart-spec"') == 2
    assert '<p class="muted no-values">nog geen waarden</p>' in html


def _specs(html: str) -> dict[str, dict]:
    """The Vega-Lite specs embedded in a page, by the id of the element they draw in."""
    found = re.findall(
        r'<script type="application/json" class="chart-spec" data-target="([^"]+)">(.*?)</script>',
        html,
        re.DOTALL,
    )
    return {target: json.loads(text) for target, text in found}


def test_chart_draws_breaks_sessions_and_story_markers(client, session, settings, indicator):
    settings(public_read=True)
    session.add(IndicatorBreak(indicator_id=indicator.id, starts_on=date(2025, 1, 1)))
    session.add(ContextEvent(title="Nieuwe definitie", starts_on=date(2024, 7, 15), is_break=True))
    meeting = ReflectionSession(held_on=date(2024, 2, 10), title="Reflectie februari")
    session.add(meeting)
    session.flush()
    session.add(SessionIndicator(session_id=meeting.id, indicator_id=indicator.id))
    one = make_narrative(
        session, title="Eén verhaal", occurred_on=date(2024, 3, 5), consent_reach="public"
    )
    session.add(NarrativeIndicator(narrative_id=one.id, indicator_id=indicator.id))
    for n in range(7):
        story = make_narrative(
            session, title=f"Verhaal {n}", occurred_on=date(2024, 5, 1 + n), consent_reach="public"
        )
        session.add(NarrativeIndicator(narrative_id=story.id, indicator_id=indicator.id))
    session.commit()

    html = client.get("/indicators/meldingen").text
    data = _specs(html)["indicator-chart"]["datasets"]
    assert [b["day"] for b in data["breaks"]] == ["2024-07-01", "2025-01-01"]
    assert data["sessions"] == [
        {
            "day": "2024-02-10",
            "href": f"/sessions/{meeting.id}",
            "tip": {"Reflectiesessie": "Reflectie februari"},
        }
    ]
    points = {row["label"]: row for row in data["points"]}
    assert (points["2024-03"]["stories"], points["2024-03"]["href"]) == (1, f"/stories/{one.id}")
    assert points["2024-05"]["stories"] == 7
    assert points["2024-05"]["href"] == "/indicators/meldingen?from=2024-05&to=2024-05"
    tip = points["2024-05"]["story_tip"]
    assert (tip["Verhalen"], len(tip), tip["6."]) == ("7", 2 + 6, "…")
    assert points["2024-04"]["href"] is None
    # Limits are recalculated from a break, and the period table says so.
    assert '<th scope="row">juli 2024 <span class="muted">(breuk' in html
    # A busy period lists five stories and links to the period's own page for the rest.
    row = html[html.index('<tr id="period-2024-05">') :]
    row = row[: row.index("</tr>")]
    assert row.count('<a href="/stories/') == 5
    assert (
        '<a href="/indicators/meldingen?from=2024-05&amp;to=2024-05">en nog 2 verhalen</a>' in row
    )
    assert f'<a href="/sessions/{meeting.id}">Reflectie februari</a>' in html
    single = client.get("/indicators/meldingen?from=2024-05&to=2024-05").text
    assert len(re.findall(r'<a href="/stories/\d+">Verhaal \d</a>', single)) == 7
    assert "en nog" not in single


def test_summary_sentences_in_both_languages(client, session, settings, indicator):
    settings(public_read=True)
    english = client.get("/indicators/meldingen?lang=en").text
    assert (
        "Meldingen, January 2026: above the upper limit of usual variation; a concern, as "
        "lower is better; not explained yet." in english
    )
    steady = client.get("/indicators/meldingen?to=2025-12&lang=en").text
    assert "Meldingen stayed within usual variation from January 2024 to December 2025." in steady


def test_summary_joins_neighbouring_periods_of_one_signal(session, indicator):
    # Mean 10.07; screened AMR 56/26, so lpl 4.34 and upl 15.80 (see test_signals.py).
    values = [9, 11] * 12 + [1, 1, 9, 11, 30]
    points = compute_signals(
        [(date(2024 + i // 12, i % 12 + 1, 1), v) for i, v in enumerate(values)],
        direction=Direction.down,
    )
    rows = [PeriodRow(Period(p.period_start, Frequency.month), p) for p in points]
    context = IndicatorContext(indicator, None, rows)
    # a panel without looked-up signals (a session snapshot) says nothing of explanations
    assert summary(context, "en") == [
        "Meldingen, January 2026 to February 2026: below the lower limit of usual variation; "
        "an improvement, as lower is better.",
        "Meldingen, May 2026: above the upper limit of usual variation; a concern, as lower "
        "is better.",
    ]


def test_without_javascript_the_chart_is_an_svg(client, session, settings, indicator):
    settings(public_read=True)
    html = client.get("/indicators/meldingen?from=2024-06&lang=en").text
    src = re.search(r'<noscript><img class="chart-svg" src="([^"]+)" alt="([^"]+)"', html)
    assert src is not None
    assert src.group(2) == (
        "Meldingen, January 2026: above the upper limit of usual variation; a concern, as "
        "lower is better; not explained yet."
    )
    url = src.group(1).replace("&amp;", "&")
    assert url == "/indicators/meldingen/chart.svg?from=2024-06&lang=en"
    first = client.get(url)
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("image/svg+xml")
    assert first.text.startswith("<svg") and ">Meldingen</text>" in first.text
    # The cache is keyed by the data: a revised value (as an editor revises it) gives a
    # new picture.
    assert client.get(url).text == first.text
    upsert_observations(
        session=session,
        indicator=indicator,
        items=[ObservationInput(parse_period("2026-01"), 300)],
        source="correctie",
    )
    session.commit()
    assert client.get(url).text != first.text


def test_svg_needs_a_reader_and_checks_its_input(client, settings, indicator):
    anonymous = client.get("/indicators/meldingen/chart.svg", follow_redirects=False)
    assert (anonymous.status_code, anonymous.headers["location"]) == (
        303,
        "/login?next=/indicators/meldingen/chart.svg",
    )
    settings(public_read=True)
    assert client.get("/indicators/nope/chart.svg").status_code == 404
    bad = client.get("/indicators/meldingen/chart.svg?axis=2024-01-01")
    assert bad.status_code == 422
    small = client.get("/indicators/meldingen/chart.svg?size=small&axis=2025-01-01/2025-12-01")
    assert small.status_code == 200 and "<svg" in small.text


def test_timeline_charts_carry_session_markers_and_a_summary(client, session, settings, indicator):
    settings(public_read=True)
    meeting = ReflectionSession(held_on=date(2024, 2, 10), title="Reflectie februari")
    session.add(meeting)
    session.flush()
    session.add(SessionIndicator(session_id=meeting.id, indicator_id=indicator.id))
    session.commit()
    html = client.get("/timeline?indicator=meldingen&from=2024&to=2024&lang=en").text
    spec = _specs(html)["chart-1"]
    assert spec["datasets"]["sessions"][0]["href"] == f"/sessions/{meeting.id}"
    axes = [layer["encoding"]["x"] for layer in spec["layer"]]
    assert {"domain": ["2024-01-01", "2024-12-31"]} in [axis.get("scale") for axis in axes]
    assert "Meldingen stayed within usual variation from January 2024 to December 2024." in html
    assert "chart.svg?axis=2024-01-01%2F2024-12-31&amp;size=small&amp;lang=en" in html


def test_timeline_pages_its_items_with_permalinks(client, session, settings, indicator):
    settings(public_read=True)
    for n in range(ITEMS_PER_PAGE + 1):
        story = make_narrative(
            session, title=f"Verhaal {n:03d}", occurred_on=date(2024, 1, 1), consent_reach="public"
        )
        session.add(NarrativeIndicator(narrative_id=story.id, indicator_id=indicator.id))
    session.commit()
    first = client.get("/timeline?indicator=meldingen&from=2024&to=2024").text
    assert first.count(">Verhaal ") == ITEMS_PER_PAGE
    assert "Pagina 1 van 2" in first
    later = re.search(r'<a href="([^"]+)" rel="next">Later</a>', first)[1].replace("&amp;", "&")
    assert later == "?indicator=meldingen&from=2024&to=2024&page=2"
    second = client.get("/timeline" + later).text
    assert re.findall(r">(Verhaal \d+)</a>", second) == [f"Verhaal {ITEMS_PER_PAGE:03d}"]
    assert 'rel="prev">Eerder</a>' in second and 'rel="next"' not in second
    # a page number that is none shows the first page, never an error page
    assert client.get("/timeline?page=0").status_code == 200
