"""Small numbers are hidden from anonymous readers of district figures."""

import json
import re
from datetime import date

import pytest
from sqlmodel import select

from app.i18n import gettext
from app.models import Area, IndicatorTheme, Observation
from app.security.small_numbers import FEWER_THAN, Masked, applies, mask
from tests.factories import bearer, login, make_area, make_indicator, make_theme


def test_values_below_the_threshold_are_masked():
    assert mask(4, 5) == Masked(5)
    assert mask(0, 5) == Masked(5)
    assert mask(4.9, 5) == Masked(5)


def test_values_at_or_above_the_threshold_and_missing_values_are_kept():
    assert mask(5, 5) == 5
    assert mask(1234.5, 5) == 1234.5
    assert mask(None, 5) is None
    assert mask(-3, 5) == -3


def test_masked_value_reads_fewer_than_n_in_both_languages():
    masked = mask(2, 5)
    assert gettext("nl", masked.message, threshold=masked.threshold) == "minder dan 5"
    assert gettext("en", FEWER_THAN, threshold=5) == "fewer than 5"


def test_masking_applies_only_to_anonymous_readers_of_district_values():
    assert applies(public_read=True, signed_in=False, area_level=True)
    assert not applies(public_read=True, signed_in=True, area_level=True)
    assert not applies(public_read=True, signed_in=False, area_level=False)
    assert not applies(public_read=False, signed_in=False, area_level=True)


# --- Through HTTP: every surface that shows district figures to anonymous readers ---

DISTRICT = [9, 3, 9, 8, 4, 9, 8, 4, 9, 8, 9, 30]
WHOLE = [40, 3, 42, 41, 44, 40, 43, 45, 41, 42, 44, 43]


@pytest.fixture
def figures(session, settings):
    """An indicator with monthly 2024 values for one district and the municipality."""
    settings(public_read=True)
    area = make_area(session, code="WK019301", name="Centrum")
    indicator = make_indicator(session, slug="meldingen", name="Meldingen", frequency="month")
    for month, (district, whole) in enumerate(zip(DISTRICT, WHOLE, strict=True), start=1):
        for area_id, value in ((area.id, district), (None, whole)):
            session.add(
                Observation(
                    indicator_id=indicator.id,
                    area_id=area_id,
                    period_start=date(2024, month, 1),
                    value=value,
                )
            )
    session.commit()
    return indicator


def _chart_values(html: str) -> list[dict]:
    """The data rows of the first chart on a page (the spec is JSON in a script element)."""
    spec = json.loads(re.search(r'class="chart-spec"[^>]*>(.*?)</script>', html, re.S)[1])
    return spec["datasets"]["points"]


def _cells(html: str) -> list[str]:
    return re.findall(r"<td(?: class=\"num\")?>([^<]*)</td>", html)


def test_anonymous_readers_see_fewer_than_5_in_the_district_table_and_chart(client, figures):
    html = client.get("/indicators/meldingen?area=WK019301").text
    cells = _cells(html)
    assert cells.count("minder dan 5") == 3  # 3, 4 and 4
    assert not {"3", "4"} & set(cells)
    # The chart's text summary names no value, nor on which side a hidden one lies.
    assert "Meldingen, januari 2024 t/m november 2024: buiten de gewone variatie;" in html
    rows = _chart_values(html)
    hidden = [row for row in rows if row["masked"]]
    assert [row["label"] for row in hidden] == ["2024-02", "2024-05", "2024-08"]
    assert all(row["value"] is None for row in hidden)
    assert {row["tip"]["Waarde"] for row in hidden} == {"minder dan 5"}
    assert [row["value"] for row in rows if not row["masked"]] == [v for v in DISTRICT if v >= 5]
    english = client.get("/indicators/meldingen?area=WK019301&lang=en").text
    assert _cells(english).count("fewer than 5") == 3
    masked = {row["tip"]["Value"] for row in _chart_values(english) if row["masked"]}
    assert masked == {"fewer than 5"}


def test_staff_see_the_real_district_values(client, session, figures):
    login(client, session, role="viewer")
    html = client.get("/indicators/meldingen?area=WK019301").text
    assert "minder dan 5" not in html
    assert {"3", "4"} <= set(_cells(html))
    assert "januari 2024 t/m november 2024: elf maanden op rij onder het gemiddelde;" in html
    assert [row["value"] for row in _chart_values(html)] == DISTRICT


def test_municipality_values_are_never_masked(client, figures):
    html = client.get("/indicators/meldingen").text
    assert "minder dan 5" not in html
    assert "3" in _cells(html)
    body = client.get("/api/v1/indicators/meldingen/signals").json()
    assert [p["value"] for p in body["points"]] == WHOLE


def test_masking_needs_public_read_to_matter(client, session, settings, figures):
    """Without public read nobody anonymous gets in at all; with it off staff see all."""
    settings(public_read=False)
    assert client.get("/api/v1/indicators/meldingen/signals?area=WK019301").status_code == 401
    headers = bearer(session, role="viewer")
    body = client.get("/api/v1/indicators/meldingen/signals?area=WK019301", headers=headers)
    assert [p["value"] for p in body.json()["points"]] == DISTRICT


def test_signals_api_hides_small_values_but_keeps_signals_of_the_true_series(
    client, session, figures
):
    url = "/api/v1/indicators/meldingen/signals?area=WK019301"
    public = client.get(url).json()["points"]
    staff = client.get(url, headers=bearer(session, role="viewer")).json()["points"]
    assert [p["signal"] for p in public] == [p["signal"] for p in staff]
    assert [p["rules"] for p in public] == [p["rules"] for p in staff]
    assert any(p["signal"] != "common" for p in staff)  # a signal to keep
    for shown, true in zip(public, staff, strict=True):
        if true["value"] < 5:
            assert (shown["value"], shown["fewer_than"]) == (None, 5)
        else:
            assert shown["value"] == true["value"] and "fewer_than" not in shown
        # The segment's baseline holds hidden values: its mean times the number of
        # points minus the values shown would give them back, so no mean nor limits.
        assert (shown["mean"], shown["lpl"], shown["upl"]) == (None, None, None)
    assert all("fewer_than" not in p for p in staff)
    assert all(p["mean"] == pytest.approx(staff[0]["mean"]) for p in staff)


def test_observations_json_and_csv_hide_small_district_values(client, session, figures):
    items = client.get("/api/v1/indicators/meldingen/observations").json()["items"]
    district = [i for i in items if i["area"] == "WK019301"]
    whole = [i for i in items if i["area"] is None]
    assert [i["value"] for i in whole] == WHOLE
    assert [i.get("fewer_than") for i in district] == [5 if v < 5 else None for v in DISTRICT]
    assert [i["value"] for i in district] == [None if v < 5 else v for v in DISTRICT]
    lines = client.get("/api/v1/indicators/meldingen/observations.csv").text.splitlines()
    assert "meldingen,2024-02,WK019301,minder dan 5" in lines
    assert "meldingen,2024-02,,3.0" in lines
    english = client.get("/api/v1/indicators/meldingen/observations.csv?lang=en").text
    assert "meldingen,2024-05,WK019301,fewer than 5" in english.splitlines()
    as_of = client.get(
        "/api/v1/indicators/meldingen/observations",
        params={"area": "WK019301", "as_of": "2100-01-01T00:00:00Z"},
    ).json()["items"]
    assert [i["value"] for i in as_of] == [None if v < 5 else v for v in DISTRICT]

    headers = bearer(session, role="viewer")
    staff = client.get("/api/v1/indicators/meldingen/observations", headers=headers).json()
    assert [i["value"] for i in staff["items"] if i["area"]] == DISTRICT
    assert all("fewer_than" not in i for i in staff["items"])
    csv_text = client.get("/api/v1/indicators/meldingen/observations.csv", headers=headers).text
    assert "meldingen,2024-02,WK019301,3.0" in csv_text.splitlines()


def test_timeline_api_and_page_hide_small_district_values(client, session, figures):
    url = "/api/v1/timeline?indicator=meldingen&area=WK019301"
    points = client.get(url).json()["indicators"][0]["points"]
    assert [p["value"] for p in points] == [None if v < 5 else v for v in DISTRICT]
    assert [p.get("fewer_than") for p in points] == [5 if v < 5 else None for v in DISTRICT]
    staff = client.get(url, headers=bearer(session, role="viewer")).json()
    assert [p["value"] for p in staff["indicators"][0]["points"]] == DISTRICT
    rows = _chart_values(client.get("/timeline?indicator=meldingen&area=WK019301").text)
    assert [row["value"] for row in rows] == [None if v < 5 else v for v in DISTRICT]


def test_the_threshold_is_a_setting(client, settings, figures):
    settings(public_read=True, small_numbers_threshold=13)
    points = client.get("/api/v1/indicators/meldingen/signals?area=WK019301").json()["points"]
    assert [p["value"] for p in points] == [None if v < 13 else v for v in DISTRICT]
    assert {p.get("fewer_than") for p in points} == {13, None}
    assert "minder dan 13" in client.get("/indicators/meldingen?area=WK019301").text


def test_related_indicator_charts_hide_small_values_too(client, session, figures):
    theme = make_theme(session)
    session.add(IndicatorTheme(indicator_id=figures.id, theme_id=theme.id))
    other = make_indicator(session, themes=[theme], slug="wachtlijst", frequency="month")
    area = session.exec(select(Area).where(Area.code == "WK019301")).one()
    for month, value in ((1, 2), (2, 8)):
        session.add(
            Observation(
                indicator_id=other.id,
                area_id=area.id,
                period_start=date(2024, month, 1),
                value=value,
            )
        )
    session.commit()
    html = client.get("/indicators/meldingen?area=WK019301").text
    spec = re.search(r'class="chart-spec" data-target="related-1">(.*?)</script>', html, re.S)
    points = json.loads(spec[1])["datasets"]["points"]
    assert [(p["value"], p["tip"]["Waarde"]) for p in points] == [(None, "minder dan 5"), (8, "8")]
