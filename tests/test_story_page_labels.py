"""A story's page says its period as a period, its themes by name and its assessment."""

from datetime import date

import pytest

from app.models.narrative import NarrativeTheme
from tests.factories import login, make_narrative, make_theme


@pytest.mark.parametrize(
    ("lang", "period", "assessment"),
    [("nl", "oktober 2025", "beter"), ("en", "October 2025", "better")],
)
def test_story_page_shows_period_themes_and_assessment(client, session, lang, period, assessment):
    theme = make_theme(session, slug="werk-en-inkomen", name="Werk en inkomen")
    story = make_narrative(session, occurred_on=date(2025, 10, 1), assessment="better")
    session.add(NarrativeTheme(narrative_id=story.id, theme_id=theme.id))
    session.commit()
    login(client, session, "viewer")
    page = client.get(f"/stories/{story.id}", params={"lang": lang})
    assert page.status_code == 200
    assert f'<p class="muted">{period}' in page.text
    assert "1 okt 2025" not in page.text and "1 Oct 2025" not in page.text
    assert "<dd>Werk en inkomen</dd>" in page.text and "werk-en-inkomen" not in page.text
    assert f"<dd>{assessment}</dd>" in page.text
