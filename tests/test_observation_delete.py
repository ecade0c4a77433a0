"""DELETE /api/v1/indicators/{slug}/observations/{period}: an editor removes a value
entered by mistake; its history stays (as_of still shows it), the audit log says who."""

from datetime import date

import pytest
from sqlmodel import select

from app.models import AuditEntry, Observation, ObservationRemoved, ObservationRevision, utcnow
from tests.factories import bearer, make_area, make_indicator

URL = "/api/v1/indicators/bijstand/observations"


@pytest.fixture
def figure(client, session):
    make_indicator(session, slug="bijstand", frequency="month")
    make_area(session, code="WK019301", name="Noord")
    editor, viewer = bearer(session, role="editor"), bearer(session, role="viewer")
    session.rollback()
    values = [{"period": f"2024-0{m}", "value": 10.0 + m} for m in (1, 2, 3)]
    values.append({"period": "2024-02", "value": 7.0, "area": "WK019301"})
    assert client.post(URL, json=values, headers=editor).status_code == 200
    changed = client.post(URL, json=[{"period": "2024-02", "value": 99.0}], headers=editor)
    assert changed.json()["updated"] == 1
    return editor, viewer


def _listed(client, headers, **query) -> list[tuple]:
    items = client.get(URL, params=query, headers=headers).json()["items"]
    return [(item["period"], item["area"], item["value"]) for item in items]


def test_an_editor_deletes_a_value_and_its_history_stays(client, session, figure):
    editor, viewer = figure
    before = utcnow().isoformat()
    session.rollback()

    deleted = client.delete(f"{URL}/2024-02", headers=editor)

    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["period"] == "2024-02" and deleted.json()["value"] == 99.0
    assert deleted.json()["area"] is None
    assert _listed(client, viewer) == [
        ("2024-01", None, 11.0), ("2024-02", "WK019301", 7.0), ("2024-03", None, 13.0),
    ]  # fmt: skip
    # As known before the deletion, the value (and its earlier one) are still there.
    assert ("2024-02", None, 99.0) in _listed(client, viewer, as_of=before)
    session.rollback()
    first = session.exec(select(ObservationRemoved).order_by(ObservationRemoved.id)).first()
    assert first.value == 12.0
    assert ("2024-02", None, 12.0) in _listed(client, viewer, as_of=first.recorded_at.isoformat())
    assert session.exec(select(ObservationRevision)).all() == []  # moved, not lost
    assert len(session.exec(select(ObservationRemoved)).all()) == 2
    entry = session.exec(
        select(AuditEntry).where(AuditEntry.entity == "observation", AuditEntry.action == "delete")
    ).one()
    assert entry.entity_id == "bijstand" and entry.user_id is not None
    assert entry.detail["period"] == "2024-02" and entry.detail["value"] == 99.0
    # Gone is gone: a second delete finds nothing; a new value can be entered again.
    again = client.delete(f"{URL}/2024-02", headers=editor)
    assert again.status_code == 404
    assert again.json() == {
        "detail": "bijstand has no value for 2024-02 in the whole municipality."
    }
    assert (
        client.post(URL, json=[{"period": "2024-02", "value": 12.0}], headers=editor).json()[
            "inserted"
        ]
        == 1
    )


def test_a_district_value_is_deleted_by_its_area_code(client, session, figure):
    editor, viewer = figure
    deleted = client.delete(f"{URL}/2024-02", params={"area": "WK019301"}, headers=editor)
    assert deleted.status_code == 200 and deleted.json()["area"] == "WK019301"
    assert ("2024-02", None, 99.0) in _listed(client, viewer)
    assert ("2024-02", "WK019301", 7.0) not in _listed(client, viewer)


def test_only_editors_delete_and_bad_input_is_a_4xx(client, session, figure):
    editor, viewer = figure
    assert client.delete(f"{URL}/2024-02", headers=viewer).status_code == 403
    assert client.delete(f"{URL}/2024-02").status_code in (401, 403)
    for path, params, status, loc in (
        ("2024-Q1", None, 422, ["path", "period"]),
        ("gisteren", None, 422, ["path", "period"]),
        ("2024-02", {"area": "WK999"}, 422, ["query", "area"]),
    ):
        response = client.delete(f"{URL}/{path}", params=params, headers=editor)
        assert response.status_code == status, response.text
        assert response.json()["detail"][0]["loc"] == loc
    assert (
        client.delete(
            "/api/v1/indicators/onbekend/observations/2024-02", headers=editor
        ).status_code
        == 404
    )
    session.rollback()
    assert len(session.exec(select(Observation)).all()) == 4


def test_a_value_stored_before_the_year_bound_can_be_deleted(client, session, figure):
    """9999-12 could be entered before periods were bounded; the pages it broke work
    again once the editor deletes it."""
    editor, viewer = figure
    session.rollback()
    indicator_id = session.exec(select(Observation.indicator_id)).first()
    session.add(Observation(indicator_id=indicator_id, period_start=date(9999, 12, 1), value=5))
    session.commit()
    assert ("9999-12", None, 5.0) in _listed(client, viewer)
    deleted = client.delete(f"{URL}/9999-12", headers=editor)
    assert deleted.status_code == 200, deleted.text
    assert all(period != "9999-12" for period, _, _ in _listed(client, viewer))
    assert client.get("/api/v1/indicators/bijstand/signals", headers=viewer).status_code == 200
