"""The values page: an indicator's figures now, or as they were known at the end of a day."""

from datetime import UTC, datetime

from sqlmodel import select

from app.figures.observations import ObservationInput, upsert_observations
from app.figures.periods import parse_period
from app.models import Frequency, Observation, ObservationRevision
from tests.factories import login, make_area, make_indicator


def _history(session):
    """Values for Jan and Feb 2024 recorded on 1 March; Feb changed on 1 May."""
    indicator = make_indicator(session, slug="wmo", name="Wmo-cliënten", frequency=Frequency.month)
    area = make_area(session, code="WK019301", name="Centrum")
    first = [
        ObservationInput(parse_period("2024-01"), 120.0),
        ObservationInput(parse_period("2024-02"), 130.0),
        ObservationInput(parse_period("2024-02"), 3.0, area),
    ]
    upsert_observations(session=session, indicator=indicator, items=first, source="maart.csv")
    session.commit()
    upsert_observations(
        session=session,
        indicator=indicator,
        items=[ObservationInput(parse_period("2024-02"), 135.5)],
        source="mei.csv",
    )
    session.commit()
    # Pin the moments, as if the imports had happened on those days.
    march, may = datetime(2024, 3, 1, 9, tzinfo=UTC), datetime(2024, 5, 1, 9, tzinfo=UTC)
    for observation in session.exec(select(Observation)):
        observation.recorded_at = may if observation.value == 135.5 else march
        session.add(observation)
    revision = session.exec(select(ObservationRevision)).one()
    revision.recorded_at, revision.superseded_at = march, may
    session.add(revision)
    session.commit()


def rows(html: str) -> list[str]:
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return [" ".join(row.split()) for row in body.split("<tr>")[1:]]


def test_values_now_and_as_known_on_a_day(client, session):
    _history(session)
    login(client, session, "viewer")
    now = client.get("/indicators/wmo/values")
    assert now.status_code == 200
    assert rows(now.text)[:3] == [
        '<td>januari 2024</td><td>hele gemeente</td><td class="num">120</td>'
        "<td>1 mrt 2024</td></tr>",
        '<td>februari 2024</td><td>hele gemeente</td><td class="num">135,5</td>'
        "<td>1 mei 2024</td></tr>",
        '<td>februari 2024</td><td>Centrum</td><td class="num">3</td><td>1 mrt 2024</td></tr>',
    ]
    # The table names the area; its CBS code is only the filter's key.
    assert not any("WK019301" in row for row in rows(now.text))
    april = client.get("/indicators/wmo/values?as_of=2024-04-30")
    assert "De waarden zoals ze bekend waren aan het eind van 30 apr 2024." in april.text
    assert '<td>februari 2024</td><td>hele gemeente</td><td class="num">130</td>' in april.text
    assert "135,5" not in april.text
    assert 'href="/api/v1/indicators/wmo/observations.csv?as_of=2024-04-30T23%3A59' in april.text
    february = client.get("/indicators/wmo/values?as_of=2024-02-29&area=WK019301")
    assert "Toen waren er nog geen waarden bekend." in february.text
    one_area = client.get("/indicators/wmo/values?area=WK019301")
    assert len(rows(one_area.text)) == 1
    csv = client.get(
        "/api/v1/indicators/wmo/observations.csv?as_of=2024-04-30T23:59:59.999999%2B00:00"
    )
    assert csv.text.splitlines()[1:3] == ["wmo,2024-01,,120.0", "wmo,2024-02,,130.0"]


def test_bad_day_unknown_area_and_anonymous_readers(client, session, settings):
    _history(session)
    assert client.get("/indicators/wmo/values", follow_redirects=False).status_code == 303
    settings(public_read=True)
    public = client.get("/indicators/wmo/values")
    assert '<td>februari 2024</td><td>Centrum</td><td class="num">minder dan 5</td>' in public.text
    login(client, session, "viewer")
    assert client.get("/indicators/wmo/values?as_of=gisteren").status_code == 422
    assert client.get("/indicators/wmo/values?area=WK000000").status_code == 404
    assert client.get("/indicators/nope/values").status_code == 404
