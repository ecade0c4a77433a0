"""Rebasing by a person: where a shift or trend has lasted 12+ points in one segment the
indicator page offers editors to compute usual variation again from where it began, with
a required reason; it becomes an audited break and the limits step there. Never automatic."""

from dataclasses import replace
from datetime import date

from sqlmodel import select

from app.figures.explained import signal_runs
from app.figures.rebase import LASTING, rebase_offers
from app.figures.signals import compute_signals
from app.models import AuditEntry, Direction, Frequency, IndicatorBreak, Observation
from tests.factories import bearer, csrf, login, make_indicator

# 12 months around 10, then 14 months around 20: on all points the mean is about 15, so
# both halves are runs on one side of it; the second began in January 2025.
VALUES = [10.0, 11.0] * 6 + [20.0, 21.0] * 7


def months(count: int) -> list[date]:
    return [date(2024 + i // 12, 1 + i % 12, 1) for i in range(count)]


def runs_of(values, breaks=()):
    points = compute_signals(
        list(zip(months(len(values)), values, strict=True)),
        direction=Direction.down,
        breaks=breaks,
    )
    return signal_runs(points, Frequency.month, indicator_id=1)


def test_offers_only_where_a_shift_or_trend_has_lasted_in_one_segment():
    runs = runs_of(VALUES)
    assert [(run.first.label, len(run.periods)) for run in runs] == [
        ("2024-01", 12),
        ("2025-01", 14),
    ]
    # the first run begins where the series does: nothing to start anew there
    offers = rebase_offers(runs, [date(2024, 1, 1)])
    assert [offer.period.label for offer in offers] == ["2025-01"]
    # shorter than a year: a signal to explain, not (yet) a new normal
    short = runs_of([10.0, 11.0] * 6 + [20.0, 21.0] * 5 + [20.0])
    assert [len(r.periods) for r in short if len(r.periods) >= LASTING] == [12]
    assert rebase_offers(short, [date(2024, 1, 1)]) == []
    # a break already there: no offer
    assert rebase_offers(runs, [date(2024, 1, 1), date(2025, 1, 1)]) == []
    # outside the limits only, however long: no lasting rule
    lone = [replace(run, rules=("outside_limits",)) for run in runs]
    assert rebase_offers(lone, []) == []


def seeded(session):
    indicator = make_indicator(
        session, slug="wachttijd", frequency=Frequency.month, direction=Direction.down
    )
    session.add_all(
        Observation(indicator_id=indicator.id, period_start=day, value=value)
        for day, value in zip(months(len(VALUES)), VALUES, strict=True)
    )
    session.commit()
    return indicator


def post(client, **data):
    return client.post(
        "/indicators/wachttijd/rebase",
        data={"csrf_token": csrf(client, "/indicators/wachttijd"), **data},
        follow_redirects=False,
    )


def breaks(session):
    session.rollback()
    return session.exec(select(IndicatorBreak.starts_on, IndicatorBreak.note)).all()


def test_editor_rebases_with_a_reason_and_the_limits_step_there(client, session):
    seeded(session)
    login(client, session, "editor")
    page = client.get("/indicators/wachttijd").text
    assert "Bereken de gewone variatie opnieuw vanaf januari 2025" in page
    assert "Sinds januari 2025: 14 perioden op rij buiten de gewone variatie." in page

    answer = post(client, period="2025-01", reason="Nieuwe werkwijze overal gestart")
    assert answer.status_code == 303
    assert breaks(session) == [(date(2025, 1, 1), "Nieuwe werkwijze overal gestart")]
    audited = session.exec(select(AuditEntry).where(AuditEntry.action == "rebase")).one()
    assert audited.entity_id == "wachttijd"
    assert audited.detail == {"period": "2025-01", "reason": "Nieuwe werkwijze overal gestart"}

    page = client.get("/indicators/wachttijd").text
    assert "Bereken de gewone variatie opnieuw" not in page
    assert "breuk" in page
    points = client.get(
        "/api/v1/indicators/wachttijd/signals", headers=bearer(session, "viewer")
    ).json()["points"]
    # a step, not a slope: one mean before the break, another from it on
    assert {p["mean"] for p in points[:12]} == {10.5}
    assert {p["mean"] for p in points[12:]} == {20.5}
    assert {p["signal"] for p in points} == {"common"}


def test_bad_rebases_say_why_in_dutch_and_store_nothing(client, session):
    seeded(session)
    login(client, session, "editor")
    no_reason = post(client, period="2025-01", reason="   ")
    assert no_reason.status_code == 422
    assert (
        "Zeg waarom de gewone variatie vanaf deze periode opnieuw berekend moet worden."
        in no_reason.text
    )
    assert "Er is niets veranderd." in no_reason.text
    no_data = post(client, period="2030-01", reason="Zomaar")
    assert no_data.status_code == 422
    assert "Er is geen waarde voor 2030-01; kies een periode met gegevens." in no_data.text
    nonsense = post(client, period="januari", reason="Zomaar")
    assert nonsense.status_code == 422
    assert breaks(session) == []
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "rebase")).all() == []
    assert post(client, period="2025-01", reason="Echt").status_code == 303
    twice = post(client, period="2025-01", reason="Nog eens")
    assert twice.status_code == 422 and "al opnieuw berekend vanaf 2025-01" in twice.text
    assert len(breaks(session)) == 1


def test_only_editors_are_offered_or_may_rebase(client, session):
    seeded(session)
    login(client, session, "viewer")
    assert "Bereken de gewone variatie opnieuw" not in client.get("/indicators/wachttijd").text
    assert post(client, period="2025-01", reason="Zomaar").status_code == 403
    assert breaks(session) == []
