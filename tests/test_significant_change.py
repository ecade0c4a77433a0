"""Most Significant Change: a story's significance and domain (form and API), domains
configured per theme by editors, a session's choice per domain with its reason, shown
in the half-year report and on the partner's page."""

from datetime import date

from sqlmodel import select

from app.models import (
    ChangeDomain,
    Narrative,
    Partner,
    ReflectionSession,
    SignificantChoice,
)
from app.models.narrative import ConsentReach, NarrativeStatus
from app.narratives.invites import create_invite, invite_token
from tests.factories import bearer, csrf_from, login, make_narrative, make_theme


def test_editors_configure_the_domains_of_a_theme(client, session):
    theme = make_theme(session, slug="werk", name="Werk en inkomen")
    login(client, session, "editor")
    page = client.get("/themes/werk/domains")
    assert page.status_code == 200 and "Deze thema heeft" not in page.text
    token = csrf_from(page.text)
    assert (
        client.post(
            "/themes/werk/domains", data={"name": "Meedoen", "csrf_token": token}
        ).status_code
        == 200
    )
    twice = client.post("/themes/werk/domains", data={"name": "Meedoen", "csrf_token": token})
    assert twice.status_code == 422
    assert "Dit thema heeft al een domein met deze naam." in twice.text
    empty = client.post("/themes/werk/domains", data={"name": "  ", "csrf_token": token})
    assert empty.status_code == 422 and "Geef het domein een naam." in empty.text
    session.rollback()
    domain = session.exec(select(ChangeDomain)).one()
    renamed = client.post(
        f"/themes/werk/domains/{domain.id}",
        data={"name": "Meedoen in de buurt", "csrf_token": token},
    )
    assert 'value="Meedoen in de buurt"' in renamed.text
    retired = client.post(
        f"/themes/werk/domains/{domain.id}", data={"in_use": "no", "csrf_token": token}
    )
    assert "buiten gebruik" in retired.text
    session.rollback()
    assert session.get(ChangeDomain, domain.id).in_use is False
    session.rollback()
    api = client.get("/api/v1/themes/werk/domains", headers=bearer(session, "viewer")).json()
    assert api == [
        {"id": domain.id, "theme": "werk", "name": "Meedoen in de buurt", "in_use": False}
    ]
    assert theme.id


def test_viewers_do_not_configure_domains(client, session):
    make_theme(session, slug="werk")
    login(client, session, "viewer")
    assert client.get("/themes/werk/domains").status_code == 403
    session.rollback()
    headers = bearer(session, "viewer")
    assert (
        client.post("/api/v1/themes/werk/domains", json={"name": "X"}, headers=headers).status_code
        == 403
    )


def test_the_story_form_and_api_take_significance_and_domain(client, session):
    theme = make_theme(session, slug="werk", name="Werk")
    domain = ChangeDomain(theme_id=theme.id, name="Rondkomen")
    retired = ChangeDomain(theme_id=theme.id, name="Oud", in_use=False)
    session.add_all([domain, retired])
    session.commit()
    domain_id, retired_id, theme_id = domain.id, retired.id, theme.id
    login(client, session, "editor")
    form = client.get("/stories/new").text
    assert "Waarom is dit voor u belangrijk? (niet verplicht)" in form
    assert f'<option value="{domain_id}">Werk: Rondkomen</option>' in form
    assert "Werk: Oud" not in form
    base = {
        "csrf_token": csrf_from(form),
        "title": "Eindelijk rond",
        "body": "Met hulp van de schuldhulp.",
        "occurred": "2025-04",
        "author_role": "resident",
        "consent": "on",
        "consent_reach": "internal",
    }
    for bad in (str(retired_id), "999", "abc"):
        refused = client.post("/stories/new", data={**base, "domain": bad, "significance": "Rust"})
        assert refused.status_code == 422
        assert "Kies een domein van verandering uit de lijst." in refused.text
        assert ">Rust</textarea>" in refused.text
    long = client.post("/stories/new", data={**base, "significance": "x" * 2001})
    assert long.status_code == 422 and "Dit mag hoogstens 2.000 tekens hebben." in long.text
    sent = client.post(
        "/stories/new",
        data={**base, "domain": str(domain_id), "significance": "Ik slaap weer."},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    session.rollback()
    story = session.exec(select(Narrative)).one()
    assert story.significance == "Ik slaap weer." and story.domain_id == domain_id
    from app.models import NarrativeTheme

    themes = session.exec(select(NarrativeTheme).where(NarrativeTheme.narrative_id == story.id))
    assert [row.theme_id for row in themes] == [theme_id]  # the domain's theme comes along
    session.rollback()
    headers = bearer(session, "editor")
    body = {
        "title": "Via de API",
        "body": "Tekst",
        "occurred": "2025-05",
        "author_role": "staff",
        "significance": "Belangrijk",
        "domain": domain_id,
    }
    made = client.post("/api/v1/narratives", json=body, headers=headers)
    assert made.status_code == 201
    assert made.json()["significance"] == "Belangrijk" and made.json()["domain"] == domain_id
    bad = client.post("/api/v1/narratives", json={**body, "domain": retired_id}, headers=headers)
    assert bad.status_code == 422 and "domain" in str(bad.json()["detail"])
    long = client.post(
        "/api/v1/narratives", json={**body, "significance": "x" * 2001}, headers=headers
    )
    assert long.status_code == 422


def _session_with_candidates(session):
    theme = make_theme(session, slug="jeugd", name="Jeugd")
    domain = ChangeDomain(theme_id=theme.id, name="Opgroeien")
    partner = Partner(name="Jongerenwerk")
    session.add_all([domain, partner])
    session.commit()
    story = make_narrative(
        session,
        title="Het voetbalveld",
        domain_id=domain.id,
        partner_id=partner.id,
        consent_reach=ConsentReach.council,
    )
    internal = make_narrative(session, title="Alleen intern", domain_id=domain.id)
    hidden = make_narrative(session, title="Verborgen", status=NarrativeStatus.hidden)
    reflection = ReflectionSession(held_on=date(2025, 3, 12), title="Reflectie maart")
    session.add(reflection)
    token = invite_token(create_invite(session=session, partner=partner, expires_at=None))
    session.commit()
    return reflection.id, domain.id, story.id, internal.id, hidden.id, token


def test_a_session_chooses_the_most_significant_story_per_domain(client, session):
    reflection_id, domain_id, story_id, internal_id, hidden_id, token = _session_with_candidates(
        session
    )
    login(client, session, "editor")
    page = client.get(f"/sessions/{reflection_id}/significant")
    assert page.status_code == 200 and "Het voetbalveld" in page.text
    assert "Verborgen" not in page.text
    csrf = csrf_from(page.text)
    url = f"/sessions/{reflection_id}/significant"
    for data, message in (
        (
            {"domain": str(domain_id), "narrative": str(story_id), "reason": " "},
            "Zeg waarom dit verhaal de meest betekenisvolle verandering vertelt.",
        ),
        (
            {"domain": "77", "narrative": str(story_id), "reason": "Omdat"},
            "Kies een domein van verandering uit de lijst.",
        ),
        (
            {"domain": str(domain_id), "narrative": str(hidden_id), "reason": "Omdat"},
            "Kies een gepubliceerd verhaal uit de lijst.",
        ),
        (
            {"domain": str(domain_id), "narrative": "x", "reason": "y" * 5001},
            "De reden kan hoogstens 5.000 tekens lang zijn.",
        ),
    ):
        refused = client.post(url, data={**data, "csrf_token": csrf})
        assert refused.status_code == 422, data
        assert message in refused.text
    reason = "Kinderen spelen weer buiten; ouders kennen elkaar."
    for chosen in (story_id, internal_id):
        done = client.post(
            url,
            data={
                "domain": str(domain_id),
                "narrative": str(chosen),
                "reason": reason,
                "csrf_token": csrf,
            },
            follow_redirects=False,
        )
        assert done.status_code == 303
    again = client.post(
        url,
        data={
            "domain": str(domain_id),
            "narrative": str(story_id),
            "reason": "Nog eens",
            "csrf_token": csrf,
        },
    )
    assert again.status_code == 409 or again.status_code == 422
    assert "Deze sessie koos dit verhaal al voor dit domein." in again.text
    detail = client.get(f"/sessions/{reflection_id}").text
    assert "Meest betekenisvolle verandering" in detail and reason in detail
    session.rollback()
    assert len(session.exec(select(SignificantChoice)).all()) == 2

    report = client.get("/reports/2025-H1").text
    assert "Meest betekenisvolle verandering" in report
    assert "Opgroeien" in report and "Het voetbalveld" in report and reason in report
    assert "Alleen intern" not in report  # only stories that may reach the council
    markdown = client.get("/reports/2025-H1.md")
    if markdown.status_code == 200:
        assert reason in markdown.text
    assert "Meest betekenisvolle verandering" not in client.get("/reports/2024-H2").text

    client.cookies.clear()
    partner_page = client.get(f"/partner?invite={token}").text
    assert "Gekozen als meest betekenisvolle verandering" in partner_page
    assert "Reflectie maart" in partner_page and reason in partner_page


def test_a_chosen_story_hidden_after_freezing_leaves_no_text_in_the_report(client, session):
    import json

    from app.models import FrozenReport

    reflection_id, domain_id, story_id, _, _, _ = _session_with_candidates(session)
    reason = "Het veld brengt de buurt samen."
    session.add(
        SignificantChoice(
            session_id=reflection_id, domain_id=domain_id, narrative_id=story_id, reason=reason
        )
    )
    session.commit()
    login(client, session, "editor")
    page = client.get("/reports/2025-H1").text
    assert reason in page
    frozen = client.post(
        "/reports/2025-H1/freeze", data={"csrf_token": csrf_from(page)}, follow_redirects=False
    )
    assert frozen.status_code == 303
    version = frozen.headers["location"].split("version=")[1]
    assert reason in client.get(f"/reports/2025-H1?version={version}").text
    session.rollback()
    hidden = client.patch(
        f"/api/v1/narratives/{story_id}", json={"status": "hidden"}, headers=bearer(session)
    )
    assert hidden.status_code == 200
    shown = client.get(f"/reports/2025-H1?version={version}").text
    assert reason not in shown and "Het voetbalveld" not in shown
    assert "Opgroeien" in shown and "Verhaal ingetrokken" in shown
    session.rollback()
    session.expire_all()
    stored = json.dumps(session.get(FrozenReport, int(version)).content)
    assert reason not in stored and "Het voetbalveld" not in stored
    assert reason not in client.get("/reports/2025-H1").text  # the live report too


def test_the_api_records_and_lists_a_sessions_choices(client, session):
    reflection_id, domain_id, story_id, _, hidden_id, _ = _session_with_candidates(session)
    editor = bearer(session, "editor")
    url = f"/api/v1/sessions/{reflection_id}/significant"
    body = {"domain": domain_id, "narrative": story_id, "reason": "Omdat kinderen buiten spelen."}
    made = client.post(url, json=body, headers=editor)
    assert made.status_code == 201
    assert made.json() | {"id": 0} == {
        "id": 0,
        "session": reflection_id,
        "domain": domain_id,
        "domain_name": "Opgroeien",
        "theme": "Jeugd",
        "narrative": story_id,
        "reason": "Omdat kinderen buiten spelen.",
        "chosen_by": made.json()["chosen_by"],
    }
    assert client.post(url, json=body, headers=editor).status_code == 409
    for bad in (
        {**body, "narrative": hidden_id},
        {**body, "domain": 999},
        {**body, "reason": ""},
        {"domain": "x"},
    ):
        refused = client.post(url, json=bad, headers=editor)
        assert refused.status_code == 422 and "detail" in refused.json(), bad
    session.rollback()
    viewer = bearer(session, "viewer")
    listed = client.get(url, headers=viewer).json()
    assert [c["narrative"] for c in listed] == [story_id]
    assert client.post(url, json=body, headers=viewer).status_code == 403
    assert client.get("/api/v1/sessions/9999/significant", headers=viewer).status_code == 404
