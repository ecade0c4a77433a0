"""No English rule or signal id on a Dutch page: the words a reader sees on the indicator
page, dashboard, timeline, a session and a report are Dutch (issue 15, item 4); and a
figure's latest state carries its variation icon wherever it is shown (item 5)."""

import re

from sqlmodel import select

from app.demo import load_demo
from app.models import ReflectionSession
from tests.factories import login

#: Rule and signal ids, and their English names, as they must never read on a Dutch page.
ENGLISH = re.compile(
    r"\b(outside_limits|two_of_three|special_cause|common_cause|shift|outside limits|"
    r"two of three|special cause|common cause|usual variation|improvement|concern|neither|"
    r"unexplained|explained|rules?|signals?)\b",
    re.IGNORECASE,
)
VISIBLE = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.DOTALL)


def words(html: str) -> str:
    """The text a reader sees (and hears): without tags, scripts and styles, but with
    the alternative texts and labels that assistive technology reads."""
    spoken = " ".join(re.findall(r'(?:alt|aria-label|title)="([^"]*)"', html))
    return VISIBLE.sub(" ", html) + " " + spoken


def english_in(html: str) -> list[str]:
    return sorted({match.group(0) for match in ENGLISH.finditer(words(html))})


def test_no_english_signal_words_on_dutch_pages_and_icons_for_the_latest_state(client, session):
    load_demo(session=session)
    login(client, session, "editor")
    held = session.exec(select(ReflectionSession).order_by(ReflectionSession.id)).all()
    pages = [
        "/",
        "/indicators/wachttijd-schuldhulp",
        "/indicators/wachttijd-specialistische-jeugdhulp",  # a lasting shift: rebase offer
        "/indicators/meldingen-schoolverzuim",
        "/indicators/huishoudens-voedselbank",
        "/timeline",
        "/timeline?indicator=uitstroom-naar-werk",
        f"/sessions/{held[1].id}",
        f"/sessions/{held[-1].id}",
        "/reports/2020-H1",
        "/reports/2025-H2",
    ]
    for path in pages:
        page = client.get(path)
        assert page.status_code == 200, path
        assert english_in(page.text) == [], path
    # the test can fail: the English page says these words
    assert "improvement" in english_in(
        client.get("/indicators/meldingen-schoolverzuim?lang=en").text
    )

    # the latest state carries its variation icon wherever it is shown
    for path, at_least in (
        ("/", 12),  # every indicator of every theme
        ("/indicators", 14),
        ("/reports/2025-H2", 14),
    ):
        page = client.get(path, params={"lang": "nl"}).text
        assert page.count('class="variation-icon"') >= at_least, path
    related = client.get("/indicators/aanmeldingen-schuldhulp").text
    section = related.split('id="related-heading"')[1].split("</section>")[0]
    assert 'class="variation-icon"' in section
