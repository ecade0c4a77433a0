"""The stories version (migration 0020) and the stories that pages keep per version
(app/figures/story_pool.py): a change to a story or to its links shows at once, also on
a page whose stories were kept a moment before."""

from datetime import date

from sqlmodel import delete

from app.db import get_engine
from app.figures.explained import EXPLAINING
from app.figures.story_pool import StoryFact, linked_stories, linked_to
from app.figures.versions import stories_version
from app.models import Narrative, NarrativeIndicator, NarrativeStatus, NarrativeTheme
from app.narratives.reach import Reach
from tests.factories import login, make_narrative, make_theme
from tests.test_indicator_page import indicator  # noqa: F401 - the fixture


def _raised(session, change) -> int:
    """How much ``change`` (committed) raised the stories version."""
    before = stories_version(session)
    change()
    session.commit()
    return stories_version(session) - before


def test_every_change_to_a_story_or_its_links_raises_the_version(session, indicator):  # noqa: F811
    theme = make_theme(session)
    story = make_narrative(session)
    assert stories_version(session) > 0  # the story itself
    assert _raised(
        session, lambda: session.add(NarrativeTheme(narrative_id=story.id, theme_id=theme.id))
    )
    link = NarrativeIndicator(narrative_id=story.id, indicator_id=indicator.id)
    assert _raised(session, lambda: session.add(link))
    assert _raised(session, lambda: setattr(link, "relation", "explains"))
    assert _raised(session, lambda: setattr(story, "status", NarrativeStatus.hidden))
    assert _raised(session, lambda: setattr(story, "consent_reach", "public"))
    assert _raised(
        session,
        lambda: session.exec(delete(NarrativeTheme).where(NarrativeTheme.narrative_id == story.id)),
    )
    assert _raised(session, lambda: session.delete(link))


def test_one_transaction_raises_it_once_on_postgresql(session):
    """PostgreSQL raises it at commit, once however many rows changed (the row lock is
    held only while committing); SQLite raises it per row, as its writers take turns."""

    def three_stories() -> None:
        for n in range(3):
            session.add(
                Narrative(
                    title=f"Verhaal {n}",
                    body="Meer gezinnen aan de keukentafel.",
                    occurred_on=date(2024, 3, 1),
                    author_role="partner",
                    status=NarrativeStatus.published,
                    consent=True,
                )
            )

    postgresql = get_engine().dialect.name == "postgresql"
    assert _raised(session, three_stories) == (1 if postgresql else 3)


def test_a_page_shows_a_change_made_after_it_kept_the_stories(client, session, indicator):  # noqa: F811
    login(client, session)
    pages = ("/indicators/meldingen", "/timeline?indicator=meldingen")
    title = "Buurtcoach ziet meer meldingen"
    for page in pages:  # the stories of the figure are kept now
        assert title not in client.get(page).text
    session.rollback()  # a snapshot older than the app's writes could not write (SQLite)
    story = make_narrative(session, title=title, occurred_on=date(2024, 3, 1))
    session.add(NarrativeIndicator(narrative_id=story.id, indicator_id=indicator.id))
    session.commit()
    for page in pages:
        assert title in client.get(page).text, page
    story.status = NarrativeStatus.hidden
    session.add(story)
    session.commit()
    for page in pages:
        assert title not in client.get(page).text, page


def test_a_story_reached_by_several_links_is_kept_once(session, indicator):  # noqa: F811
    """Every theme, indicator and district keeps its stories; a story they share is one
    fact for all of them (at the bench's scale 42 MB of copies against 16 MB), and a
    change to it gives every link the new fact."""
    theme = make_theme(session)
    story = make_narrative(session, title="Wachtlijst loopt op")
    session.add(NarrativeTheme(narrative_id=story.id, theme_id=theme.id))
    session.add(
        NarrativeIndicator(narrative_id=story.id, indicator_id=indicator.id, relation="explains")
    )
    session.commit()

    def both() -> tuple[StoryFact, StoryFact]:
        window = {"reach": Reach.all, "start": None, "end": None}
        [by_link] = linked_to(session, [indicator.id], relations=EXPLAINING, **window)[indicator.id]
        [by_theme] = linked_stories(session, indicator_ids=[], theme=theme, area=None, **window)
        return by_link, by_theme

    by_link, by_theme = both()
    assert by_link is by_theme
    story.title = "Wachtlijst loopt verder op"
    session.add(story)
    session.commit()
    by_link, by_theme = both()
    assert by_link is by_theme
    assert by_link.title == "Wachtlijst loopt verder op"
