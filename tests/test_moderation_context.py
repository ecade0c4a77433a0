"""Moderation with context: beside each waiting story the submitter's own assessment,
why it matters to them and the figures it concerns on a small chart with the story's
period marked; a confirmation after publishing or hiding; the editor's note."""

import json
import re
from datetime import date

from sqlmodel import select

from app.models import ChangeDomain, Frequency, Narrative, Observation
from app.models.narrative import Assessment, NarrativeIndicator, NarrativeStatus
from tests.factories import (
    bearer,
    csrf_from,
    login,
    make_indicator,
    make_narrative,
    make_theme,
)


def _waiting(session):
    theme = make_theme(session, name="Schulden")
    indicator = make_indicator(
        session, themes=[theme], slug="schuldhulp", name="Schuldhulp", frequency=Frequency.month
    )
    for month in range(1, 13):
        session.add(
            Observation(indicator_id=indicator.id, period_start=date(2024, month, 1), value=month)
        )
    domain = ChangeDomain(theme_id=theme.id, name="Rondkomen")
    session.add(domain)
    session.commit()
    story = make_narrative(
        session,
        title="Wachtlijst schuldhulp",
        status=NarrativeStatus.pending,
        occurred_on=date(2024, 5, 1),
        assessment=Assessment.worse,
        significance="Mensen wachten te lang.",
        domain_id=domain.id,
    )
    session.add(NarrativeIndicator(narrative_id=story.id, indicator_id=indicator.id))
    plain = make_narrative(session, title="Zonder cijfer", status=NarrativeStatus.pending)
    session.commit()
    return story, plain


def _spec(html: str, story_id: int) -> dict:
    match = re.search(
        rf'<script type="application/json" class="chart-spec" data-target="chart-{story_id}-1">'
        r"(.*?)</script>",
        html,
        re.S,
    )
    assert match, "no chart for the story"
    return json.loads(match.group(1))


def test_each_waiting_story_shows_its_assessment_and_its_figure_with_the_period(client, session):
    story, plain = _waiting(session)
    story_id, plain_id = story.id, plain.id
    login(client, session, "editor")
    page = client.get("/moderation")
    html = page.text
    block = html[html.index("Wachtlijst schuldhulp") : html.index("Zonder cijfer")]
    assert "Eigen inschatting van de inzender" in block and "<dd>slechter</dd>" in block
    assert "Mensen wachten te lang." in block
    assert "Schulden: Rondkomen" in block
    assert "Het cijfer waar het over gaat" in block
    assert 'href="/indicators/schuldhulp"' in block
    spec = _spec(html, story_id)
    highlight = spec["datasets"]["highlight"]
    assert highlight[0]["start"] == "2024-05-01" and highlight[0]["end"] == "2024-05-31"
    assert list(highlight[0]["tip"].values()) == ["2024-05"]
    assert "/indicators/schuldhulp/chart.svg?size=small&amp;period=2024-05&amp;lang=nl" in block
    rest = html[html.index("Zonder cijfer") :]
    assert "Het verhaal noemt geen cijfer." in rest
    assert '<script type="module" src="/static/charts.js"></script>' in html
    review = client.get(f"/moderation/{story_id}").text
    assert _spec(review, story_id)["datasets"]["highlight"][0]["start"] == "2024-05-01"
    assert "Eigen inschatting van de inzender" in review
    assert plain_id


def test_publishing_is_confirmed_with_a_link_to_the_story(client, session):
    story, _ = _waiting(session)
    story_id = story.id
    login(client, session, "editor")
    token = csrf_from(client.get(f"/moderation/{story_id}").text)
    data = {
        "csrf_token": token,
        "title": "Wachtlijst schuldhulp",
        "body": "Tekst",
        "occurred": "2024-05",
        "indicators": "schuldhulp",
        "decision": "publish",
        "reason": "Dank u; gepubliceerd zonder de naam van de straat.",
    }
    done = client.post(f"/moderation/{story_id}", data=data, follow_redirects=False)
    assert done.headers["location"] == f"/moderation?done=publish&story={story_id}"
    page = client.get(done.headers["location"]).text
    assert 'class="utrecht-alert utrecht-alert--ok" role="status"' in page
    assert (
        f'<strong>Gepubliceerd:</strong> <a href="/stories/{story_id}">Wachtlijst schuldhulp</a>'
        in page
    )
    session.rollback()
    stored = session.get(Narrative, story_id)
    assert stored.moderation_note == "Dank u; gepubliceerd zonder de naam van de straat."
    # a made-up confirmation says nothing
    assert "utrecht-alert--ok" not in client.get(f"/moderation?done=hide&story={story_id}").text
    assert "utrecht-alert--ok" not in client.get("/moderation?done=x&story=abc").text


def test_hiding_is_confirmed_and_a_long_note_is_refused_at_its_field(client, session):
    story, _ = _waiting(session)
    story_id = story.id
    login(client, session, "editor")
    token = csrf_from(client.get(f"/moderation/{story_id}").text)
    data = {
        "csrf_token": token,
        "title": "Wachtlijst schuldhulp",
        "body": "Tekst",
        "occurred": "2024-05",
        "decision": "hide",
        "reason": "x" * 2001,
    }
    long = client.post(f"/moderation/{story_id}", data=data)
    assert long.status_code == 422
    assert "De toelichting voor de inzender mag hoogstens 2.000 tekens hebben." in long.text
    session.rollback()
    assert session.get(Narrative, story_id).status == NarrativeStatus.pending
    data["reason"] = "Bevat namen."
    hidden = client.post(f"/moderation/{story_id}", data=data)
    assert "<strong>Verborgen:</strong> Wachtlijst schuldhulp." in hidden.text


def test_the_api_takes_the_note_and_refuses_a_long_one(client, session):
    story, _ = _waiting(session)
    story_id = story.id
    headers = bearer(session, "editor")
    long = client.patch(
        f"/api/v1/narratives/{story_id}",
        json={"status": "hidden", "reason": "x" * 2001},
        headers=headers,
    )
    assert long.status_code == 422 and "detail" in long.json()
    done = client.patch(
        f"/api/v1/narratives/{story_id}",
        json={"status": "hidden", "reason": "Bevat namen."},
        headers=headers,
    )
    assert done.status_code == 200
    body = done.json()
    assert body["significance"] == "Mensen wachten te lang." and body["domain"]
    session.rollback()
    assert session.exec(
        select(Narrative).where(Narrative.id == story_id)
    ).one().moderation_note == ("Bevat namen.")
