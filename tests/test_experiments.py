"""Ideas and experiments: propose, weigh by consent, try small, decide; pages and API."""

import json
import re
from datetime import date, timedelta
from html import unescape

from sqlmodel import func, select

from app.figures.observations import ObservationInput, upsert_observations
from app.figures.periods import parse_period
from app.models import (
    AuditEntry,
    Experiment,
    ExperimentArea,
    Idea,
    IdeaStep,
    PortfolioLimit,
    StoryRequest,
    WeighingCriterion,
    utcnow,
)
from app.narratives.invites import create_invite, invite_token
from app.narratives.partners import create_partner
from tests.factories import (
    bearer,
    csrf,
    login,
    make_area,
    make_indicator,
    make_narrative,
    make_theme,
)


def _count(session, model) -> int:
    session.commit()
    return session.exec(select(func.count()).select_from(model)).one()


def _idea(client, headers, **overrides) -> dict:
    body = {
        "title": "Spreekuur in de bibliotheek",
        "description": "Elke dinsdag inloop.",
        **overrides,
    }
    response = client.post("/api/v1/ideas", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def _experiment_body(**overrides) -> dict:
    start = date(2025, 9, 1)
    return {
        "title": "Schoolmaatschappelijk werk",
        "hypothesis": "Als we op school hulp bieden, verwachten we minder verzuim, "
        "omdat zorgen eerder in beeld komen.",
        "starts_on": start.isoformat(),
        "review_on": (start + timedelta(days=180)).isoformat(),
        **overrides,
    }


def _errors(response) -> dict[str, str]:
    """The 422 detail as field name -> message."""
    assert response.status_code == 422, response.text
    return {str(item["loc"][-1]): item["msg"] for item in response.json()["detail"]}


def test_an_idea_moves_step_by_step_and_keeps_each_reason(client, session):
    headers = bearer(session, "editor")
    theme = make_theme(session, slug="schulden", name="Schulden")
    area = make_area(session, code="WK990101", name="Centrum")
    idea = _idea(client, headers, themes=[theme.slug], areas=[area.code])
    assert idea["state"] == "proposed"
    assert idea["themes"] == ["schulden"] and idea["areas"] == ["WK990101"]

    skipped = client.patch(
        f"/api/v1/ideas/{idea['id']}",
        json={"state": "chosen", "reason": "Meteen doen"},
        headers=headers,
    )
    assert "state" in _errors(skipped)  # proposed cannot jump to chosen
    no_reason = client.patch(
        f"/api/v1/ideas/{idea['id']}", json={"state": "weighed"}, headers=headers
    )
    assert "reason" in _errors(no_reason)

    weighed = client.patch(
        f"/api/v1/ideas/{idea['id']}",
        json={"state": "weighed", "reason": "Besproken in het kernteam"},
        headers=headers,
    )
    assert weighed.status_code == 200, weighed.text
    steps = weighed.json()["steps"]
    assert [s["state"] for s in steps] == ["proposed", "weighed"]
    assert steps[1]["reason"] == "Besproken in het kernteam"
    assert _count(session, IdeaStep) == 2


def test_choosing_is_refused_while_an_objection_is_open(client, session):
    login(client, session, "editor")
    session.commit()
    headers = bearer(session, "editor")
    idea = _idea(client, headers)
    client.patch(
        f"/api/v1/ideas/{idea['id']}",
        json={"state": "weighed", "reason": "Gewogen"},
        headers=headers,
    )
    page = f"/ideas/{idea['id']}"
    token = csrf(client, page)
    client.post(
        page, data={"csrf_token": token, "do": "objection", "objection": "Wie betaalt de huur?"}
    )

    refused = client.post(
        page, data={"csrf_token": token, "do": "state", "state": "chosen", "reason": "Goed genoeg"}
    )
    assert refused.status_code == 422
    assert "nog 1 bezwaar/bezwaren open" in refused.text
    assert session.get(Idea, idea["id"]).state == "weighed"

    session.commit()
    objection_id = client.get(f"/api/v1/ideas/{idea['id']}", headers=headers).json()["objections"][
        0
    ]["id"]
    client.post(
        page,
        data={
            "csrf_token": token,
            "do": "meet",
            "objection_id": objection_id,
            "resolution": "De bibliotheek stelt de ruimte gratis beschikbaar.",
        },
    )
    chosen = client.post(
        page,
        data={
            "csrf_token": token,
            "do": "state",
            "state": "chosen",
            "reason": "Goed genoeg voor nu",
        },
        follow_redirects=False,
    )
    assert chosen.status_code == 303
    session.commit()
    assert session.get(Idea, idea["id"]).state == "chosen"


def test_scores_are_kept_per_criterion_and_replaced_by_a_second_score(client, session):
    login(client, session, "editor")
    session.commit()
    criterion = WeighingCriterion(name="Verwachte bijdrage")
    session.add(criterion)
    session.commit()
    headers = bearer(session, "editor")
    idea = _idea(client, headers)
    page = f"/ideas/{idea['id']}"
    token = csrf(client, page)
    for score in ("2", "4"):
        response = client.post(
            page,
            data={
                "csrf_token": token,
                "do": "score",
                "criterion": criterion.id,
                "score": score,
                "comment": "Past bij het eindbeeld",
            },
            follow_redirects=False,
        )
        assert response.status_code == 303
    scores = client.get(f"/api/v1/ideas/{idea['id']}", headers=headers).json()["scores"]
    assert scores == [
        {"criterion": "Verwachte bijdrage", "score": 4, "comment": "Past bij het eindbeeld"}
    ]
    bad = client.post(
        page, data={"csrf_token": token, "do": "score", "criterion": criterion.id, "score": "9"}
    )
    assert bad.status_code == 422


def test_a_partner_proposes_by_invite_link_and_reads_what_became_of_it(client, session):
    partner = create_partner(session=session, name="Bibliotheek Wadderveen")
    invite = create_invite(session=session, partner=partner, expires_at=None)
    session.commit()
    token = invite_token(invite)
    form = client.get(f"/ideas/new?invite={token}")
    assert form.status_code == 200
    assert "Bibliotheek Wadderveen" in form.text
    sent = client.post(
        "/ideas/new",
        data={
            "csrf_token": csrf(client, f"/ideas/new?invite={token}"),
            "invite": token,
            "title": "Taalcafé voor ouders",
            "description": "Ouders oefenen Nederlands met vrijwilligers.",
        },
    )
    assert sent.status_code == 200
    session.commit()
    idea = session.exec(select(Idea)).one()
    assert idea.partner_id == partner.id and idea.proposer_role == "partner"

    headers = bearer(session, "editor")
    client.patch(
        f"/api/v1/ideas/{idea.id}",
        json={"state": "parked", "reason": "Eerst de taalpilot in Centrum afronden."},
        headers=headers,
    )
    mine = client.get(f"/ideas/mine?invite={token}")
    assert mine.status_code == 200
    assert "Taalcafé voor ouders" in mine.text
    assert "Eerst de taalpilot in Centrum afronden." in mine.text
    assert "geparkeerd" in mine.text


def test_the_idea_form_keeps_what_was_typed_and_says_what_is_wrong(client, session):
    login(client, session, "viewer")
    token = csrf(client, "/ideas/new")
    untitled = client.post(
        "/ideas/new", data={"csrf_token": token, "title": "", "description": "Iets proberen"}
    )
    assert untitled.status_code == 422
    assert "Iets proberen" in untitled.text
    assert "Geef uw idee een korte titel" in untitled.text
    nowhere = client.post(
        "/ideas/new",
        data={"csrf_token": token, "title": "Proef", "description": "Iets", "areas": ["WK000000"]},
    )
    assert nowhere.status_code == 422
    assert "Onbekend gebied: WK000000." in nowhere.text
    assert _count(session, Idea) == 0


def test_residents_propose_only_when_the_public_form_is_on(client, session, settings):
    assert client.get("/ideas/new", follow_redirects=False).status_code in (302, 303, 401)
    settings(public_stories=True)
    response = client.post(
        "/ideas/new",
        data={
            "csrf_token": csrf(client, "/ideas/new"),
            "title": "Bankje bij de bushalte",
            "description": "Ouderen kunnen daar even uitrusten.",
            "proposer_name": "Ans",
        },
    )
    assert response.status_code == 200
    assert session.exec(select(Idea.proposer_role, Idea.proposer_name)).one() == ("resident", "Ans")


def test_an_experiment_refuses_bad_input_and_stores_nothing(client, session):
    headers = bearer(session, "editor")
    pilot = make_area(session, code="WK990101", name="Centrum")
    make_indicator(session, slug="verzuim")
    response = client.post(
        "/api/v1/experiments",
        json=_experiment_body(
            review_on="2025-08-01",
            areas=[pilot.code],
            comparison_areas=[pilot.code, "WK000000"],
            indicators=[
                {"slug": "verzuim", "direction": "down"},
                {"slug": "bestaat-niet", "direction": "up"},
            ],
            status="running",
        ),
        headers=headers,
    )
    errors = _errors(response)
    assert set(errors) >= {"review_on", "comparison_areas", "indicators", "prepared_for_success"}
    assert "both a pilot and a comparison" in " ".join(errors.values())
    nowhere = client.post("/api/v1/experiments", json=_experiment_body(), headers=headers)
    assert "areas" in _errors(nowhere)
    assert _count(session, Experiment) == 0
    assert _count(session, ExperimentArea) == 0


def test_running_needs_to_be_prepared_for_success(client, session):
    headers = bearer(session, "editor")
    make_area(session, code="WK990101")
    created = client.post(
        "/api/v1/experiments", json=_experiment_body(areas=["WK990101"]), headers=headers
    ).json()
    assert created["status"] == "planned"
    refused = client.patch(
        f"/api/v1/experiments/{created['id']}", json={"status": "running"}, headers=headers
    )
    assert "prepared_for_success" in _errors(refused)
    running = client.patch(
        f"/api/v1/experiments/{created['id']}",
        json={
            "status": "running",
            "prepared_for_success": "Het jeugdteam neemt het over, 0,8 fte.",
        },
        headers=headers,
    )
    assert running.status_code == 200 and running.json()["status"] == "running"
    scaled_by_patch = client.patch(
        f"/api/v1/experiments/{created['id']}", json={"status": "scaled"}, headers=headers
    )
    assert "status" in _errors(scaled_by_patch)


def test_decisions_scale_adjust_and_stop_with_their_reasons(client, session):
    headers = bearer(session, "editor")
    for n in range(1, 5):
        make_area(session, code=f"WK99010{n}", name=f"Wijk {n}")
    make_indicator(session, slug="verzuim")
    experiment = client.post(
        "/api/v1/experiments",
        json=_experiment_body(
            areas=["WK990101"],
            comparison_areas=["WK990102"],
            indicators=[{"slug": "verzuim", "direction": "down"}],
            story_question="Wat merkt u op school van de nieuwe hulp?",
            prepared_for_success="Jeugdteam",
            status="running",
        ),
        headers=headers,
    ).json()
    url = f"/api/v1/experiments/{experiment['id']}/decisions"
    assert experiment["story_request"] is not None
    assert session.get(StoryRequest, experiment["story_request"]).area_id is not None

    assert "reason" in _errors(
        client.post(url, json={"decision": "stop", "reason": " "}, headers=headers)
    )
    assert "areas" in _errors(
        client.post(url, json={"decision": "scale", "reason": "Werkt"}, headers=headers)
    )
    comparison = client.post(
        url, json={"decision": "scale", "reason": "Werkt", "areas": ["WK990102"]}, headers=headers
    )
    assert "areas" in _errors(comparison)
    adjust_bad = client.post(
        url, json={"decision": "adjust", "reason": "Bijstellen"}, headers=headers
    )
    assert set(_errors(adjust_bad)) >= {"review_on", "hypothesis"}

    review = (utcnow().date() + timedelta(days=90)).isoformat()
    adjusted = client.post(
        url,
        json={
            "decision": "adjust",
            "reason": "Leerkrachten melden laat",
            "hypothesis": "Nieuwe hypothese",
            "review_on": review,
        },
        headers=headers,
    )
    assert adjusted.status_code == 201, adjusted.text
    assert adjusted.json()["previous_hypothesis"].startswith("Als we op school")
    scaled = client.post(
        url,
        json={"decision": "scale", "reason": "Verzuim daalde", "areas": ["WK990103", "WK990104"]},
        headers=headers,
    )
    assert scaled.status_code == 201
    detail = client.get(f"/api/v1/experiments/{experiment['id']}", headers=headers).json()
    assert detail["status"] == "scaled"
    assert detail["hypothesis"] == "Nieuwe hypothese"
    assert detail["areas"] == ["WK990101", "WK990103", "WK990104"]
    assert [d["decision"] for d in detail["decisions"]] == ["adjust", "scale"]

    stopped = client.post(url, json={"decision": "stop", "reason": "Geld op"}, headers=headers)
    assert stopped.status_code == 201
    after = client.post(url, json={"decision": "stop", "reason": "Nog eens"}, headers=headers)
    assert "decision" in _errors(after)
    session.commit()
    assert "decide:scale" in session.exec(select(AuditEntry.action)).all()


def _compared_experiment(client, session) -> tuple[int, dict]:
    """An experiment in Centrum against De Hoven on four months of verzuim, from
    September 2025: before, pilot 11 and comparison 10.5; during, 5.5 and 11.5."""
    login(client, session, "editor")
    session.commit()
    pilot = make_area(session, code="WK990101", name="Centrum")
    other = make_area(session, code="WK990102", name="De Hoven")
    indicator = make_indicator(
        session, slug="verzuim", name="Meldingen schoolverzuim", frequency="month"
    )
    values = []
    for month, (p, o) in enumerate([(10, 10), (12, 11), (6, 11), (5, 12)], start=7):
        period = parse_period(f"2025-{month:02d}", indicator.frequency)
        values += [ObservationInput(period, p, pilot), ObservationInput(period, o, other)]
    upsert_observations(session=session, indicator=indicator, items=values, source="test")
    session.commit()
    make_narrative(
        session, title="Sneller hulp op school", area_id=pilot.id, occurred_on=date(2025, 10, 1)
    )
    headers = bearer(session, "editor")
    created = client.post(
        "/api/v1/experiments",
        json=_experiment_body(
            areas=[pilot.code],
            comparison_areas=[other.code],
            indicators=[{"slug": "verzuim", "direction": "down"}],
        ),
        headers=headers,
    ).json()
    return created["id"], headers


def _chart_specs(html: str) -> list[dict]:
    return [
        json.loads(unescape(m))
        for m in re.findall(
            r'<script type="application/json" class="chart-spec"[^>]*>(.*?)</script>', html
        )
    ]


def test_the_experiment_page_compares_pilot_with_comparison(client, session):
    created = {"id": _compared_experiment(client, session)[0]}
    page = client.get(f"/experiments/{created['id']}")
    assert page.status_code == 200
    assert "Meldingen schoolverzuim" in page.text
    assert "Sneller hulp op school" in page.text
    # before: pilot 11, comparison 10.5; during: pilot 5.5, comparison 11.5
    assert "bewoog de pilot gemiddeld -5,5 en de vergelijking 1." in page.text

    token = csrf(client, f"/experiments/{created['id']}")
    refused = client.post(
        f"/experiments/{created['id']}",
        data={"csrf_token": token, "do": "decide", "decision": "stop", "reason": ""},
    )
    assert refused.status_code == 422


def test_the_experiment_page_draws_pilot_against_comparison_with_its_period_shaded(client, session):
    experiment_id, _ = _compared_experiment(client, session)
    page = client.get(f"/experiments/{experiment_id}")
    (spec,) = _chart_specs(page.text)
    series = spec["datasets"]["series"]
    assert [(row["period"], row["side"], row["value"]) for row in series[:4]] == [
        ("2025-07-01", "pilot", 10),
        ("2025-07-01", "comparison", 10),
        ("2025-08-01", "pilot", 12),
        ("2025-08-01", "comparison", 11),
    ]
    (running,) = spec["datasets"]["running"]
    assert running["start"] == "2025-09-01"
    assert running["end"] == "2025-10-01"  # running still, drawn up to the last values
    # Dutch on a Dutch page: locale, tooltips, legend, the sentence as its name
    assert spec["config"]["locale"]["time"]["shortMonths"][2] == "mrt"
    assert series[0]["tip"] == {"Periode": "juli 2025", "Pilotwijken": "10"}
    assert "Meldingen schoolverzuim: Sinds de start bewoog de pilot" in spec["description"]
    for label in ("pilotwijken (gemiddelde)", "vergelijkingswijken (gemiddelde)"):
        assert label in page.text
    assert f"/experiments/{experiment_id}/chart.svg?indicator=verzuim" in page.text

    english = _chart_specs(client.get(f"/experiments/{experiment_id}?lang=en").text)[0]
    assert english["datasets"]["series"][0]["tip"] == {
        "Period": "July 2025",
        "Pilot districts": "10",
    }

    svg = client.get(f"/experiments/{experiment_id}/chart.svg?indicator=verzuim&lang=nl")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert re.findall(r"<text[^>]*>([a-z]{3} 2025)</text>", svg.text) == [
        "jul 2025",
        "aug 2025",
        "sep 2025",
        "okt 2025",
    ]
    missing = client.get(f"/experiments/{experiment_id}/chart.svg?indicator=nope")
    assert missing.status_code == 404
    assert "volgt het cijfer nope niet" in missing.text


def test_a_stopped_experiment_shades_only_until_it_was_stopped(client, session):
    experiment_id, headers = _compared_experiment(client, session)
    stopped = client.post(
        f"/api/v1/experiments/{experiment_id}/decisions",
        json={"decision": "stop", "reason": "Geen effect", "decided_on": "2025-09-20"},
        headers=headers,
    )
    assert stopped.status_code == 201, stopped.text
    (spec,) = _chart_specs(client.get(f"/experiments/{experiment_id}").text)
    assert spec["datasets"]["running"][0]["end"] == "2025-09-20"


def test_the_portfolio_marks_overdue_reviews_and_theme_limits(client, session):
    login(client, session, "viewer")
    session.commit()
    theme = make_theme(session, slug="jeugd", name="Jeugd")
    make_theme(session, slug="schulden", name="Schulden")  # a theme without experiments
    make_area(session, code="WK990101")
    session.add(PortfolioLimit(theme_id=theme.id, max_running=1))
    session.commit()
    headers = bearer(session, "editor")
    for title in ("Eerste pilot", "Tweede pilot"):
        client.post(
            "/api/v1/experiments",
            json=_experiment_body(
                title=title,
                areas=["WK990101"],
                themes=["jeugd"],
                prepared_for_success="Team Jeugd",
                status="running",
            ),
            headers=headers,
        )
    page = client.get("/experiments")
    assert page.status_code == 200
    assert "Eerste pilot" in page.text and "Tweede pilot" in page.text
    assert page.text.count("evaluatie te laat") >= 2
    assert "Jeugd draait 2 experimenten tegelijk" in page.text
    assert "Eerste pilot" not in client.get("/experiments?theme=schulden").text


def test_viewers_read_and_only_editors_write(client, session):
    viewer = bearer(session, "viewer")
    assert client.get("/api/v1/experiments", headers=viewer).json() == {"items": [], "total": 0}
    assert (
        client.post(
            "/api/v1/ideas", json={"title": "x", "description": "y"}, headers=viewer
        ).status_code
        == 403
    )
    assert client.get("/api/v1/ideas").status_code == 401
    missing = client.get("/api/v1/experiments/999", headers=viewer)
    assert missing.status_code == 404 and isinstance(missing.json()["detail"], str)


def test_the_half_year_report_says_what_was_tried_and_why_it_was_decided(client, session):
    login(client, session, "viewer")
    session.commit()
    make_theme(session, slug="jeugd", name="Jeugd")
    make_area(session, code="WK990101", name="Noorderpark")
    make_area(session, code="WK990102", name="Molenwijk")
    headers = bearer(session, "editor")
    created = client.post(
        "/api/v1/experiments",
        json=_experiment_body(
            title="Lichte hulp via school",
            areas=["WK990101"],
            themes=["jeugd"],
            prepared_for_success="Wijkteam",
            status="running",
        ),
        headers=headers,
    ).json()
    client.post(
        f"/api/v1/experiments/{created['id']}/decisions",
        json={
            "decision": "scale",
            "reason": "Ouders en scholen willen door.",
            "areas": ["WK990102"],
            "decided_on": "2026-02-03",
        },
        headers=headers,
    )
    started = client.get("/reports/2025-H2")
    assert "Lichte hulp via school" in started.text
    decided = client.get("/reports/2026-H1")
    assert "Ouders en scholen willen door." in decided.text and "Molenwijk" in decided.text
    assert "Lichte hulp via school" not in client.get("/reports/2025-H1").text
    markdown = client.get("/reports/2026-H1.md")
    assert markdown.status_code == 200 and "Ouders en scholen willen door." in markdown.text


def test_a_revoked_invite_link_no_longer_opens_the_idea_form_or_the_partner_page(client, session):
    partner = create_partner(session=session, name="Voedselbank")
    invite = create_invite(session=session, partner=partner, expires_at=None)
    invite.revoked_at = utcnow()
    session.add(invite)
    session.commit()
    token = invite_token(invite)
    assert client.get(f"/ideas/new?invite={token}").status_code == 410
    gone = client.get(f"/ideas/mine?invite={token}")
    assert gone.status_code == 410 and "ingetrokken of verlopen" in gone.text


def test_decisions_appear_on_the_timeline_and_the_figure_page_of_their_districts(client, session):
    login(client, session, "viewer")
    session.commit()
    make_area(session, code="WK990101", name="Noorderpark")
    elsewhere = make_area(session, code="WK990105", name="Esch")
    make_indicator(session, slug="verzuim", name="Meldingen schoolverzuim", frequency="month")
    headers = bearer(session, "editor")
    created = client.post(
        "/api/v1/experiments",
        json=_experiment_body(
            title="Lichte hulp via school",
            areas=["WK990101"],
            indicators=[{"slug": "verzuim", "direction": "down"}],
            prepared_for_success="Wijkteam",
            status="running",
        ),
        headers=headers,
    ).json()
    client.post(
        f"/api/v1/experiments/{created['id']}/decisions",
        json={"decision": "stop", "reason": "Geen effect", "decided_on": "2026-01-15"},
        headers=headers,
    )
    timeline = client.get("/timeline?indicator=verzuim").text
    assert "Besluit over experiment" in timeline and "Lichte hulp via school" in timeline
    other = client.get(f"/timeline?indicator=verzuim&area={elsewhere.code}").text
    assert "Besluit over experiment" not in other
    page = client.get("/indicators/verzuim").text
    assert "Experimenten die dit cijfer willen laten bewegen" in page
    assert "stoppen 15 jan 2026: Geen effect" in page


def test_an_admin_sets_the_criteria_and_the_theme_limits(client, session):
    login(client, session, "admin")
    session.commit()
    theme = make_theme(session, slug="schulden", name="Schulden")
    token = csrf(client, "/experiments/settings")
    added = client.post(
        "/experiments/settings",
        data={"csrf_token": token, "name": "Kosten", "description": "5 = goedkoop", "active": "on"},
        follow_redirects=False,
    )
    assert added.status_code == 303
    twice = client.post("/experiments/settings", data={"csrf_token": token, "name": "Kosten"})
    assert twice.status_code == 422 and "Er is al een criterium met de naam Kosten." in twice.text
    limit = f"limit-{theme.id}"
    limits = {"csrf_token": token, "do": "limits"}
    bad = client.post("/experiments/settings", data={**limits, limit: "0"})
    assert bad.status_code == 422 and "heel getal van 1 tot 100" in bad.text
    client.post("/experiments/settings", data={"csrf_token": token, "do": "limits", limit: "3"})
    session.commit()
    assert session.get(PortfolioLimit, theme.id).max_running == 3
    assert session.exec(select(WeighingCriterion.name)).all() == ["Kosten"]
    client.post("/experiments/settings", data={"csrf_token": token, "do": "limits", limit: ""})
    session.commit()
    assert session.get(PortfolioLimit, theme.id) is None


def test_the_ideas_list_gives_each_idea_its_own_themes_areas_and_steps(client, session):
    headers = bearer(session, "editor")
    make_theme(session, slug="jeugd")
    make_theme(session, slug="schulden")
    make_area(session, code="WK990101")
    first = _idea(client, headers, title="Eerste", themes=["jeugd"], areas=["WK990101"])
    _idea(client, headers, title="Tweede", themes=["schulden"])
    client.patch(
        f"/api/v1/ideas/{first['id']}", json={"state": "parked", "reason": "Later"}, headers=headers
    )
    items = {i["title"]: i for i in client.get("/api/v1/ideas", headers=headers).json()["items"]}
    assert (items["Eerste"]["themes"], items["Eerste"]["areas"]) == (["jeugd"], ["WK990101"])
    assert (items["Tweede"]["themes"], items["Tweede"]["areas"]) == (["schulden"], [])
    assert [s["state"] for s in items["Eerste"]["steps"]] == ["proposed", "parked"]
    assert [s["state"] for s in items["Tweede"]["steps"]] == ["proposed"]


def test_the_experiments_list_gives_each_experiment_its_own_districts_and_decisions(
    client, session
):
    headers = bearer(session, "editor")
    for n in (1, 2, 3):
        make_area(session, code=f"WK99010{n}")
    first = client.post(
        "/api/v1/experiments",
        json=_experiment_body(title="Een", areas=["WK990101"]),
        headers=headers,
    ).json()
    client.post(
        "/api/v1/experiments",
        json=_experiment_body(title="Twee", areas=["WK990102"], comparison_areas=["WK990103"]),
        headers=headers,
    )
    client.post(
        f"/api/v1/experiments/{first['id']}/decisions",
        json={"decision": "stop", "reason": "Klaar"},
        headers=headers,
    )
    listed = client.get("/api/v1/experiments", headers=headers).json()["items"]
    items = {i["title"]: i for i in listed}
    assert (items["Een"]["areas"], items["Een"]["comparison_areas"]) == (["WK990101"], [])
    assert (items["Twee"]["areas"], items["Twee"]["comparison_areas"]) == (
        ["WK990102"],
        ["WK990103"],
    )
    assert [d["decision"] for d in items["Een"]["decisions"]] == ["stop"]
    assert items["Twee"]["decisions"] == []
