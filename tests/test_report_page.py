"""The half-year report page object (app/reports/page.py): the report a reader may see,
the page's parts asserted on the object, and its Markdown twin reading the same report."""

import pytest

from app.models import Role
from app.problems import NotFound
from app.reports import questions, service
from app.reports.page import build_report_page, read_report
from tests.factories import make_user
from tests.test_reports import REPORT, data  # noqa: F401 - the fixture

PERIOD = "2024-H1"


def _titles(shown) -> list[str]:
    return [story.title for theme in shown.report.themes for story in theme.stories]


def test_the_report_holds_only_the_stories_its_reader_may_see(client, session, data):  # noqa: F811
    council = make_user(session, role=Role.council)
    signed_in = read_report(session=session, user=council, period=PERIOD, lang="nl")
    anonymous = read_report(session=session, user=None, period=PERIOD, lang="nl")
    assert sorted(_titles(signed_in)) == [
        "Openbaar verhaal over verzuim",
        "Raadsverhaal over verzuim",
    ]
    assert _titles(anonymous) == ["Openbaar verhaal over verzuim"]
    assert [theme.slug for theme in signed_in.report.themes] == ["jeugd", "schulden"]
    assert signed_in.query == "" and signed_in.version is None
    one = read_report(session=session, user=None, period=PERIOD, lang="nl", theme="jeugd")
    assert [theme.slug for theme in one.report.themes] == ["jeugd"] and one.query == "?theme=jeugd"
    with pytest.raises(NotFound):
        read_report(session=session, user=None, period=PERIOD, lang="nl", theme="nope")
    with pytest.raises(NotFound):
        read_report(session=session, user=None, period="2024-H3", lang="nl")


def test_editors_write_the_live_report_and_council_members_ask(client, session, data):  # noqa: F811
    editor = make_user(session, role=Role.editor)
    council = make_user(session, role=Role.council)
    viewer = make_user(session, role=Role.viewer)
    live = read_report(session=session, user=editor, period=PERIOD, lang="nl", theme="jeugd")
    page = build_report_page(session=session, user=editor, shown=live)
    assert page.editing and list(page.candidates) == ["jeugd"]
    assert "Intern verhaal over verzuim" not in [s.title for s in page.candidates["jeugd"]]
    assert (page.can_answer, page.can_ask, page.theme_slug) == (True, False, "jeugd")
    for reader in (council, viewer):
        other = build_report_page(session=session, user=reader, shown=live)
        assert not other.editing and other.candidates == {} and not other.can_answer
    assert build_report_page(session=session, user=council, shown=live).can_ask

    frozen = service.freeze(session=session, half=live.half, theme=None, user=editor)
    session.commit()
    asked = questions.ask(
        session=session, half=live.half, theme=None, version=frozen.id, question="Waarom?",
        user=council,
    )  # fmt: skip
    session.commit()
    version = read_report(session=session, user=editor, period=PERIOD, lang="nl", version=frozen.id)
    page = build_report_page(session=session, user=editor, shown=version)
    assert not page.editing and page.candidates == {}  # a frozen report is not written
    assert [q.question for q in page.questions] == ["Waarom?"]
    assert page.asked_by == {asked.id: council.email}  # who asked: for editors only
    assert [v.id for v in page.versions] == [frozen.id]
    assert page.theme_names == {"jeugd": "Jeugd", "schulden": "Schulden"}
    assert build_report_page(session=session, user=viewer, shown=version).asked_by == {}
    kept = build_report_page(
        session=session, user=council, shown=version, errors={"question": "Te lang."},
        values={"question": "x"},
    )  # fmt: skip
    assert (kept.errors, kept.values) == ({"question": "Te lang."}, {"question": "x"})


def test_the_markdown_reads_the_report_the_page_shows(client, session, settings, data):  # noqa: F811
    settings(public_read=True)
    shown = read_report(session=session, user=None, period=PERIOD, lang="nl")
    text = client.get(f"{REPORT}.md").text
    assert all(title in text for title in _titles(shown))
    assert "Raadsverhaal over verzuim" not in text
