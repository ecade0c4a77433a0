"""Consent reach (internal, council, public) is honoured wherever published stories show.

With ``DUIDING_PUBLIC_READ`` on, anonymous readers see only stories whose submitters
chose "public"; staff see every published story; nobody outside moderation sees a
pending one; contact details never leave moderation.
"""

from datetime import date

import pytest

from app.models import NarrativeIndicator, NarrativeTheme, Observation
from app.models.narrative import NarrativeContact
from tests.factories import bearer, login, make_area, make_indicator, make_narrative, make_theme

TITLES = {"public": "Openbaar verhaal", "council": "Raadsverhaal", "internal": "Intern verhaal"}
PENDING = "Nog te modereren"
CONTACT = "jan@voorbeeld.example"


@pytest.fixture
def stories(session, settings) -> dict[str, int]:
    """One published story of each reach and one pending, all about one indicator."""
    settings(public_read=True)
    theme = make_theme(session, slug="zorg")
    area = make_area(session, code="WK019301")
    indicator = make_indicator(session, themes=[theme], slug="meldingen", frequency="month")
    for month in range(1, 13):
        for area_id in (None, area.id):
            session.add(
                Observation(
                    indicator_id=indicator.id,
                    area_id=area_id,
                    period_start=date(2024, month, 1),
                    value=20,
                )
            )
    ids = {}
    for reach, title in [*TITLES.items(), ("pending", PENDING)]:
        story = make_narrative(
            session,
            title=title,
            occurred_on=date(2024, 3, 1),
            area_id=area.id,
            consent_reach="public" if reach == "pending" else reach,
            status="pending" if reach == "pending" else "published",
        )
        session.add(NarrativeIndicator(narrative_id=story.id, indicator_id=indicator.id))
        session.add(NarrativeTheme(narrative_id=story.id, theme_id=theme.id))
        session.add(NarrativeContact(narrative_id=story.id, contact=CONTACT))
        ids[reach] = story.id
    session.commit()
    return ids


PAGES = [
    "/",
    "/indicators/meldingen",
    "/indicators/meldingen?area=WK019301",
    "/timeline",
    "/timeline?indicator=meldingen&theme=zorg&area=WK019301&from=2024&to=2024",
]
APIS = [
    "/api/v1/narratives",
    "/api/v1/narratives?indicator=meldingen&theme=zorg&area=WK019301&from=2024-03&to=2024-03",
    "/api/v1/timeline",
    "/api/v1/timeline?indicator=meldingen&from=2024-03&to=2024-03",
]


def shown(text: str) -> set[str]:
    return {reach for reach, title in TITLES.items() if title in text} | (
        {"pending"} if PENDING in text else set()
    )


@pytest.mark.parametrize("url", PAGES + APIS)
def test_anonymous_readers_see_only_public_stories(client, stories, url):
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert shown(response.text) == {"public"}
    assert CONTACT not in response.text


@pytest.mark.parametrize("url", PAGES + APIS)
def test_staff_see_every_published_story(client, session, stories, url):
    login(client, session, role="viewer")
    response = client.get(url)
    assert shown(response.text) == {"public", "council", "internal"}
    assert CONTACT not in response.text


def test_one_story_opens_for_anonymous_readers_only_with_public_reach(client, session, stories):
    for reach, story_id in stories.items():
        page = client.get(f"/stories/{story_id}")
        api = client.get(f"/api/v1/narratives/{story_id}")
        want = 200 if reach == "public" else 404
        assert (page.status_code, api.status_code) == (want, want), reach
    assert client.get(f"/api/v1/narratives/{stories['public']}").json()["consent_reach"] == (
        "public"
    )
    viewer = bearer(session, role="viewer")
    for reach in TITLES:
        assert client.get(f"/api/v1/narratives/{stories[reach]}", headers=viewer).is_success


def test_anonymous_readers_cannot_ask_for_other_statuses(client, stories):
    for status in ("pending", "hidden", "published"):
        body = client.get(f"/api/v1/narratives?status={status}").json()
        assert [item["title"] for item in body["items"]] == [TITLES["public"]]
        assert body["total"] == 1


def test_editors_see_pending_stories_in_the_api_but_never_contact_details(client, session, stories):
    editor = bearer(session, role="editor")
    body = client.get("/api/v1/narratives?status=pending", headers=editor)
    assert [item["title"] for item in body.json()["items"]] == [PENDING]
    every = client.get("/api/v1/narratives", headers=editor)
    assert every.json()["total"] == 4
    assert CONTACT not in every.text + body.text


def test_without_public_read_anonymous_readers_get_nothing(client, settings, stories):
    settings(public_read=False)
    assert client.get("/api/v1/narratives").status_code == 401
    assert client.get(f"/api/v1/narratives/{stories['public']}").status_code == 401
    assert client.get(f"/stories/{stories['public']}", follow_redirects=False).status_code == 303


def test_search_is_for_staff_only_even_with_public_read(client, session, stories):
    """Search also finds sessions and learning questions, so it stays staff-only: an
    anonymous reader is sent to sign in and sees no story."""
    response = client.get("/search?q=verhaal", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    login(client, session, role="viewer")
    html = client.get("/search?q=keukentafel").text
    found = {reach for reach, story_id in stories.items() if f'"/stories/{story_id}"' in html}
    assert found == {"public", "council", "internal"}
