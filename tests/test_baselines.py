"""Baselines: an indicator's limits fixed on the first points of each segment, set in the
editor's form and the API, refused (nothing stored) below 2 or above the number of points."""

from datetime import date

from sqlmodel import select

from app.models import AuditEntry, Indicator, Observation
from tests.factories import bearer, csrf, login, make_indicator


def with_points(session, count: int, **overrides) -> Indicator:
    indicator = make_indicator(session, frequency="month", direction="up", **overrides)
    # 1, 3, 1, 3, ... then two tens: on the first four the upper limit is 2 + 2.66 * 2
    values = [1.0, 3.0] * ((count - 2) // 2) + [10.0, 10.0]
    session.add_all(
        Observation(
            indicator_id=indicator.id,
            period_start=date(2024 + i // 12, 1 + i % 12, 1),
            value=value,
        )
        for i, value in enumerate(values)
    )
    session.commit()
    return indicator


def stored(session, slug: str) -> int | None:
    session.rollback()
    session.expire_all()
    return session.exec(select(Indicator.baseline_points).where(Indicator.slug == slug)).one()


def test_api_reads_sets_and_clears_the_baseline(client, session):
    indicator = with_points(session, 6, slug="wachttijd")
    headers = bearer(session, "editor")
    assert (
        client.get("/api/v1/indicators/wachttijd", headers=headers).json()["baseline_points"]
        is None
    )
    before = client.get("/api/v1/indicators/wachttijd/signals", headers=headers).json()
    assert {p["signal"] for p in before["points"]} == {"common"}

    answer = client.patch(
        "/api/v1/indicators/wachttijd", json={"baseline_points": 4}, headers=headers
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["baseline_points"] == 4
    assert stored(session, "wachttijd") == 4
    after = client.get("/api/v1/indicators/wachttijd/signals", headers=headers).json()
    assert [p["baseline"] for p in after["points"]] == [True] * 4 + [False] * 2
    assert [p["signal"] for p in after["points"]][4:] == ["improvement"] * 2
    assert round(after["points"][0]["upl"], 2) == 7.32

    # absent leaves it, null clears it
    client.patch("/api/v1/indicators/wachttijd", json={"name": "Wachttijd"}, headers=headers)
    assert stored(session, "wachttijd") == 4
    cleared = client.patch(
        "/api/v1/indicators/wachttijd", json={"baseline_points": None}, headers=headers
    )
    assert cleared.status_code == 200 and cleared.json()["baseline_points"] is None
    assert stored(session, "wachttijd") is None
    audited = session.exec(
        select(AuditEntry).where(
            AuditEntry.entity == "indicator", AuditEntry.entity_id == indicator.slug
        )
    ).all()
    assert any("baseline_points" in (entry.detail or {}).get("fields", []) for entry in audited)


def test_api_refuses_a_baseline_below_two_or_above_the_points(client, session):
    with_points(session, 6, slug="wachttijd", baseline_points=4)
    headers = bearer(session, "editor")
    for wanted in (1, 0, -3, 7, 10**12, "veel", 2.5):
        answer = client.patch(
            "/api/v1/indicators/wachttijd", json={"baseline_points": wanted}, headers=headers
        )
        assert answer.status_code == 422, (wanted, answer.text)
        detail = answer.json()["detail"]
        assert isinstance(detail, list) and detail[0]["loc"][-1] == "baseline_points"
        assert stored(session, "wachttijd") == 4
    too_many = client.patch(
        "/api/v1/indicators/wachttijd", json={"baseline_points": 7}, headers=headers
    ).json()
    assert "6 points" in too_many["detail"][0]["msg"]
    # a new indicator has no points yet: no baseline until it has
    created = client.post(
        "/api/v1/indicators",
        json={"slug": "nieuw", "name": "Nieuw", "baseline_points": 12},
        headers=headers,
    )
    assert created.status_code == 422
    assert session.exec(select(Indicator).where(Indicator.slug == "nieuw")).first() is None


def test_editor_sets_the_baseline_in_the_form_and_reads_a_dutch_message(client, session):
    with_points(session, 6, slug="wachttijd")
    login(client, session, "editor")
    form = client.get("/indicators/wachttijd/edit").text
    assert 'name="baseline_points"' in form and "Basisperiode" in form

    def post(value: str):
        return client.post(
            "/indicators/wachttijd/edit",
            data={
                "csrf_token": csrf(client, "/indicators/wachttijd/edit"),
                "name": "Wachttijd",
                "frequency": "month",
                "direction": "up",
                "baseline_points": value,
            },
            follow_redirects=False,
        )

    assert post("4").status_code == 303
    assert stored(session, "wachttijd") == 4
    assert 'value="4"' in client.get("/indicators/wachttijd/edit").text

    refused = post("9")
    assert refused.status_code == 422
    assert "meer dan dit cijfer heeft (6 punten)" in refused.text
    assert 'value="9"' in refused.text
    assert stored(session, "wachttijd") == 4
    for bad in ("1", "twaalf"):
        page = post(bad)
        assert page.status_code == 422
        assert "Vul een heel getal van minstens 2 in" in page.text
        assert stored(session, "wachttijd") == 4

    assert post("").status_code == 303
    assert stored(session, "wachttijd") is None
