"""Secondary suppression: a small district value cannot be worked out by subtraction.

An attacker reads, as an anonymous reader, every district of a period and the
municipality's total, and subtracts; or reads a district's mean over its periods and
subtracts the values shown. Each output that shows district values is tried.
"""

import csv
import io
import json
import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from app.models import Area, AreaKind, Observation
from app.security.small_numbers import Masked, mask, suppress, suppress_tree
from tests.factories import bearer, make_indicator

T = 5  # the threshold
# Six months; March holds the small number: 3 in Noord. Oost (7) is the smallest other.
DISTRICTS = {
    "WK000101": ("Noord", [20, 21, 3, 22, 20, 19]),
    "WK000102": ("Zuid", [30, 31, 32, 30, 29, 33]),
    "WK000103": ("Oost", [8, 9, 7, 9, 8, 10]),
    "WK000104": ("West", [50, 52, 51, 50, 49, 53]),
}
MARCH = 2  # index of 2024-03
TOTALS = [sum(values[n] for _, values in DISTRICTS.values()) for n in range(6)]
SMALL, SECOND = "WK000101", "WK000103"


# --- The rule itself -------------------------------------------------------------


def test_a_small_value_gets_the_smallest_other_value_hidden_beside_it():
    values = {code: v[MARCH] for code, (_, v) in DISTRICTS.items()}
    hidden = suppress(values, T)
    assert hidden == {SMALL: Masked(T), SECOND: Masked(T, secondary=True)}


def test_nothing_is_hidden_without_a_small_value():
    assert suppress({"a": 5, "b": 6, "c": None, "d": -2}, T) == {}


def test_more_cells_are_hidden_until_the_remainder_does_not_narrow_the_small_one():
    # 0 beside a 5: total minus the shown ones would say 5 = 0 + 5, so the small one
    # is 0. A second secondary (9) leaves it anywhere from 0 to 4 again.
    assert set(suppress({"a": 0, "b": 5, "c": 9, "d": 40}, T)) == {"a", "b", "c"}
    # With 6 instead of 9 it would still be 0 or 1: then all of them are hidden.
    assert set(suppress({"a": 0, "b": 5, "c": 6, "d": 40}, T)) == {"a", "b", "c", "d"}


def test_a_hidden_district_keeps_its_neighbourhoods_from_giving_it_back():
    values = {"D1": 3, "D2": 40, "D3": 9, "B1": 1, "B2": 2, "B3": 20, "B4": 20}
    parent = {"D1": None, "D2": None, "D3": None, "B1": "D1", "B2": "D1", "B3": "D3", "B4": "D3"}
    hidden = suppress_tree(values, parent, T)
    # D3 is hidden beside D1; its neighbourhoods (adding up to it) must not all show.
    assert {"D1", "D3"} <= set(hidden) and {"B1", "B2"} <= set(hidden)
    assert {"B3", "B4"} & set(hidden)
    assert not hidden["D1"].secondary and hidden["D3"].secondary


values_strategy = st.dictionaries(
    st.sampled_from([f"k{n}" for n in range(8)]),
    st.one_of(st.none(), st.integers(-3, 60).map(float)),
    min_size=1,
)


@hypothesis_settings(max_examples=300, deadline=None)
@given(values=values_strategy, threshold=st.integers(1, 12))
def test_suppression_protects_every_small_value_against_subtraction(values, threshold):
    hidden = suppress(values, threshold)
    small = {k for k, v in values.items() if isinstance(mask(v, threshold), Masked)}
    counted = {k for k, v in values.items() if v is not None and v >= 0}
    # Every small value is hidden as such; nothing else is called small.
    assert {k for k, m in hidden.items() if not m.secondary} == small
    if not small:
        assert hidden == {}
        return
    secondary = {k for k, m in hidden.items() if m.secondary}
    assert all(values[k] >= threshold for k in secondary)
    if counted - set(hidden):
        # The total minus the shown values gives only the sum S of the hidden ones; as
        # each secondary is at least the threshold, the small ones together are at most
        # S - threshold x secondaries: no tighter than "fewer than N" says already.
        remainder = sum(values[k] for k in hidden)
        room = sum(threshold - 1 - values[k] for k in small)
        bound = remainder - threshold * len(secondary) - sum(values[k] for k in small)
        assert secondary and bound >= room
        # The secondaries are the smallest shown values (least lost for readers).
        assert max(values[k] for k in secondary) <= min(values[k] for k in counted - set(hidden))
    else:
        assert set(hidden) == counted  # no set big enough: the whole group is hidden


@hypothesis_settings(max_examples=200, deadline=None)
@given(
    districts=st.lists(st.integers(0, 40), min_size=1, max_size=5),
    neighbourhoods=st.lists(st.integers(0, 30), max_size=8),
)
def test_suppression_in_a_hierarchy_leaves_no_group_with_one_hidden_cell(districts, neighbourhoods):
    values = {f"D{n}": float(v) for n, v in enumerate(districts)}
    parent: dict = dict.fromkeys(values)
    for n, v in enumerate(neighbourhoods):
        key = f"B{n}"
        values[key] = float(v)
        parent[key] = f"D{n % len(districts)}"
    hidden = suppress_tree(values, parent, T)
    groups: dict = {}
    for key, above in parent.items():
        groups.setdefault(above, []).append(key)
    for above, members in groups.items():
        inside = [k for k in members if k in hidden]
        # One hidden cell among shown siblings is what subtraction gives back.
        assert len(inside) != 1 or len(members) == 1
        if above is not None and above in hidden:
            assert inside, "a hidden district's neighbourhoods would add up to it"
    assert all(k in hidden for k, v in values.items() if v < T)


# --- Through HTTP: every output an anonymous reader gets ---------------------------


@pytest.fixture
def town(session: Session, settings):
    """A municipality of four districts with its total, monthly in the first half of 2024."""
    settings(public_read=True, small_numbers_threshold=T)
    whole = Area(code="GM0001", name="Wadderveen", kind=AreaKind.municipality)
    session.add(whole)
    session.flush()
    areas = {}
    for code, (name, _) in DISTRICTS.items():
        areas[code] = Area(code=code, name=name, kind=AreaKind.district, parent_id=whole.id)
        session.add(areas[code])
    session.flush()
    indicator = make_indicator(session, slug="meldingen", name="Meldingen", frequency="month")
    for month in range(6):
        start = date(2024, month + 1, 1)
        session.add(
            Observation(
                indicator_id=indicator.id, area_id=None, period_start=start, value=TOTALS[month]
            )
        )
        for code, (_, values) in DISTRICTS.items():
            session.add(
                Observation(
                    indicator_id=indicator.id,
                    area_id=areas[code].id,
                    period_start=start,
                    value=values[month],
                )
            )
    session.commit()
    return indicator


def _attack(seen: dict[str, float | None], total: float) -> None:
    """Total minus the districts shown: it must leave at least two unknowns, and the
    small value must not be what is left."""
    unknown = [code for code, value in seen.items() if value is None]
    assert SMALL in unknown
    assert len(unknown) >= 2, f"total minus the others gives {SMALL}: {seen}"
    left = total - sum(value for value in seen.values() if value is not None)
    assert left != DISTRICTS[SMALL][1][MARCH]


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def test_the_observations_json_cannot_be_subtracted(client, town):
    items = client.get("/api/v1/indicators/meldingen/observations?limit=1000").json()["items"]
    march = {i["area"]: i for i in items if i["period"] == "2024-03"}
    _attack({code: march[code]["value"] for code in DISTRICTS}, march[None]["value"])
    assert march[SMALL]["fewer_than"] == T
    assert march[SECOND] == {**march[SECOND], "value": None, "withheld": True}
    assert "fewer_than" not in march[SECOND]
    # One area asked for: the same cell is hidden (the others are looked at anyway).
    one = client.get(f"/api/v1/indicators/meldingen/observations?area={SECOND}").json()["items"]
    assert [i["value"] for i in one] == [8, 9, None, 9, 8, 10]
    as_of = client.get(
        "/api/v1/indicators/meldingen/observations",
        params={"area": SECOND, "as_of": "2100-01-01T00:00:00Z"},
    ).json()["items"]
    assert [i["value"] for i in as_of] == [8, 9, None, 9, 8, 10]


@pytest.mark.parametrize("as_of", [None, "2100-01-01T00:00:00Z"])
def test_pages_of_the_json_hide_what_the_whole_listing_hides(client, town, as_of):
    """Pages of 4 cut each period's five rows apart (March's small district and the one
    hidden beside it land on different pages): paged in SQL, each page still hides what
    the whole listing hides, in the same order, and says the same total."""
    url = "/api/v1/indicators/meldingen/observations"
    moment = {"as_of": as_of} if as_of else {}
    whole = client.get(url, params={"limit": 1000, **moment}).json()
    assert whole["total"] == len(whole["items"]) == 30
    pages = [
        client.get(url, params={"limit": 4, "offset": offset, **moment}).json()
        for offset in range(0, 32, 4)
    ]
    assert {page["total"] for page in pages} == {30}
    assert [item for page in pages for item in page["items"]] == whole["items"]
    assert [(i["period"], i["area"]) for i in whole["items"][:5]] == [
        ("2024-01", None),
        *(("2024-01", code) for code in sorted(DISTRICTS)),
    ]
    march = [i for i in whole["items"] if i["period"] == "2024-03"]
    assert [i["area"] for i in march if i["value"] is None] == [SMALL, SECOND]


def test_the_csv_cannot_be_subtracted(client, town):
    text = client.get("/api/v1/indicators/meldingen/observations.csv").text
    rows = [r for r in csv.DictReader(io.StringIO(text)) if r["period"] == "2024-03"]
    seen = {r["area"]: r["value"] for r in rows}
    _attack({code: _number(seen[code]) for code in DISTRICTS}, float(seen[""]))
    assert seen[SMALL] == "minder dan 5"
    assert seen[SECOND] == "afgeschermd (beschermt een klein aantal)"
    english = client.get("/api/v1/indicators/meldingen/observations.csv?lang=en").text
    assert f"meldingen,2024-03,{SECOND},hidden (protects a small number)" in english


def _signals(client, code: str, headers=None) -> list[dict]:
    url = f"/api/v1/indicators/meldingen/signals?area={code}"
    return client.get(url, headers=headers).json()["points"]


def test_the_signals_api_cannot_be_subtracted_nor_its_mean(client, session, town):
    seen = {code: _signals(client, code)[MARCH]["value"] for code in DISTRICTS}
    total = _signals(client, "GM0001")  # the municipality's own area: no values stored
    assert total == []
    whole = client.get("/api/v1/indicators/meldingen/signals").json()["points"]
    _attack(seen, whole[MARCH]["value"])
    staff = _signals(client, SMALL, headers=bearer(session, role="viewer"))
    for code in (SMALL, SECOND):
        points = _signals(client, code)
        # Difference between periods: n x mean minus the values shown would give it.
        assert all(p["mean"] is None and p["lpl"] is None and p["upl"] is None for p in points)
    assert staff[0]["mean"] is not None
    # Districts without a hidden value keep their mean and limits.
    assert all(p["mean"] is not None for p in _signals(client, "WK000102"))
    # Signals are still those of the true values.
    assert [p["signal"] for p in _signals(client, SMALL)] == [p["signal"] for p in staff]


def _chart_rows(html: str) -> list[dict]:
    spec = json.loads(re.search(r'class="chart-spec"[^>]*>(.*?)</script>', html, re.S)[1])
    return spec["datasets"]["points"]


def test_the_indicator_page_table_and_chart_cannot_be_subtracted(client, town):
    seen, tips = {}, {}
    for code in DISTRICTS:
        html = client.get(f"/indicators/meldingen?area={code}").text
        march = next(r for r in _chart_rows(html) if r["label"] == "2024-03")
        seen[code], tips[code] = march["value"], march["tip"]["Waarde"]
        cells = re.findall(r"<td(?: class=\"num\")?>([^<]*)</td>", html)
        assert str(DISTRICTS[code][1][MARCH]) not in cells or code not in (SMALL, SECOND)
    _attack(seen, TOTALS[MARCH])
    assert tips[SMALL] == "minder dan 5"
    assert tips[SECOND] == "afgeschermd (beschermt een klein aantal)"
    html = client.get(f"/indicators/meldingen?area={SECOND}").text
    assert "afgeschermd (beschermt een klein aantal)" in html
    assert all(r["mean"] is None and r["upl"] is None for r in _chart_rows(html))


def test_the_no_js_image_cannot_be_subtracted(client, town, monkeypatch):
    import app.routes.indicator_page as page

    specs = []
    monkeypatch.setattr(page, "chart_svg", lambda spec: specs.append(spec) or "<svg/>")
    seen = {}
    for code in DISTRICTS:
        assert client.get(f"/indicators/meldingen/chart.svg?area={code}").status_code == 200
        points = specs[-1]["datasets"]["points"]
        seen[code] = next(p for p in points if p["label"] == "2024-03")["value"]
    _attack(seen, TOTALS[MARCH])


def test_the_timeline_cannot_be_subtracted(client, town):
    seen, page_seen = {}, {}
    for code in DISTRICTS:
        body = client.get(f"/api/v1/timeline?indicator=meldingen&area={code}").json()
        seen[code] = body["indicators"][0]["points"][MARCH]["value"]
        html = client.get(f"/timeline?indicator=meldingen&area={code}").text
        page_seen[code] = _chart_rows(html)[MARCH]["value"]
    _attack(seen, TOTALS[MARCH])
    _attack(page_seen, TOTALS[MARCH])


def test_the_values_page_cannot_be_subtracted(client, town):
    html = client.get("/indicators/meldingen/values").text
    assert html.count("afgeschermd (beschermt een klein aantal)") == 1
    assert html.count("minder dan 5") == 1


def test_staff_see_every_value(client, session, town):
    headers = bearer(session, role="viewer")
    items = client.get(
        "/api/v1/indicators/meldingen/observations?limit=1000", headers=headers
    ).json()["items"]
    march = {i["area"]: i["value"] for i in items if i["period"] == "2024-03"}
    assert march == {None: TOTALS[MARCH]} | {c: v[MARCH] for c, (_, v) in DISTRICTS.items()}
    assert all("withheld" not in i and "fewer_than" not in i for i in items)


def test_the_reports_pilot_change_leaves_out_hidden_periods(session, town):
    """Difference between periods: a change of means over a hidden value, with the other
    values shown, gives it back; the half-year report's experiments leave it out."""
    from types import SimpleNamespace

    from app.experiments.evidence import comparisons

    areas = {a.code: a for a in session.exec(select(Area)).all()}
    seen = SimpleNamespace(
        experiment=SimpleNamespace(starts_on=date(2024, 4, 1)),
        first_pilots=[areas[SMALL]],
        comparisons=[areas["WK000102"]],
        indicators=[(town, SimpleNamespace(direction="down"))],
    )
    noord, zuid = DISTRICTS[SMALL][1], DISTRICTS["WK000102"][1]
    staff = comparisons(session=session, seen=seen, until=date(2024, 6, 30))[0]
    assert staff.pilot_change == pytest.approx(sum(noord[3:]) / 3 - sum(noord[:3]) / 3)
    public = comparisons(session=session, seen=seen, until=date(2024, 6, 30), threshold=T)[0]
    # March is hidden in Noord: the pilot's before-mean is January and February only.
    assert public.pilot_change == pytest.approx(sum(noord[3:]) / 3 - sum(noord[:2]) / 2)
    assert public.comparison_change == pytest.approx(sum(zuid[3:]) / 3 - sum(zuid[:3]) / 3)


def test_a_figure_without_small_numbers_shows_everything(client, session, town):
    march = next(o for o in session.exec(select(Observation)).all() if o.value == 3)
    march.value = 6  # no small number left: nothing to protect
    session.add(march)
    session.commit()
    items = client.get("/api/v1/indicators/meldingen/observations?limit=1000").json()["items"]
    assert all(i["value"] is not None for i in items)
    assert all(p["mean"] is not None for p in _signals(client, SMALL))


def test_a_new_small_value_is_hidden_at_once_after_its_district_was_read(client, session, town):
    """A district's masked points are kept per data version: a new value is a new one."""
    zuid = "WK000102"
    before = _signals(client, zuid)
    assert len(before) == 6 and all(p["value"] is not None for p in before)
    area = session.exec(select(Area).where(Area.code == zuid)).one()
    july = date(2024, 7, 1)
    session.add(Observation(indicator_id=town.id, area_id=area.id, period_start=july, value=2))
    session.commit()
    after = _signals(client, zuid)
    assert len(after) == 7
    assert after[-1]["value"] is None  # below the threshold: hidden from this reader
    assert after[0]["mean"] is None  # and the mean its baseline would give it back by


def test_moving_a_district_elsewhere_masks_anew_after_it_was_read(client, session, town):
    """Secondary suppression decides by the hierarchy too: with Oost (the value hidden
    beside Noord's small one) moved under Noord, Zuid becomes the smallest other
    district of the top level, and its March is hidden from then on."""
    zuid = "WK000102"
    assert _signals(client, zuid)[MARCH]["value"] is not None
    areas = {area.code: area for area in session.exec(select(Area)).all()}
    areas[SECOND].parent_id = areas[SMALL].id
    session.commit()
    assert _signals(client, zuid)[MARCH]["value"] is None
