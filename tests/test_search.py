"""Full-text search: what is indexed, folding, safety of odd input, filters, the page."""

from datetime import date

import pytest
from sqlalchemy import text
from sqlmodel import Session

from app.db import get_engine
from app.models import (
    LearningQuestion,
    LearningQuestionTheme,
    NarrativeStatus,
    NarrativeTheme,
    ReflectionSession,
)
from app.search.query import Filters, Kind, search
from tests.factories import login, make_indicator, make_narrative, make_theme


def find(text: str, **filters) -> list[tuple[str, int]]:
    with get_engine().connect() as connection:
        return [
            (hit.kind.value, hit.ref_id)
            for hit in search(connection, text, Filters(**filters)).hits
        ]


@pytest.fixture
def corpus(session: Session) -> dict:
    theme = make_theme(session, slug="armoede")
    story = make_narrative(
        session, title="Keukentafel", body="Steeds meer gezinnen met schulden melden zich."
    )
    session.add(NarrativeTheme(narrative_id=story.id, theme_id=theme.id))
    hidden = make_narrative(
        session, title="Verborgen schulden", body="Niet zichtbaar.", status=NarrativeStatus.pending
    )
    indicator = make_indicator(
        session, themes=[theme], name="Hulp aanmeldingen", description="Café-gesprekken"
    )
    meeting = ReflectionSession(
        held_on=date(2024, 5, 1), title="Voorjaarssessie", see="Schulden stijgen", mean="", do=""
    )
    question = LearningQuestion(text="Als we vroeg signaleren, dalen de schulden")
    session.add_all([meeting, question])
    session.flush()
    session.add(LearningQuestionTheme(question_id=question.id, theme_id=theme.id))
    session.commit()
    return {
        "story": story,
        "hidden": hidden,
        "indicator": indicator,
        "session": meeting,
        "question": question,
    }


def test_finds_every_kind_but_only_published_stories(corpus):
    found = set(find("schulden"))
    assert ("story", corpus["story"].id) in found
    assert ("session", corpus["session"].id) in found
    assert ("question", corpus["question"].id) in found
    assert ("story", corpus["hidden"].id) not in found


def test_triggers_follow_publication_edits_and_deletion(session, corpus):
    hidden = corpus["hidden"]
    hidden.status = NarrativeStatus.published
    session.add(hidden)
    session.commit()
    assert ("story", hidden.id) in find("verborgen")

    hidden.title = "Andere titel"
    session.add(hidden)
    session.commit()
    assert find("verborgen") == []

    session.delete(corpus["indicator"])
    session.commit()
    assert find("aanmeldingen") == []


def test_diacritics_are_folded_and_the_last_word_is_a_prefix(corpus):
    assert find("cafe") == [("indicator", corpus["indicator"].id)]
    assert find("keukenta") == [("story", corpus["story"].id)]


@pytest.mark.parametrize(
    "text", ['"schulden', "schulden AND OR", "NEAR(", "title:x*", "'; DROP TABLE x; --", "*", ""]
)
def test_query_syntax_in_user_text_is_just_text(corpus, text):
    assert isinstance(find(text), list)


def test_filters_by_kind_theme_and_period(corpus):
    assert find("schulden", kind=Kind.session) == [("session", corpus["session"].id)]
    assert set(find("schulden", theme="armoede")) == {
        ("story", corpus["story"].id),
        ("question", corpus["question"].id),
    }
    assert find("schulden", day_from=date(2024, 4, 1), day_to=date(2024, 6, 1)) == [
        ("session", corpus["session"].id)
    ]


def test_snippets_highlight_matches_and_escape_stored_html(session):
    make_narrative(session, title="Opvallend", body="<script>alert(1)</script> opvallend verhaal")
    with get_engine().connect() as connection:
        (hit,) = search(connection, "opvallend").hits
    # SQLite escapes the tag, PostgreSQL's parser drops it: never live markup either way.
    assert "<mark>opvallend</mark> verhaal" in hit.snippet
    assert "<script" not in hit.snippet
    assert str(hit.title) == "<mark>Opvallend</mark>"


def test_snippets_are_plain_text_with_the_hit_highlighted(client, session):
    make_narrative(
        session,
        title="Wachttijd",
        body="## Wat meet het?\n**Wat meet het?** Hoe lang *gezinnen* wachten, zie "
        "[de toelichting](https://wadderveen.example/uitleg_wachttijd).\n\n"
        "- minder dan <5 weken\n> `citaat` van een ouder",
    )
    with get_engine().connect() as connection:
        (hit,) = search(connection, "gezinnen").hits
    assert "<mark>gezinnen</mark> wachten" in hit.snippet
    for syntax in ("**", "##", "](", "https://", "`", "\n"):
        assert syntax not in hit.snippet
    assert "de toelichting" in hit.snippet
    login(client, session, "viewer")
    page = client.get("/search", params={"q": "toelichting"})
    snippet = page.text.split('<p class="snippet">', 1)[1].split("</p>", 1)[0]
    assert "<mark>toelichting</mark>" in snippet
    assert "**" not in snippet and "](" not in snippet


def test_search_page_needs_a_viewer(client):
    response = client.get("/search?q=schulden", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_search_page_shows_highlighted_hits_in_dutch(client, session, corpus):
    login(client, session, "viewer")
    page = client.get("/search", params={"q": "keukentafel"})
    assert page.status_code == 200
    assert "1 resultaten" in page.text
    assert f'href="/stories/{corpus["story"].id}"><mark>Keukentafel</mark></a>' in page.text


def test_search_page_filters_by_kind_and_survives_bad_input(client, session, corpus):
    login(client, session, "viewer")
    sessions_only = client.get("/search", params={"q": "schulden", "kind": "session"})
    assert "1 resultaten" in sessions_only.text
    for odd in ['"schulden', "NEAR(", "*", ")"]:
        assert client.get("/search", params={"q": odd}).status_code == 200
    bad_date = client.get("/search", params={"q": "schulden", "day_from": "gisteren"})
    assert bad_date.status_code == 422
    assert "&#39;gisteren&#39; is geen periode" in bad_date.text
    assert 'value="gisteren"' in bad_date.text
    nothing = client.get("/search", params={"q": "onvindbaar"})
    assert "Niets gevonden." in nothing.text


def test_repeated_searches_follow_every_change_to_what_they_read(session, corpus):
    """Results of a search are reused only while nothing they depend on changed."""
    story, theme = corpus["story"], make_theme(session, slug="wonen")
    assert find("keukentafel") == [("story", story.id)]
    assert find("keukentafel", theme="wonen") == []
    # the same text written again: nothing visible changes, the search still answers
    story.title = "Keukentafel"
    session.add(story)
    session.commit()
    assert find("keukentafel") == [("story", story.id)]
    # hidden, then published again
    story.status = NarrativeStatus.hidden
    session.add(story)
    session.commit()
    assert find("keukentafel") == []
    story.status = NarrativeStatus.published
    session.add(story)
    session.commit()
    assert find("keukentafel") == [("story", story.id)]
    # a theme given to the story (the index itself does not change)
    session.add(NarrativeTheme(narrative_id=story.id, theme_id=theme.id))
    session.commit()
    assert find("keukentafel", theme="wonen") == [("story", story.id)]
    # a new story with the word in its title ranks first
    newer = make_narrative(session, title="Keukentafelgesprek", body="Keukentafel keukentafel")
    assert find("keukentafel")[0] == ("story", newer.id)


def test_every_source_table_keeps_its_index_triggers_after_all_migrations(session):
    """SQLite drops a table's triggers when a migration rebuilds it (0012 did): then new
    stories silently stop reaching the index."""
    engine = get_engine()
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            rows = connection.execute(
                text(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search_%'"
                )
            )
        else:
            rows = connection.execute(
                text(
                    "SELECT DISTINCT trigger_name FROM information_schema.triggers "
                    "WHERE trigger_name LIKE 'search_%'"
                )
            )
        names = {name for (name,) in rows}
    tables = ("narrative", "reflection_session", "indicator", "learning_question")
    for table in tables:
        assert any(name.startswith(f"search_{table}") for name in names), (table, names)


def test_only_the_newest_stories_are_ranked_and_a_period_reaches_further_back(
    client, session, monkeypatch
):
    """A common word is ranked among its newest ``CANDIDATES`` stories only (ranking
    every match was most of a search's time): an old story, however good its match,
    falls outside, and the page says so; a period filter counts the candidates within
    that period, so it finds the old story again. An indicator is always ranked,
    however many stories share its words."""
    from app.search import index

    monkeypatch.setattr(index, "CANDIDATES", 2)
    indicator = make_indicator(session, name="Wachtlijst jeugdhulp")
    old = make_narrative(
        session, title="Wachtlijst wachtlijst", body="wachtlijst", occurred_on=date(2019, 6, 1)
    )
    newer = [
        make_narrative(session, body=f"Over de wachtlijst, deel {n}.", occurred_on=date(2024, 3, 1))
        for n in range(3)
    ]
    found = find("wachtlijst")
    assert ("story", old.id) not in found
    assert ("indicator", indicator.id) in found
    assert {hit for hit in found if hit[0] == "story"} == {("story", s.id) for s in newer[1:]}
    assert find("wachtlijst", day_to=date(2020, 1, 1)) == [("story", old.id)]

    login(client, session, "viewer")
    page = client.get("/search", params={"q": "wachtlijst"}).text
    assert "Kies een periode om verder terug te zoeken." in page
    further = client.get("/search", params={"q": "wachtlijst", "day_to": "2019"}).text
    assert "verder terug te zoeken" not in further
    assert f'href="/stories/{old.id}"' in further

    monkeypatch.setattr(index, "CANDIDATES", 10)  # all of them: the best match ranks first
    with get_engine().connect() as connection:  # another limit: not a cached result
        results = search(connection, "wachtlijst", limit=10)
    assert results.hits[0].ref_id == old.id
    assert not results.bounded


def test_the_bound_holds_when_the_newest_stories_do_not_match(session, monkeypatch):
    """PostgreSQL first looks for the newest matches among the newest stories only; a
    word that only older stories contain must still be bounded the same way."""
    from app.search import index

    monkeypatch.setattr(index, "CANDIDATES", 2)
    monkeypatch.setattr(index, "WALK_FACTOR", 1)
    matching = [make_narrative(session, body=f"Over de schuldhulp, deel {n}.") for n in range(3)]
    for n in range(3):
        make_narrative(session, body=f"Iets anders, deel {n}.")
    with get_engine().connect() as connection:
        results = search(connection, "schuldhulp")
    assert results.bounded
    assert {hit.ref_id for hit in results.hits} == {story.id for story in matching[1:]}
