"""The reflection session page object (app/reflections/page.py): what the page shows,
asserted on the object itself, and its JSON twin answering the same record."""

from datetime import date

from app.models import ActionStatus, NarrativeStatus
from app.reflections import service
from app.reflections.page import NOTES, build_session_page
from tests.factories import bearer, make_area, make_narrative, make_user
from tests.test_sessions import _observe, make_indicator


def _held(session, **given):
    data = service.SessionInput(held_on=date(2024, 4, 10), title="Maandoverleg", **given)
    return service.create_session(session=session, data=data, user=make_user(session))


def _figures(session):
    indicator = make_indicator(session, slug="meldingen", name="Meldingen")
    make_indicator(session, slug="leeg", name="Leeg")
    area = make_area(session, code="WK000101", name="Noord")
    _observe(session, indicator, {"2024-01": 10, "2024-02": 12, "2024-03": 11})
    _observe(session, indicator, {"2024-01": 4}, area=area)
    return indicator


def test_the_page_holds_the_notes_first_then_the_figures_as_seen_that_day(session):
    indicator = _figures(session)
    early = make_narrative(session, title="Vroeg", occurred_on=date(2024, 1, 5))
    late = make_narrative(session, title="Laat", occurred_on=date(2024, 3, 5))
    gone = make_narrative(session, title="Verborgen", occurred_on=date(2024, 2, 5))
    reflection = _held(
        session,
        see="| a | b |\n|---|---|\n| 1 | 2 |",
        mean="Meer **meldingen**.",
        indicators=[
            service.IndicatorChoice("meldingen"),
            service.IndicatorChoice("meldingen", "WK000101"),
            service.IndicatorChoice("leeg"),
        ],
        narratives=[early.id, late.id, gone.id],
        actions=[service.ActionInput("Bellen", "Sanne")],
    )
    session.commit()
    gone.status = NarrativeStatus.hidden
    session.add(gone)
    session.commit()
    _observe(session, indicator, {"2024-02": 15})  # revised after the session

    page = build_session_page(session=session, reflection=reflection, lang="nl")
    assert list(page.notes) == list(NOTES) == ["see", "mean", "do"]
    # staff notes may hold tables, drawn as the NL Design System table
    assert '<table class="utrecht-table utrecht-table--html-table">' in page.notes["see"]
    assert "<strong>meldingen</strong>" in page.notes["mean"] and page.notes["do"] == ""
    assert [(f.indicator.slug, f.area.code if f.area else None) for f in page.figures] == [
        ("meldingen", None),
        ("meldingen", "WK000101"),
        ("leeg", None),
    ]
    whole, district, empty = page.figures
    assert [(c.period, c.old, c.new) for c in whole.revised] == [("2024-02", 12.0, 15.0)]
    assert district.revised == [] and empty.revised == []
    assert whole.chart is not None and empty.chart is None  # nothing frozen, no chart
    assert (
        whole.chart.svg_url == f"/sessions/{reflection.id}/figures/{whole.row.id}/chart.svg?lang=nl"
    )
    assert [p["period"] for p in whole.row.snapshot] == ["2024-01", "2024-02", "2024-03"]
    assert [story.title for story in page.narratives] == ["Laat", "Vroeg"]  # hidden ones never
    assert [action.description for action in page.actions] == ["Bellen"]
    assert page.closed_here == [] and page.revisions == [] and page.significant == []


def test_a_later_session_holds_the_actions_it_closed(session):
    first = _held(session, actions=[service.ActionInput("Bellen")])
    later = _held(session)
    session.commit()
    action = build_session_page(session=session, reflection=first, lang="nl").actions[0]
    action.status, action.closed_in_session_id = ActionStatus.done, later.id
    session.add(action)
    session.commit()
    page = build_session_page(session=session, reflection=later, lang="nl")
    assert [a.description for a in page.closed_here] == ["Bellen"] and page.actions == []
    assert build_session_page(session=session, reflection=first, lang="nl").closed_here == []


def test_the_api_answers_the_record_the_page_is_built_on(client, session):
    _figures(session)
    story = make_narrative(session)
    reflection = _held(
        session,
        see="Gezien",
        indicators=[service.IndicatorChoice("meldingen", "WK000101")],
        narratives=[story.id],
        actions=[service.ActionInput("Bellen", "Sanne", date(2024, 5, 1))],
    )
    session.commit()
    headers = bearer(session, role="viewer")
    answer = client.get(f"/api/v1/sessions/{reflection.id}", headers=headers).json()
    page = build_session_page(session=session, reflection=reflection, lang="nl")
    assert page.public().model_dump(mode="json") == answer
    assert answer["snapshot"][0]["area"] == "WK000101" and answer["narratives"] == [story.id]
