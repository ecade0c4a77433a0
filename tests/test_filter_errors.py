"""A bad filter on an HTML page is a mistake in a form: the page itself comes back with
the message at its field, in the reader's language, and what was typed kept in the
field; never a dead-end error page. The API keeps its 422 ``{"detail": ...}``."""

import re
from datetime import date

import pytest

from app.models import Observation
from tests.factories import login, make_area, make_indicator, make_theme


@pytest.fixture
def figures(session):
    indicator = make_indicator(session, slug="meldingen", name="Meldingen", frequency="month")
    make_theme(session, slug="jeugd", name="Jeugd")
    make_area(session, code="WK019301", name="Centrum")
    for month in (1, 2, 3):
        session.add(
            Observation(indicator_id=indicator.id, period_start=date(2024, month, 1), value=month)
        )
    session.commit()
    return indicator


def field_error(html: str, name: str) -> str:
    """The message shown at field ``name`` (empty when there is none)."""
    found = re.search(
        rf'<p class="[^"]*field-error[^"]*" id="{re.escape(name)}-error">([^<]*)</p>', html
    )
    return found[1] if found else ""


DUTCH = {
    "no_month": "&#39;2024-13&#39; heeft geen maand 13",
    "no_period": "&#39;gisteren&#39; is geen periode",
}
ENGLISH = {
    "no_month": "&#39;2024-13&#39; has no month 13",
    "no_period": "&#39;gisteren&#39; is not a period",
}


@pytest.mark.parametrize(("lang", "words"), [("nl", DUTCH), ("en", ENGLISH)])
@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/indicators/meldingen", {"from": "2024-13"}, "from"),
        ("/indicators/meldingen", {"to": "gisteren"}, "to"),
        ("/timeline", {"indicator": "meldingen", "from": "2024-13"}, "from"),
        ("/timeline", {"to": "gisteren"}, "to"),
        ("/search", {"q": "schulden", "day_from": "2024-13"}, "day_from"),
        ("/sessions", {"end": "gisteren"}, "end"),
        ("/context", {"from": "2024-13"}, "from"),
    ],
)
def test_a_bad_period_filter_shows_the_page_with_the_message_at_its_field(
    client, session, figures, lang, words, path, params, field
):
    login(client, session, "viewer")
    page = client.get(path, params={**params, "lang": lang})
    typed = params[field]
    assert page.status_code == 422
    assert page.headers["content-type"].startswith("text/html")
    assert field_error(page.text, field).startswith(
        words["no_month" if typed == "2024-13" else "no_period"]
    )
    # what was typed stays in its field, and the form is there to correct it
    assert re.search(
        rf'<input [^>]*type="text" id="{field}" name="{field}" value="{typed}"', page.text
    )
    assert f'id="{field}-hint">' in page.text
    assert 'class="utrecht-alert utrecht-alert--error" role="alert"' in page.text


@pytest.mark.parametrize(("lang", "message"), [
    ("nl", "Er is geen gebied met code &#39;GM9999&#39;."),
    ("en", "There is no area with code &#39;GM9999&#39;."),
])  # fmt: skip
@pytest.mark.parametrize("path", ["/indicators/meldingen", "/timeline"])
def test_an_unknown_area_is_said_at_the_area_field(client, session, figures, lang, message, path):
    login(client, session, "viewer")
    page = client.get(path, params={"area": "GM9999", "lang": lang})
    assert page.status_code == 422
    assert field_error(page.text, "area") == message


def test_the_timeline_leaves_out_an_unknown_figure_and_a_bad_page_number(client, session, figures):
    login(client, session, "viewer")
    page = client.get("/timeline", params={"indicator": ["meldingen", "onbekend"], "page": "x"})
    assert page.status_code == 422
    assert "onbekend" in field_error(page.text, "indicator")
    assert 'id="chart-1"' in page.text and "Meldingen" in page.text
    assert client.get("/timeline", params={"page": "abc"}).status_code == 200


def test_the_good_filters_still_apply_beside_a_bad_one(client, session, figures):
    login(client, session, "viewer")
    page = client.get("/indicators/meldingen", params={"from": "2024-02", "to": "2024-13"})
    assert page.status_code == 422
    assert re.findall(r'<tr id="period-(\d{4}-\d\d)">', page.text) == ["2024-02", "2024-03"]
    assert "to=2024-13" not in page.text.replace('value="2024-13"', "")


def test_words_work_as_filters(client, session, figures):
    login(client, session, "viewer")
    page = client.get(
        "/indicators/meldingen", params={"from": "februari 2024", "to": "1e kwartaal 2024"}
    )
    assert page.status_code == 200
    assert re.findall(r'<tr id="period-(\d{4}-\d\d)">', page.text) == ["2024-02", "2024-03"]


def test_the_api_keeps_its_json_error(client, session, figures):
    login(client, session, "viewer")
    answer = client.get("/api/v1/timeline", params={"from": "2024-13"})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["query", "from"]
    assert client.get("/api/v1/timeline", params={"area": "GM9999"}).status_code == 404
