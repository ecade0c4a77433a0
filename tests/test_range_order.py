"""A range given backwards (``from`` after ``to``, an axis whose end comes before its
start) is refused at its field wherever a range is given: the API's 422 in its one
shape, a page's message beside the field (Dutch, or English with ?lang=en), the chart's
422; never a 500, an empty answer or time drawn backwards. A day filter that is no day
or lies outside the years says so at its field too (the values page)."""

from datetime import date
from html import unescape

import pytest

from app.models import ContextEvent, Frequency
from tests.factories import bearer, login, make_indicator

AFTER = "'2024-05' lies after 'to' (2020-01)"
AFTER_NL = "'2024-05' ligt na 'tot' (2020-01)"


@pytest.fixture
def viewer(client, session):
    """A figure and a development, and a viewer logged in."""
    make_indicator(session, slug="wachttijd", frequency=Frequency.month)
    session.add(ContextEvent(title="Coronapandemie", starts_on=date(2020, 3, 1)))
    session.commit()
    login(client, session, "viewer")
    session.rollback()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/indicators/wachttijd/observations",
        "/api/v1/indicators/wachttijd/observations.csv",
        "/api/v1/narratives",
        "/api/v1/timeline",
        "/api/v1/context-events",
    ],
)
def test_the_api_refuses_a_range_backwards_at_from(client, session, path):
    make_indicator(session, slug="wachttijd", frequency=Frequency.month)
    headers = bearer(session, "viewer")
    session.commit()
    answer = client.get(path, params={"from": "2024-05", "to": "2020-01"}, headers=headers)
    assert answer.status_code == 422, answer.text
    assert answer.json() == {
        "detail": [{"loc": ["query", "from"], "msg": AFTER, "type": "value_error"}]
    }


@pytest.mark.parametrize(
    ("path", "names"),
    [
        ("/indicators/wachttijd", ("from", "to")),
        ("/timeline", ("from", "to")),
        ("/context", ("from", "to")),
        ("/search", ("day_from", "day_to")),
        ("/sessions", ("start", "end")),
    ],
)
def test_pages_say_a_range_backwards_at_its_field(client, viewer, path, names):
    first, last = names
    page = client.get(path, params={first: "2024-05", last: "2020-01", "q": "x"})
    assert page.status_code == 422, page.text[-2000:]
    assert AFTER_NL in unescape(page.text)
    assert 'value="2024-05"' in page.text and 'value="2020-01"' in page.text  # kept as typed
    english = client.get(path, params={first: "2024-05", last: "2020-01", "lang": "en"})
    assert AFTER in unescape(english.text)


def test_the_chart_refuses_an_axis_backwards(client, viewer):
    chart = client.get(
        "/indicators/wachttijd/chart.svg", params={"axis": "2024-01-01/2020-01-01", "lang": "en"}
    )
    assert chart.status_code == 422, chart.text[:300]
    assert "The end (2020-01-01) lies before the start (2024-01-01)." in unescape(chart.text)
    dutch = client.get(
        "/indicators/wachttijd/chart.svg", params={"axis": "2024-01-01/2020-01-01", "lang": "nl"}
    )
    assert "Het einde (2020-01-01) ligt vóór het begin (2024-01-01)." in unescape(dutch.text)
    reversed_range = client.get(
        "/indicators/wachttijd/chart.svg", params={"from": "2024-05", "to": "2020-01"}
    )
    assert reversed_range.status_code == 422
    one_day = client.get(
        "/indicators/wachttijd/chart.svg", params={"axis": "2024-01-01/2024-01-01"}
    )
    assert one_day.status_code == 200


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("9999-12-31", "'9999-12-31' ligt buiten de jaren 1900 tot en met 2100"),
        ("0000-01-01", "'0000-01-01' ligt buiten de jaren 1900 tot en met 2100"),
        ("1899-12-31", "'1899-12-31' ligt buiten de jaren 1900 tot en met 2100"),
        ("2024-02-30", "'2024-02-30' is geen bestaande datum"),
        ("gisteren", "Vul een datum in als JJJJ-MM-DD."),
    ],
)
def test_the_values_page_says_a_bad_day_at_its_field(client, viewer, text, message):
    page = client.get("/indicators/wachttijd/values", params={"as_of": text})
    assert page.status_code == 422
    shown = unescape(page.text)
    assert message in shown, shown[-1500:]
    assert f'value="{text}"' in page.text  # what was typed stays in its field
    assert "Waarden van" in shown  # the page itself, not an error page


def test_the_values_page_reads_a_day_at_the_edges_of_the_years(client, viewer):
    for day in ("1900-01-01", "2100-12-31", ""):
        assert client.get("/indicators/wachttijd/values", params={"as_of": day}).status_code == 200
