"""Issue 21: a bad filter of the portfolio and the report page is a form error, not a
dead end. The page itself comes back (422) with the message at the field in the
reader's language, the bad filter left out and the rest of the page shown."""

import re

import pytest

from tests.factories import login, make_area, make_theme


@pytest.fixture
def places(session):
    make_theme(session, slug="jeugd", name="Jeugd")
    town = make_area(session, code="GM0193", name="Zwolle", kind="municipality")
    make_area(session, code="WK019301", name="Centrum", parent_id=town.id)


def field_error(html: str, name: str) -> str:
    """The message shown at field ``name`` (empty when there is none)."""
    found = re.search(
        rf'<p class="[^"]*field-error[^"]*" id="{re.escape(name)}-error">([^<]*)</p>', html
    )
    return found[1] if found else ""


@pytest.mark.parametrize(("lang", "theme_word", "area_word"), [
    ("nl", "Onbekend thema", "Onbekend gebied"),
    ("en", "Unknown theme", "Unknown area"),
])  # fmt: skip
@pytest.mark.parametrize(
    ("field", "typed"), [("theme", "onbekend"), ("theme", "x" * 61), ("area", "WK999999")]
)
def test_an_unknown_portfolio_filter_is_said_at_its_field(
    client, session, places, lang, theme_word, area_word, field, typed
):
    login(client, session, "viewer")
    page = client.get("/experiments", params={field: typed, "lang": lang})
    assert page.status_code == 422
    word = theme_word if field == "theme" else area_word
    assert field_error(page.text, field) == f"{word}: {typed}."
    assert "utrecht-alert--error" in page.text
    assert "Jeugd" in page.text and "Centrum" in page.text  # the filter form is there


def test_a_known_portfolio_filter_still_applies(client, session, places):
    login(client, session, "viewer")
    page = client.get("/experiments", params={"theme": "jeugd", "area": "WK019301"})
    assert page.status_code == 200
    assert "utrecht-alert--error" not in page.text


@pytest.mark.parametrize(("lang", "words"), [
    ("nl", {"theme": "Er is geen thema &#39;onbekend&#39;.",
            "version": "Er is geen bevroren rapportage"}),
    ("en", {"theme": "There is no theme &#39;onbekend&#39;.",
            "version": "There is no frozen report with that number"}),
])  # fmt: skip
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"theme": "onbekend"}, "theme"),
        ({"version": "abc"}, "version"),
        ({"version": "99"}, "version"),
    ],
)
def test_a_bad_report_filter_shows_the_live_report_with_the_message(
    client, session, places, lang, words, params, field
):
    login(client, session, "viewer")
    page = client.get("/reports/2025-H2", params={**params, "lang": lang})
    assert page.status_code == 422
    summary = re.search(
        r'<div class="utrecht-alert utrecht-alert--error".*?</div>', page.text, re.S
    )
    assert summary and words[field] in summary[0]
    assert f'href="#{field}"' not in summary[0]  # the page has no such field to go to
    assert 'href="/reports/2025-H2.md"' in page.text  # the live report of every theme
    assert 'id="theme-jeugd"' in page.text
