"""Story requests through HTTP: editors ask, partners and residents answer on the story
form, and the answers explain the signal on the indicator page and the dashboard."""

import re
from datetime import date, timedelta

import pytest
from sqlmodel import select

from app.audit import AuditEntry
from app.models import (
    Direction,
    Invite,
    Narrative,
    NarrativeIndicator,
    NarrativeStatus,
    Observation,
    Partner,
    StoryRequest,
    StoryRequestPartner,
)
from app.models.narrative import LinkRelation
from app.narratives.invites import invite_url
from tests.factories import bearer, csrf_from, login, make_area, make_indicator

JUMP = date(2025, 9, 1)
LISTED = (
    'Wachttijd schuldhulp</a> · <span class="signal signal-concern">zorgwekkend</span>'
    " september 2025"
)


def make_signal(session, **overrides):
    """An indicator (lower is better) whose last month, 2025-09, jumps far above its usual
    variation: a concern that no story explains yet."""
    indicator = make_indicator(session, direction=Direction.down, **overrides)
    day = date(2023, 9, 1)
    for n in range(24):
        session.add(
            Observation(indicator_id=indicator.id, period_start=day, value=10 if n % 2 else 12)
        )
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    session.add(Observation(indicator_id=indicator.id, period_start=JUMP, value=30))
    session.commit()
    return indicator


def make_partner(session, name: str) -> tuple[Partner, str]:
    """A partner and the link of its invite."""
    partner = Partner(name=name)
    session.add(partner)
    session.commit()
    invite = Invite(partner_id=partner.id)
    session.add(invite)
    session.commit()
    return partner, invite_url(invite)


def make_request(session, indicator, partners=(), **overrides) -> StoryRequest:
    values = {"question": "Wat merkt u?", "indicator_id": indicator.id, "period_start": JUMP}
    row = StoryRequest(**{**values, **overrides})
    session.add(row)
    session.commit()
    for partner in partners:
        session.add(StoryRequestPartner(request_id=row.id, partner_id=partner.id))
    session.commit()
    return row


def sign_in(client, session, role: str):
    """Sign in through the form; the test session's snapshot is renewed around it, since
    the app writes too (a stale SQLite snapshot cannot write)."""
    session.rollback()
    user = login(client, session, role)
    session.rollback()
    return user


def flat(html: str) -> str:
    """The page with runs of whitespace folded to one space."""
    return re.sub(r"\s+", " ", html)


def count(session, model) -> int:
    session.rollback()
    return len(session.exec(select(model)).all())


def answer_form(client, url: str, **fields) -> dict:
    """The hidden fields of the form at ``url`` plus a complete story."""
    page = client.get(url)
    assert page.status_code == 200, page.text
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    return {
        **hidden,
        "title": "Langere wachttijd",
        "body": "Sinds september zijn er twee schuldhulpverleners minder.",
        "author_role": "partner",
        "consent": "yes",
        "consent_reach": "council",
        **fields,
    }


# --- editors write requests ---------------------------------------------------------


def test_editor_asks_partners_from_a_signal(client, session):
    indicator = make_signal(session, slug="wachttijd", name="Wachttijd schuldhulp")
    district = make_area(session, code="WK019301", name="De Hoven")
    partner, _ = make_partner(session, "Welzijn Oost")
    sign_in(client, session, "editor")

    form = client.get("/requests/new?indicator=wachttijd&area=WK019301&period=2025-09")
    assert form.status_code == 200
    assert '<option value="wachttijd" selected>' in form.text
    assert '<option value="WK019301" selected>' in form.text
    assert 'name="period" value="2025-09"' in form.text
    closes = (date.today() + timedelta(days=28)).isoformat()
    assert f'name="closes_on" value="{closes}"' in form.text

    sent = client.post(
        "/requests/new",
        data={
            "csrf_token": csrf_from(form.text),
            "question": "We zien langere wachttijden in De Hoven. Wat merkt u?",
            "indicator": "wachttijd",
            "area": "WK019301",
            "period": "2025-09",
            "partners": str(partner.id),
            "closes_on": "2099-01-31",
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303
    session.rollback()
    row = session.exec(select(StoryRequest)).one()
    assert sent.headers["location"] == f"/requests/{row.id}"
    assert (row.indicator_id, row.area_id, row.period_start) == (indicator.id, district.id, JUMP)
    assert (row.public, row.closes_on) == (False, date(2099, 1, 31))
    assert [p.partner_id for p in session.exec(select(StoryRequestPartner))] == [partner.id]
    audit = session.exec(select(AuditEntry).where(AuditEntry.entity == "story_request")).one()
    assert audit.entity_id == str(row.id)

    page = client.get(f"/requests/{row.id}")
    assert "We zien langere wachttijden in De Hoven. Wat merkt u?" in page.text
    assert "Welzijn Oost" in page.text and "De Hoven" in page.text
    assert "0 antwoorden" in page.text and "Nog geen antwoorden." in page.text
    assert "open tot en met" in page.text
    assert f'href="/requests/{row.id}"' in client.get("/requests").text


BAD_REQUESTS = [
    ({"question": " "}, "question", "Schrijf de vraag die u wilt stellen."),
    ({"question": "x" * 1001}, "question", "De vraag mag hoogstens 1.000 tekens lang zijn."),
    ({"indicator": "bestaat-niet"}, "indicator", "Kies een cijfer uit de lijst."),
    ({"area": "WK000000"}, "area", "Kies een wijk uit de lijst."),
    ({"period": "2025-Q3"}, "period", "Geef een periode waarin het cijfer gemeten wordt"),
    ({"period": "gisteren"}, "period", "Geef een periode waarin het cijfer gemeten wordt"),
    ({"partners": "999"}, "partners", "Kies partners uit de lijst."),
    ({"partners": "abc"}, "partners", "Kies partners uit de lijst."),
    ({"closes_on": "31-12-2099"}, "closes_on", "Geef een einddatum zoals 2026-12-31"),
    ({"closes_on": "2020-01-01"}, "closes_on", "De einddatum is al voorbij."),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD_REQUESTS)
def test_bad_request_input_is_refused_with_a_message(client, session, change, field, message):
    make_signal(session, slug="wachttijd")
    sign_in(client, session, "editor")
    token = csrf_from(client.get("/requests/new").text)
    data = {
        "csrf_token": token,
        "question": "Wat merkt u van de wachttijd?",
        "indicator": "wachttijd",
        "period": "2025-09",
        **change,
    }
    response = client.post("/requests/new", data=data)
    assert response.status_code == 422
    error = rf'<p class="field-error[^"]*" id="{field}-error">{re.escape(message)}'
    assert re.search(error, response.text)
    if field != "question":
        assert "Wat merkt u van de wachttijd?</textarea>" in response.text  # kept as typed
    assert count(session, StoryRequest) == 0


def test_request_messages_in_english(client, session):
    sign_in(client, session, "editor")
    token = csrf_from(client.get("/requests/new?lang=en").text)
    response = client.post(
        "/requests/new?lang=en", data={"csrf_token": token, "question": "?", "indicator": "nope"}
    )
    assert response.status_code == 422
    assert "Choose a figure from the list." in response.text


def test_only_editors_write_requests(client, session):
    make_signal(session, slug="wachttijd")
    data = {"question": "Wat merkt u?", "indicator": "wachttijd"}
    anonymous = client.post("/requests/new", data=data, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    sign_in(client, session, "viewer")
    assert client.get("/requests/new").status_code == 403
    token = csrf_from(client.get("/login").text)
    assert client.post("/requests/new", data={**data, "csrf_token": token}).status_code == 403
    client.cookies.clear()
    session.rollback()
    sign_in(client, session, "editor")
    assert client.post("/requests/new", data=data).status_code == 403  # no CSRF token
    assert count(session, StoryRequest) == 0


def test_unknown_request_page_is_404(client, session):
    sign_in(client, session, "viewer")
    assert client.get("/requests/999").status_code == 404


# --- partners answer on the story form ------------------------------------------------


def test_partner_sees_only_open_requests_asked_to_it_or_to_all(client, session):
    indicator = make_signal(session, name="Wachttijd schuldhulp")
    mine, link = make_partner(session, "Welzijn Oost")
    other, _ = make_partner(session, "Buurtzorg Noord")
    make_request(session, indicator, [mine], question="Vraag aan Welzijn Oost")
    make_request(session, indicator, question="Vraag aan iedereen")
    make_request(session, indicator, [other], question="Vraag aan Buurtzorg")
    make_request(
        session, indicator, question="Gesloten vraag", closes_on=date.today() - timedelta(days=1)
    )
    make_request(session, indicator, question="Vraag tot vandaag", closes_on=date.today())

    page = client.get(link).text
    assert "Vragen van de gemeente" in page
    assert "Vraag aan Welzijn Oost" in page and "Vraag aan iedereen" in page
    assert "Vraag tot vandaag" in page
    assert "Vraag aan Buurtzorg" not in page and "Gesloten vraag" not in page
    assert "Wachttijd schuldhulp · september 2025" in page


def test_partner_answers_a_request_linked_to_its_signal(client, session):
    indicator = make_signal(session, slug="wachttijd", name="Wachttijd schuldhulp")
    other = make_indicator(session, slug="ander-cijfer")
    district = make_area(session, code="WK019301", name="De Hoven")
    partner, link = make_partner(session, "Welzijn Oost")
    row = make_request(session, indicator, [partner], area_id=district.id)

    page = client.get(f"{link}&request={row.id}")
    assert "U beantwoordt deze vraag" in page.text
    assert "Uw verhaal hoort bij: Wachttijd schuldhulp · De Hoven · september 2025" in page.text
    assert 'id="indicators"' not in page.text and 'id="occurred"' not in page.text
    # the figure, district and period come from the request, whatever else is posted
    data = answer_form(
        client, f"{link}&request={row.id}", indicators="ander-cijfer", occurred="2020-01"
    )
    data["area"] = ""
    sent = client.post("/stories/new", data=data, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    session.rollback()
    story = session.exec(select(Narrative)).one()
    assert (story.request_id, story.partner_id, story.status) == (row.id, partner.id, "pending")
    assert (story.occurred_on, story.area_id) == (JUMP, district.id)
    links = session.exec(select(NarrativeIndicator)).all()
    assert [(link.indicator_id, link.relation) for link in links] == [(indicator.id, "explains")]
    assert other.id not in [link.indicator_id for link in links]


@pytest.mark.parametrize("case", ["other_partner", "closed", "missing", "garbage"])
def test_partner_cannot_answer_what_was_not_asked(client, session, case):
    indicator = make_signal(session)
    _, link = make_partner(session, "Welzijn Oost")
    other, _ = make_partner(session, "Buurtzorg Noord")
    row = make_request(
        session,
        indicator,
        [other] if case == "other_partner" else [],
        closes_on=date.today() - timedelta(days=1) if case == "closed" else None,
    )
    request_id = {"missing": str(row.id + 100), "garbage": "x1"}.get(case, str(row.id))
    message = {
        "other_partner": "Deze vraag is niet aan u gesteld.",
        "closed": "Deze vraag is gesloten; er kunnen geen antwoorden meer worden gegeven.",
    }.get(case, "Deze vraag bestaat niet meer.")

    shown = client.get(f"{link}&request={request_id}")
    assert message in shown.text and "U beantwoordt deze vraag" not in shown.text
    data = answer_form(client, link, request=request_id, occurred="2025-09")
    refused = client.post("/stories/new", data=data)
    assert refused.status_code == 422
    assert f'id="request-error">{message}' in refused.text
    assert 'value="Langere wachttijd"' in refused.text  # the story is kept as typed
    assert count(session, Narrative) == 0


def test_public_form_shows_and_answers_public_requests_only(client, session, settings):
    settings(public_stories=True)
    indicator = make_signal(session)
    public = make_request(session, indicator, public=True, question="Vraag aan inwoners")
    internal = make_request(session, indicator, question="Vraag aan partners")

    page = client.get("/stories/new").text
    assert "Vraag aan inwoners" in page and "Vraag aan partners" not in page
    refused = client.post(
        "/stories/new",
        data=answer_form(client, "/stories/new", request=str(internal.id), author_role="resident"),
    )
    assert refused.status_code == 422
    assert "Deze vraag bestaat niet meer." in refused.text
    assert count(session, Narrative) == 0
    sent = client.post(
        "/stories/new",
        data=answer_form(client, f"/stories/new?request={public.id}", author_role="resident"),
        follow_redirects=False,
    )
    assert sent.status_code == 303
    session.rollback()
    assert session.exec(select(Narrative.request_id)).one() == public.id


def test_public_requests_stay_hidden_when_public_stories_are_off(client, session):
    indicator = make_signal(session)
    make_request(session, indicator, public=True, question="Vraag aan inwoners")
    response = client.get("/stories/new", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


# --- the request shows its answers; the signal becomes explained ----------------------


def test_answers_on_the_request_page_and_the_signal_explained(client, session):
    indicator = make_signal(session, slug="wachttijd", name="Wachttijd schuldhulp")
    _, link = make_partner(session, "Welzijn Oost")
    row = make_request(session, indicator)

    sign_in(client, session, "editor")
    before = client.get("/indicators/wachttijd").text
    row_html = re.search(r"<tr id=\"period-2025-09\">.*?</tr>", before, re.S).group(0)
    assert "onverklaard" in row_html
    assert 'href="/requests/new?indicator=wachttijd&amp;period=2025-09"' in row_html
    dashboard = flat(client.get("/").text)
    assert "Onverklaarde signalen" in dashboard
    assert f'href="/requests/{row.id}">gevraagd: 0 antwoorden' in dashboard

    client.cookies.clear()
    sent = client.post(
        "/stories/new",
        data=answer_form(client, f"{link}&request={row.id}"),
        follow_redirects=False,
    )
    assert sent.status_code == 303
    session.rollback()
    story = session.exec(select(Narrative)).one()

    sign_in(client, session, "viewer")
    assert "Langere wachttijd" not in client.get(f"/requests/{row.id}").text  # pending
    client.cookies.clear()
    sign_in(client, session, "editor")
    page = client.get(f"/requests/{row.id}").text
    assert f'href="/moderation/{story.id}">Langere wachttijd' in page
    assert "1 antwoord, 0 gepubliceerd" in page
    assert "gevraagd: 1 antwoord" in flat(client.get("/").text)

    review = client.get(f"/moderation/{story.id}").text
    assert '<option value="explains" selected>' in review
    assert f'<a href="/requests/{row.id}">Antwoord op een verhaalvraag</a>' in review
    decided = client.post(
        f"/moderation/{story.id}",
        data={
            "csrf_token": csrf_from(review),
            "title": story.title,
            "body": story.body,
            "occurred": "2025-09",
            "indicators": "wachttijd",
            "relation": "explains",
            "decision": "publish",
        },
        follow_redirects=False,
    )
    assert decided.status_code == 303

    page = client.get(f"/requests/{row.id}").text
    assert f'href="/stories/{story.id}">Langere wachttijd' in page
    assert "1 antwoord, 1 gepubliceerd" in page
    after = client.get("/indicators/wachttijd").text
    row_html = re.search(r"<tr id=\"period-2025-09\">.*?</tr>", after, re.S).group(0)
    assert "verklaard door 1 verhaal" in row_html and "onverklaard" not in row_html
    assert "Wachttijd schuldhulp</a>" not in flat(client.get("/").text).split("Openstaande")[0]


def test_dashboard_lists_unexplained_signals_by_role(client, session, settings):
    make_signal(session, slug="wachttijd", name="Wachttijd schuldhulp")
    make_indicator(session, slug="stil", name="Stil cijfer")
    sign_in(client, session, "editor")
    page = flat(client.get("/").text)
    section = page.split('id="unexplained-heading"')[1].split("</section>")[0]
    assert LISTED in section
    assert "zorgwekkend</span>" in section and "september 2025" in section
    assert 'href="/requests/new?indicator=wachttijd&amp;period=2025-09"' in section
    assert "Stil cijfer" not in section
    assert "Geen openstaande verhaalvragen." in page

    client.cookies.clear()
    sign_in(client, session, "viewer")
    page = flat(client.get("/").text)
    assert LISTED in page
    assert "/requests/new" not in page
    assert "Openstaande verhaalvragen" in page

    settings(public_read=True)
    from fastapi.testclient import TestClient

    from app.main import create_app

    with TestClient(create_app()) as anonymous:
        page = flat(anonymous.get("/").text)
    assert LISTED in page
    assert "Openstaande verhaalvragen" not in page and "/requests" not in page


def test_dashboard_follows_new_figures_and_stories(client, session):
    """The cached signals are recomputed when observations change; explanations are
    looked up fresh."""
    sign_in(client, session, "editor")
    assert "Geen onverklaarde signalen." in flat(client.get("/").text)
    indicator = make_signal(session, slug="wachttijd", name="Wachttijd schuldhulp")
    assert LISTED in flat(client.get("/").text)
    headers = bearer(session, "editor")
    url = "/api/v1/indicators/wachttijd/observations"
    calm = client.post(url, json=[{"period": "2025-09", "value": 11}], headers=headers)
    assert calm.json()["updated"] == 1
    assert "Geen onverklaarde signalen." in flat(client.get("/").text)
    client.post(url, json=[{"period": "2025-09", "value": 30}], headers=headers)
    assert LISTED in flat(client.get("/").text)
    session.add(
        Narrative(
            title="Uitleg",
            body="Twee collega's minder.",
            occurred_on=date(2025, 9, 15),
            author_role="staff",
            status=NarrativeStatus.published,
        )
    )
    session.commit()
    story = session.exec(select(Narrative)).one()
    link = NarrativeIndicator(narrative_id=story.id, indicator_id=indicator.id)
    session.add(link)
    session.commit()
    assert LISTED in flat(client.get("/").text)  # a "context" link does not explain
    link.relation = LinkRelation.explains
    session.add(link)
    session.commit()
    assert "Geen onverklaarde signalen." in flat(client.get("/").text)


def test_a_request_without_period_or_district_leaves_them_to_the_partner(client, session):
    indicator = make_signal(session, slug="wachttijd")
    make_area(session, code="WK019301", name="De Hoven")
    _, link = make_partner(session, "Welzijn Oost")
    row = make_request(session, indicator, period_start=None)
    page = client.get(f"{link}&request={row.id}").text
    assert 'id="occurred"' in page and 'id="area"' in page and 'id="indicators"' not in page
    data = answer_form(client, f"{link}&request={row.id}", occurred="2025-10", area="WK019301")
    assert client.post("/stories/new", data=data, follow_redirects=False).status_code == 303
    session.rollback()
    story = session.exec(select(Narrative)).one()
    assert (story.occurred_on, story.request_id) == (date(2025, 10, 1), row.id)
    assert session.exec(select(NarrativeIndicator.indicator_id)).all() == [indicator.id]


def test_questions_are_escaped_everywhere(client, session):
    indicator = make_signal(session, slug="wachttijd")
    _, link = make_partner(session, "Welzijn Oost")
    row = make_request(session, indicator, question="<script>alert(1)</script> Wat merkt u?")
    sign_in(client, session, "editor")
    pages = [client.get(f"/requests/{row.id}").text, client.get("/requests").text]
    pages.append(client.get("/").text)
    client.cookies.clear()
    pages += [client.get(link).text, client.get(f"{link}&request={row.id}").text]
    for page in pages:
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Wat merkt u?" in page
