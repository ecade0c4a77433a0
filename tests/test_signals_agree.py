"""One signal object, one rule for explained: the indicator page, the dashboard, the
signals API, a session's snapshot and the half-year report agree, period by period, on
which signals are explained and by what (issue 15, item 3)."""

from datetime import date

from sqlmodel import select

from app.figures.context import indicator_context
from app.figures.unexplained import unexplained_signals
from app.models import (
    LinkRelation,
    NarrativeIndicator,
    Observation,
    SessionIndicator,
)
from app.reflections.snapshot import snapshot_panel
from app.reports.build import build_report, half_year
from tests.factories import bearer, login, make_indicator, make_narrative, make_theme

MONTHS = [date(2025, month, 1) for month in range(1, 13)]
# 10/11 around 10.5 (the baseline: the first four), a jump in May and another in
# December: two signals, limits 10.5 +- 2.66 * 1
VALUES = [10.0, 11.0, 10.0, 11.0, 30.0, 11.0, 10.0, 11.0, 10.0, 11.0, 10.0, 30.0]


def figure(session, slug, theme):
    indicator = make_indicator(
        session,
        slug=slug,
        name=slug.title(),
        frequency="month",
        direction="up",
        themes=[theme],
        baseline_points=4,
    )
    session.add_all(
        Observation(indicator_id=indicator.id, period_start=day, value=value)
        for day, value in zip(MONTHS, VALUES, strict=True)
    )
    session.commit()
    return indicator


def states(runs):
    return {
        run.first.label: (
            run.last.label,
            run.state,
            sorted((e.kind, e.id) for e in run.explained_by),
        )
        for run in runs
    }


def test_every_page_reads_the_same_signals_and_what_explains_them(client, session):
    theme = make_theme(session, slug="schulden", name="Schulden")
    read = figure(session, "wachttijd", theme)
    alone = figure(session, "aanmeldingen", theme)
    story = make_narrative(session, occurred_on=date(2025, 5, 12), consent_reach="council")
    context_story = make_narrative(session, occurred_on=date(2025, 12, 3))
    session.add(
        NarrativeIndicator(
            narrative_id=story.id, indicator_id=read.id, relation=LinkRelation.explains
        )
    )
    # "context" tells about a figure; it does not explain its December jump
    session.add(
        NarrativeIndicator(
            narrative_id=context_story.id, indicator_id=alone.id, relation=LinkRelation.context
        )
    )
    session.commit()
    headers = bearer(session, "editor")
    made = client.post(
        "/api/v1/sessions",
        json={
            "held_on": "2026-01-20",
            "title": "Schulden",
            "see": "- De wachttijd sprong in december.",
            "indicators": [{"slug": "wachttijd"}],
        },
        headers=headers,
    )
    assert made.status_code == 201, made.text
    meeting = made.json()["id"]
    story_e, session_e = ("story", story.id), ("session", meeting)

    expected = {
        "wachttijd": {
            "2025-05": ("2025-05", "explained", sorted([story_e, session_e])),
            "2025-12": ("2025-12", "explained", [session_e]),
        },
        "aanmeldingen": {
            "2025-05": ("2025-05", "unexplained", []),
            "2025-12": ("2025-12", "unexplained", []),
        },
    }
    for indicator in (read, alone):
        # the indicator page (and its period table)
        context = indicator_context(session=session, indicator=indicator)
        assert states(context.runs) == expected[indicator.slug]
        for row in context.rows:
            if row.run is not None:
                assert (
                    states([row.run])[row.run.first.label]
                    == expected[indicator.slug][row.run.first.label]
                )
        # the signals API
        api = client.get(f"/api/v1/indicators/{indicator.slug}/signals", headers=headers).json()
        assert {
            s["from"]: (
                s["to"],
                s["state"],
                sorted((e["kind"], e["id"]) for e in s["explained_by"]),
            )
            for s in api["signals"]
        } == expected[indicator.slug]

    # the dashboard lists the recent signal nothing explains, and only that one
    listed = [(s.indicator.slug, s.run.first.label) for s in unexplained_signals(session)]
    assert listed == [("aanmeldingen", "2025-12")]

    # the session's snapshot reads its frozen signals with the same state
    frozen = session.exec(
        select(SessionIndicator).where(SessionIndicator.session_id == meeting)
    ).one()
    panel = snapshot_panel(session=session, indicator=read, area=None, snapshot=frozen.snapshot)
    assert states(panel.runs) == expected["wachttijd"]
    assert {row.period.label: row.run.state for row in panel.rows if row.run} == {
        "2025-05": "explained",
        "2025-12": "explained",
    }

    # the half-year report: its signals of the second half, with the same state
    report = build_report(session=session, half=half_year("2025-H2"), lang="nl")
    parts = {part.slug: part for theme_part in report.themes for part in theme_part.indicators}
    for slug in ("wachttijd", "aanmeldingen"):
        assert states([run.run() for run in parts[slug].runs]) == {
            "2025-12": expected[slug]["2025-12"]
        }

    # and in words, on the pages readers see
    login(client, session, "viewer")
    page = client.get("/reports/2025-H2").text
    assert "Wachttijd, december 2025: boven de bovengrens van de gewone variatie" in page
    assert "verklaard door 1 reflectiesessie" in page
    assert "Aanmeldingen, december 2025: boven de bovengrens" in page
    assert "nog niet verklaard" in page
    meeting_page = client.get(f"/sessions/{meeting}").text
    assert "verklaard door 1 verhaal en 1 reflectiesessie" in meeting_page
