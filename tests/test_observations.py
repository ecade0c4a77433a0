"""Observations: upsert by indicator, area and period; revisions; values as known on D."""

import math
from datetime import date, timedelta

import pytest
from sqlmodel import func, select

from app.figures.observations import (
    ObservationInput,
    UpsertResult,
    known_values,
    series,
    upsert_observations,
)
from app.figures.periods import parse_period
from app.models import AuditEntry, Frequency, Observation, ObservationRevision, utcnow
from tests.factories import make_area, make_indicator, make_user


def items(*pairs, area=None):
    return [ObservationInput(parse_period(p), v, area) for p, v in pairs]


def count(session, model):
    return session.exec(select(func.count()).select_from(model)).one()


def test_upsert_inserts_updates_and_keeps_old_values(session):
    indicator = make_indicator(session, frequency=Frequency.month)
    user = make_user(session)
    first = upsert_observations(
        session=session,
        indicator=indicator,
        items=items(("2024-01", 10.0), ("2024-02", 11.0)),
        source="a.csv",
    )
    session.commit()
    assert first == UpsertResult(inserted=2)
    second = upsert_observations(
        session=session,
        indicator=indicator,
        items=items(("2024-01", 10.0), ("2024-02", 12.5), ("2024-03", 9.0)),
        source="api",
        user=user,
    )
    session.commit()
    assert second == UpsertResult(inserted=1, updated=1, unchanged=1)
    assert series(session=session, indicator=indicator) == [
        (date(2024, 1, 1), 10.0),
        (date(2024, 2, 1), 12.5),
        (date(2024, 3, 1), 9.0),
    ]
    revision = session.exec(select(ObservationRevision)).one()
    assert (revision.value, revision.source, revision.recorded_by_id) == (11.0, "a.csv", None)
    changed = session.exec(select(Observation).where(Observation.value == 12.5)).one()
    assert (changed.source, changed.recorded_by_id) == ("api", user.id)
    assert revision.superseded_at == changed.recorded_at
    audits = session.exec(select(AuditEntry).where(AuditEntry.entity == "observation")).all()
    assert [a.detail for a in audits] == [
        {"source": "a.csv", "inserted": 2, "updated": 0},
        {"source": "api", "inserted": 1, "updated": 1},
    ]


def test_unchanged_values_write_nothing(session):
    indicator = make_indicator(session, frequency=Frequency.year)
    upsert_observations(
        session=session, indicator=indicator, items=items(("2023", 1.0)), source="x"
    )
    session.commit()
    before = count(session, AuditEntry)
    result = upsert_observations(
        session=session, indicator=indicator, items=items(("2023", 1.0)), source="y"
    )
    session.commit()
    assert result == UpsertResult(unchanged=1)
    assert count(session, AuditEntry) == before
    assert session.exec(select(Observation.source)).all() == ["x"]


def test_areas_and_municipality_are_separate_series(session):
    indicator = make_indicator(session, frequency=Frequency.quarter)
    north, south = make_area(session, code="WK019301"), make_area(session, code="WK019302")
    upsert_observations(
        session=session,
        indicator=indicator,
        items=items(("2024-Q1", 5.0))
        + items(("2024-Q1", 2.0), area=north)
        + items(("2024-Q1", 3.0), area=south),
        source="x",
    )
    session.commit()
    assert series(session=session, indicator=indicator) == [(date(2024, 1, 1), 5.0)]
    assert series(session=session, indicator=indicator, area=north) == [(date(2024, 1, 1), 2.0)]
    everything = known_values(session=session, indicator=indicator, all_areas=True)
    assert [(row.area, row.value) for row in everything] == [
        (None, 5.0),
        ("WK019301", 2.0),
        ("WK019302", 3.0),
    ]


def test_series_filters_by_period_range(session):
    indicator = make_indicator(session, frequency=Frequency.month)
    upsert_observations(
        session=session,
        indicator=indicator,
        items=items(("2024-01", 1.0), ("2024-02", 2.0), ("2024-03", 3.0)),
        source="x",
    )
    session.commit()
    assert series(
        session=session, indicator=indicator, start=date(2024, 2, 1), end=date(2024, 2, 1)
    ) == [(date(2024, 2, 1), 2.0)]


def test_series_as_of_returns_values_known_then(session):
    indicator = make_indicator(session, frequency=Frequency.month)
    upsert_observations(
        session=session, indicator=indicator, items=items(("2024-01", 1.0)), source="x"
    )
    session.commit()
    after_first = utcnow()
    upsert_observations(
        session=session,
        indicator=indicator,
        items=items(("2024-01", 7.0), ("2024-02", 2.0)),
        source="x",
    )
    session.commit()
    after_second = utcnow()
    upsert_observations(
        session=session, indicator=indicator, items=items(("2024-01", 8.0)), source="x"
    )
    session.commit()
    jan, feb = date(2024, 1, 1), date(2024, 2, 1)
    assert series(session=session, indicator=indicator, as_of=after_first) == [(jan, 1.0)]
    assert series(session=session, indicator=indicator, as_of=after_second) == [
        (jan, 7.0),
        (feb, 2.0),
    ]
    assert series(session=session, indicator=indicator) == [(jan, 8.0), (feb, 2.0)]
    long_ago = after_first - timedelta(days=1)
    assert series(session=session, indicator=indicator, as_of=long_ago) == []


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([("2024-01", math.nan)], "value nan for 2024-01 is not a finite number"),
        ([("2024-01", 1.0), ("2024-01", 2.0)], "2024-01 appears twice for the same area"),
        ([("2024", 1.0)], "2024 is not of frequency month"),
    ],
)
def test_upsert_refuses_bad_items(session, values, message):
    indicator = make_indicator(session, frequency=Frequency.month)
    with pytest.raises(ValueError, match=message):
        upsert_observations(session=session, indicator=indicator, items=items(*values), source="x")
    session.rollback()
    assert count(session, Observation) == 0
