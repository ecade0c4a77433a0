"""``from``/``to`` filters: each bound is a whole period, the same in every API."""

import re
from datetime import date

import pytest

from app.figures.periods import period_range
from app.models import NarrativeIndicator, Observation
from app.problems import Invalid
from tests.factories import bearer, make_indicator, make_narrative


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2024-03", "2024-03", (date(2024, 3, 1), date(2024, 3, 31))),
        ("2024-02", "2024-02", (date(2024, 2, 1), date(2024, 2, 29))),
        ("2024", "2024", (date(2024, 1, 1), date(2024, 12, 31))),
        ("2024-Q2", "2024-H2", (date(2024, 4, 1), date(2024, 12, 31))),
        ("2024-W05", "2024-03-15", (date(2024, 1, 29), date(2024, 3, 15))),
        (None, "2024-03", (None, date(2024, 3, 31))),
        ("", None, (None, None)),
    ],
)
def test_to_includes_the_whole_period(start, end, expected):
    assert period_range(start, end) == expected


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2024-13", None, "from: '2024-13' has no month 13"),
        (None, "gisteren", "to: 'gisteren' is not a period"),
        ("2025", "2024", "from: '2025' lies after 'to' (2024)"),
    ],
)
def test_bad_bounds_name_the_parameter(start, end, message):
    with pytest.raises(Invalid) as raised:
        period_range(start, end)
    assert str(raised.value).startswith(message)


@pytest.fixture
def march(session, settings):
    """A monthly indicator with values Jan-Jun 2024 and a story told on 31 March 2024."""
    settings(public_read=True)
    indicator = make_indicator(session, slug="meldingen", frequency="month")
    for month in range(1, 7):
        session.add(
            Observation(indicator_id=indicator.id, period_start=date(2024, month, 1), value=20)
        )
    story = make_narrative(
        session, title="Eind maart", occurred_on=date(2024, 3, 31), consent_reach="public"
    )
    session.add(NarrativeIndicator(narrative_id=story.id, indicator_id=indicator.id))
    session.commit()
    return story


def test_every_api_to_filter_includes_the_last_day_of_its_period(client, session, march):
    headers = bearer(session, role="viewer")
    stories = client.get("/api/v1/narratives?from=2024-03&to=2024-03", headers=headers).json()
    assert [s["title"] for s in stories["items"]] == ["Eind maart"]
    assert client.get("/api/v1/narratives?to=2024-Q1", headers=headers).json()["total"] == 1
    assert client.get("/api/v1/narratives?to=2024-02", headers=headers).json()["total"] == 0
    timeline = client.get("/api/v1/timeline?indicator=meldingen&from=2024-03&to=2024-03").json()
    assert [i["title"] for i in timeline["items"]] == ["Eind maart"]
    assert [p["period"] for p in timeline["indicators"][0]["points"]] == ["2024-03"]
    values = client.get("/api/v1/indicators/meldingen/observations?to=2024-Q1").json()
    assert [v["period"] for v in values["items"]] == ["2024-01", "2024-02", "2024-03"]
    csv = client.get("/api/v1/indicators/meldingen/observations.csv?from=2024-03&to=2024-03")
    assert csv.text.splitlines()[1:] == ["meldingen,2024-03,,20.0"]
    page = client.get("/indicators/meldingen?from=2024-02&to=2024-03").text
    rows = re.findall(r'<tr id="period-(\d{4}-\d\d)">', page)
    assert '<th scope="row">februari 2024</th>' in page  # the period in words
    assert rows == ["2024-02", "2024-03"] and "Eind maart" in page


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/narratives",
        "/api/v1/timeline",
        "/api/v1/indicators/meldingen/observations",
        "/api/v1/indicators/meldingen/observations.csv",
    ],
)
def test_every_api_refuses_a_bad_range_with_the_same_message(client, march, url):
    bad = client.get(f"{url}?to=2024-13")
    assert (bad.status_code, bad.json()) == (
        422,
        {
            "detail": [
                {"loc": ["query", "to"], "msg": "'2024-13' has no month 13", "type": "value_error"}
            ]
        },
    )
    backwards = client.get(f"{url}?from=2024-06&to=2024-03")
    assert backwards.status_code == 422
    assert backwards.json()["detail"] == [
        {
            "loc": ["query", "from"],
            "msg": "'2024-06' lies after 'to' (2024-03)",
            "type": "value_error",
        }
    ]
