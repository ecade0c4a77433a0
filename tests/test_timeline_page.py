"""The timeline page object (app/figures/timeline_page.py): what the page shows, asserted
on the object itself, and its JSON twin answering the same timeline."""

from datetime import date

import pytest

from app.audience import Audience
from app.figures.timeline_page import (
    ITEMS_PER_PAGE,
    MAX_PANELS,
    build_timeline_page,
    resolve_timeline,
)
from app.models import NarrativeIndicator
from app.narratives.reach import Reach
from app.problems import NotFound
from app.security.small_numbers import Masking
from tests.factories import make_indicator, make_narrative, make_theme
from tests.test_indicator_page import indicator  # noqa: F401 - the fixture

STAFF = Audience(user=None, reach=Reach.all, masking=Masking())
ANONYMOUS = Audience(user=None, reach=Reach.public, masking=Masking(signed_in=False))


def _query(session, **filters):
    given = {"indicator": [], "theme": None, "area": None, "start": None, "end": None}
    return resolve_timeline(session=session, **{**given, **filters})


def test_with_no_indicator_chosen_the_first_by_name_of_the_theme(session):
    theme = make_theme(session, slug="jeugd")
    for n in range(MAX_PANELS + 2):
        make_indicator(session, slug=f"i{n}", name=f"Cijfer {n}", themes=[theme])
    make_indicator(session, slug="elders", name="Aaa elders")
    session.commit()
    chosen = _query(session, theme="jeugd").indicators
    assert [i.slug for i in chosen] == [f"i{n}" for n in range(MAX_PANELS)]
    assert _query(session).indicators[0].slug == "elders"
    with pytest.raises(NotFound):
        _query(session, indicator=["nope"])


def test_the_page_shares_one_axis_and_pages_its_items(session, indicator):  # noqa: F811
    for n in range(ITEMS_PER_PAGE + 1):
        story = make_narrative(
            session, title=f"Verhaal {n:03d}", occurred_on=date(2024, 1, 1), consent_reach="public"
        )
        session.add(NarrativeIndicator(narrative_id=story.id, indicator_id=indicator.id))
    session.commit()
    query = _query(session, indicator=["meldingen", "meldingen"])
    assert [i.slug for i in query.indicators] == ["meldingen"]
    first = build_timeline_page(session=session, query=query, audience=STAFF, page=1, lang="nl")
    assert (first.page, first.pages, len(first.items)) == (1, 2, ITEMS_PER_PAGE)
    assert first.axis == (date(2024, 1, 1), date(2026, 1, 1))  # the data's first and last
    assert len(first.charts) == 1 and ("meldingen", "Meldingen") in first.indicator_options
    last = build_timeline_page(session=session, query=query, audience=STAFF, page=9, lang="nl")
    assert (last.page, [i.title for i in last.items]) == (2, [f"Verhaal {ITEMS_PER_PAGE:03d}"])
    bounded = _query(session, indicator=["meldingen"], start="2024", end="2024")
    page = build_timeline_page(session=session, query=bounded, audience=STAFF, page=1, lang="nl")
    assert page.axis == (date(2024, 1, 1), date(2024, 12, 31))


def test_the_audience_decides_which_stories_the_page_holds(session, indicator):  # noqa: F811
    for reach in ("public", "council"):
        story = make_narrative(session, title=reach, consent_reach=reach)
        session.add(NarrativeIndicator(narrative_id=story.id, indicator_id=indicator.id))
    session.commit()
    query = _query(session, indicator=["meldingen"])
    titles = {
        audience.reach: [
            i.title
            for i in build_timeline_page(
                session=session, query=query, audience=audience, page=1, lang="nl"
            ).items
        ]
        for audience in (STAFF, ANONYMOUS)
    }
    assert sorted(titles[Reach.all]) == ["council", "public"]
    assert titles[Reach.public] == ["public"]


def test_the_json_twin_answers_the_page_s_timeline(client, session, settings, indicator):  # noqa: F811
    settings(public_read=True)
    story = make_narrative(session, title="Drukte", consent_reach="public")
    session.add(NarrativeIndicator(narrative_id=story.id, indicator_id=indicator.id))
    session.commit()
    query = _query(session, indicator=["meldingen"])
    page = build_timeline_page(session=session, query=query, audience=ANONYMOUS, page=1, lang="nl")
    expected = page.public(limit=100, offset=0).model_dump(mode="json", exclude_unset=True)
    assert client.get("/api/v1/timeline?indicator=meldingen").json() == expected
    assert [item["title"] for item in expected["items"]] == ["Drukte"]
