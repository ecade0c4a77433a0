"""Figures side by side and as files: the overview (/indicators), the districts of a
figure (/indicators/{slug}/districts) and its downloads (export.csv, export.xlsx)."""

import csv
import io
import re
from datetime import date, timedelta
from html import unescape

import pytest
from openpyxl import load_workbook
from sqlalchemy import event

from app import db
from app.figures.exports import to_csv
from app.figures.overview import overview, year_before
from app.models import (
    Area,
    AreaKind,
    Direction,
    Frequency,
    NarrativeIndicator,
    Observation,
)
from app.models.narrative import LinkRelation
from tests.factories import login, make_area, make_indicator, make_narrative, make_theme

#: 24 months, the last one far above the rest: a signal (outside the limits).
VALUES = [20, 30] * 11 + [25, 60]
START = date(2024, 1, 1)


def _month(i: int) -> date:
    return date(START.year + (START.month - 1 + i) // 12, (START.month - 1 + i) % 12 + 1, 1)


def _series(session, indicator, values=VALUES, area=None):
    for i, value in enumerate(values):
        session.add(
            Observation(
                indicator_id=indicator.id,
                area_id=area.id if area else None,
                period_start=_month(i),
                value=value,
            )
        )
    session.commit()


def _figure(session, **overrides):
    theme = make_theme(session, slug="jeugd", name="Jeugd")
    values = {
        "slug": "wachttijd",
        "name": "Wachttijd jeugdhulp",
        "unit": "weken",
        "frequency": Frequency.month,
        "direction": Direction.down,
        **overrides,
    }
    indicator = make_indicator(session, themes=[theme], **values)
    _series(session, indicator)
    return indicator, theme


def _table(html: str, caption_or_class: str) -> str:
    start = html.index(caption_or_class)
    return html[start : html.index("</table>", start)]


# --- the districts of a figure ---------------------------------------------------------


def test_districts_side_by_side_with_and_without_data(client, session):
    indicator, _ = _figure(session)
    centrum = make_area(session, code="WK000101", name="Centrum")
    make_area(session, code="WK000102", name="De Hoven")
    _series(session, indicator, [30, 31] * 12, area=centrum)
    recent = make_narrative(
        session, title="Wachtlijst Centrum", occurred_on=date.today() - timedelta(days=30)
    )
    recent.area_id = centrum.id
    old = make_narrative(session, title="Oud", occurred_on=date.today() - timedelta(days=400))
    old.area_id = centrum.id
    session.add_all([recent, old])
    for story in (recent, old):
        session.add(NarrativeIndicator(narrative_id=story.id, indicator_id=indicator.id))
    session.commit()
    login(client, session, "viewer")

    page = client.get("/indicators/wachttijd/districts")
    assert page.status_code == 200
    html = page.text
    assert "<h1>Wachttijd jeugdhulp per wijk</h1>" in html
    # Centrum is drawn, De Hoven says it has no values, in its panel and in the table
    assert 'id="chart-WK000101"' in html and 'id="chart-WK000102"' not in html
    panel = html[html.index(">De Hoven</a></h3>") :]
    assert panel.index("nog geen waarden") < panel.index("</li>")
    table = _table(html, "De wijken in een tabel")
    rows = re.findall(r'<tr role="row">(.*?)</tr>', table, re.S)
    centrum_row = next(r for r in rows if "Centrum" in r)
    hoven_row = next(r for r in rows if "De Hoven" in r)
    assert "31" in centrum_row and "december 2025" in centrum_row
    assert "Gewone variatie" in centrum_row
    stories = 'data-label="Verhalen, afgelopen 12 maanden">'
    assert f"{stories}1</td>" in centrum_row  # one story within the year
    assert "nog geen waarden" in hoven_row
    assert f"{stories}0</td>" in hoven_row


def test_districts_share_one_value_scale(client, session):
    indicator, _ = _figure(session)
    low = make_area(session, code="WK000101", name="Laag")
    high = make_area(session, code="WK000102", name="Hoog")
    _series(session, indicator, [10, 11] * 12, area=low)
    _series(session, indicator, [90, 95] * 12, area=high)
    login(client, session, "viewer")
    html = client.get("/indicators/wachttijd/districts").text
    specs = re.findall(r'class="chart-spec" data-target="chart-WK[0-9]+">(.*?)</script>', html)
    assert len(specs) == 2
    domains = [re.findall(r'"scale": \{"domain": \[([^\]]*)\], "nice": true\}', s) for s in specs]
    assert domains[0] == domains[1] and domains[0]
    low_end, high_end = (float(n) for n in domains[0][0].split(","))
    assert low_end <= 10 and high_end >= 95


def test_the_indicator_page_links_its_districts_and_downloads(client, session):
    _figure(session)
    make_area(session, code="WK000101", name="Centrum")
    login(client, session, "viewer")
    html = client.get("/indicators/wachttijd?area=WK000101").text
    assert 'href="/indicators/wachttijd/districts"' in html
    assert "/indicators/wachttijd/export.csv?dialect=excel-nl&amp;area=WK000101" in html
    assert "/indicators/wachttijd/export.csv?dialect=plain&amp;area=WK000101" in html
    assert "/indicators/wachttijd/export.xlsx?area=WK000101" in html


def test_the_districts_page_in_english(client, session):
    _figure(session)
    make_area(session, code="WK000102", name="De Hoven")
    login(client, session, "viewer")
    html = client.get("/indicators/wachttijd/districts?lang=en").text
    assert "Wachttijd jeugdhulp by district" in html and "no values yet" in html
    assert "nog geen waarden" not in html


@pytest.mark.parametrize(
    "path", ["/districts", "/export.csv", "/export.csv?dialect=excel-nl", "/export.xlsx"]
)
def test_an_unknown_figure_is_404_in_the_readers_language(client, session, path):
    login(client, session, "viewer")
    dutch = client.get(f"/indicators/bestaat-niet{path}")
    assert dutch.status_code == 404
    assert "Er is geen indicator 'bestaat-niet'." in unescape(dutch.text)
    english = client.get(f"/indicators/bestaat-niet{path}", params={"lang": "en"})
    assert english.status_code == 404
    assert "There is no indicator 'bestaat-niet'." in unescape(english.text)


def test_anonymous_readers_only_where_public_read_is_on(client, session, settings):
    _figure(session)
    for path in ("/districts", "/export.csv", "/export.xlsx"):
        response = client.get(f"/indicators/wachttijd{path}", follow_redirects=False)
        assert response.status_code == 303, path
    settings(public_read=True)
    for path in ("/districts", "/export.csv", "/export.xlsx"):
        assert client.get(f"/indicators/wachttijd{path}").status_code == 200, path


# --- the overview ----------------------------------------------------------------------


def test_the_overview_shows_latest_value_sparkline_state_stories_and_signals(client, session):
    indicator, _theme = _figure(session)
    quiet = make_indicator(session, slug="rustig", name="Rustig cijfer", frequency=Frequency.month)
    _series(session, quiet, [20, 22] * 12)
    make_indicator(session, slug="leeg", name="Leeg cijfer")
    # the figures end in December 2025: their twelve months are 2025, whatever today is
    last = date(2025, 12, 31)
    for days, title in ((20, "Recent"), (200, "Dit jaar"), (500, "Te oud"), (-30, "Na het cijfer")):
        story = make_narrative(session, title=title, occurred_on=last - timedelta(days))
        session.add(NarrativeIndicator(narrative_id=story.id, indicator_id=indicator.id))
    session.commit()
    login(client, session, "viewer")

    html = client.get("/indicators").text
    rows = dict(
        re.findall(r'<th scope="row"[^>]*>\s*<a href="/indicators/([a-z-]+)"(.*?)</tr>', html, re.S)
    )
    assert set(rows) == {"wachttijd", "rustig", "leeg"}
    row = rows["wachttijd"]
    assert '<span class="overview-value">60</span>' in row
    assert "december 2025" in row  # the period in words
    assert 'class="chart-spec" data-target="spark-' in row
    # the sparkline's text alternative, beside it for screen readers
    assert "Wachttijd jeugdhulp over de laatste 24 perioden: van 20 (januari 2024) naar 60" in row
    assert "variation-concern_high" in row and "Zorgwekkend: bijzondere variatie, hoog" in row
    assert re.search(r'data-label="Verhalen, afgelopen 12 maanden">2</td>', row)
    assert '<strong class="unexplained">ja</strong>' in row
    assert "Gewone variatie" in rows["rustig"] and ">nee</td>" in rows["rustig"]
    assert "nog geen waarden" in rows["leeg"]
    assert "Jeugd" in row  # its themes


def test_an_explained_signal_is_not_flagged(client, session):
    indicator, _ = _figure(session)
    story = make_narrative(session, title="Uitleg", occurred_on=_month(23))
    session.add(
        NarrativeIndicator(
            narrative_id=story.id, indicator_id=indicator.id, relation=LinkRelation.explains
        )
    )
    session.commit()
    login(client, session, "viewer")
    html = client.get("/indicators").text
    assert '<strong class="unexplained">ja</strong>' not in html
    assert ">nee</td>" in html


def test_the_overview_filters_by_theme_and_district(client, session):
    indicator, _theme = _figure(session)
    other = make_indicator(session, slug="ander", name="Ander cijfer", frequency=Frequency.month)
    _series(session, other, [5, 6] * 12)
    centrum = make_area(session, code="WK000101", name="Centrum")
    _series(session, indicator, [30, 31] * 12, area=centrum)
    login(client, session, "viewer")

    by_theme = client.get("/indicators", params={"theme": "jeugd"})
    assert by_theme.status_code == 200
    assert 'href="/indicators/wachttijd"' in by_theme.text
    assert 'href="/indicators/ander"' not in by_theme.text
    assert '<option value="jeugd" selected>' in by_theme.text

    by_area = client.get("/indicators", params={"area": "WK000101"}).text
    assert "Cijfers van Centrum." in by_area
    assert 'href="/indicators/wachttijd?area=WK000101"' in by_area
    assert '<span class="overview-value">31</span>' in by_area  # the district's own value
    ander = by_area[by_area.index('href="/indicators/ander?area=WK000101"') :]
    assert ander.index("nog geen waarden") < ander.index("</tr>")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"theme": "bestaat-niet"},
            "Er is geen thema 'bestaat-niet'; alle thema's worden getoond.",
        ),
        ({"area": "WK404"}, "Er is geen wijk 'WK404'; de hele gemeente wordt getoond."),
    ],
)
def test_a_bad_filter_shows_the_page_with_a_message(client, session, params, message):
    _figure(session)
    login(client, session, "viewer")
    response = client.get("/indicators", params=params)
    assert response.status_code == 422
    assert message in unescape(response.text)
    assert 'href="/indicators/wachttijd"' in response.text  # the overview itself
    assert '<form method="get" action="/indicators"' in response.text


def test_the_overview_in_english(client, session):
    _figure(session)
    login(client, session, "viewer")
    html = unescape(client.get("/indicators", params={"lang": "en", "theme": "nope"}).text)
    assert "There is no theme 'nope'; all themes are shown." in html
    assert "Stories, last 12 months" in html and "December 2025" in html


def test_the_overview_gathers_a_page_in_a_fixed_number_of_queries(session):
    def queries_for_overview() -> int:
        count = [0]

        def counter(*_args):
            count[0] += 1

        event.listen(db.get_engine(), "before_cursor_execute", counter)
        try:
            seen = overview(session=session)
        finally:
            event.remove(db.get_engine(), "before_cursor_execute", counter)
        assert all(row.points for row in seen.rows)
        return count[0]

    theme = make_theme(session)
    for _n in range(2):
        _series(session, make_indicator(session, themes=[theme], frequency=Frequency.month))
    few = queries_for_overview()
    session.commit()
    for _n in range(8):
        _series(session, make_indicator(session, themes=[theme], frequency=Frequency.month))
    assert queries_for_overview() == few <= 20


# --- downloads -------------------------------------------------------------------------


def _linked_story(session, indicator, day):
    story = make_narrative(session, occurred_on=day)
    session.add(NarrativeIndicator(narrative_id=story.id, indicator_id=indicator.id))
    session.commit()


def test_plain_csv_has_comma_and_decimal_point(client, session):
    indicator, _ = _figure(session)
    _linked_story(session, indicator, _month(23))
    login(client, session, "viewer")
    response = client.get("/indicators/wachttijd/export.csv", params={"dialect": "plain"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="wachttijd.csv"' in response.headers["content-disposition"]
    assert not response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert list(rows[0]) == [
        "period",
        "area",
        "value",
        "mean",
        "lower_limit",
        "upper_limit",
        "signal",
        "stories",
    ]
    assert len(rows) == 24
    first, last = rows[0], rows[-1]
    assert first["period"] == "2024-01" and first["value"] == "20" and first["area"] == ""
    mean = float(first["mean"])
    assert 20 < mean < 30 and "." in first["mean"]
    assert float(first["lower_limit"]) < mean < float(first["upper_limit"])
    assert last["signal"] == "concern" and last["value"] == "60" and last["stories"] == "1"
    assert first["signal"] == "common" and first["stories"] == "0"


def test_excel_nl_csv_has_bom_semicolon_and_decimal_comma(client, session):
    indicator, _ = _figure(session)
    _linked_story(session, indicator, _month(23))
    login(client, session, "viewer")
    response = client.get("/indicators/wachttijd/export.csv", params={"dialect": "excel-nl"})
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == [
        "Periode",
        "Gebied",
        "Waarde",
        "Gemiddelde",
        "Ondergrens",
        "Bovengrens",
        "Signaal",
        "Verhalen",
    ]
    first, last = rows[1], rows[-1]
    assert "," in first[3] and "." not in first[3]
    mean = float(first[3].replace(",", "."))
    assert float(first[4].replace(",", ".")) < mean < float(first[5].replace(",", "."))
    assert last[2] == "60" and last[6] == "zorgwekkend" and last[7] == "1"
    english = client.get("/indicators/wachttijd/export.csv?dialect=excel-nl&lang=en")
    assert english.content.decode("utf-8-sig").startswith("Period;Area;Value;Mean;")


def test_decimal_values_are_written_in_each_dialect(client, session):
    indicator = make_indicator(session, slug="aandeel", frequency=Frequency.month)  # no signal
    _series(session, indicator, [17.7, 1234.5, 18.25])
    login(client, session, "viewer")
    plain = client.get("/indicators/aandeel/export.csv").content.decode()
    assert "2024-01,,17.7," in plain and "2024-02,,1234.5," in plain
    excel = client.get("/indicators/aandeel/export.csv?dialect=excel-nl").content.decode(
        "utf-8-sig"
    )
    assert "2024-01;;17,7;" in excel and "2024-02;;1234,5;" in excel and "2024-03;;18,25;" in excel


def test_an_unknown_dialect_is_a_clear_422(client, session):
    _figure(session)
    login(client, session, "viewer")
    response = client.get("/indicators/wachttijd/export.csv", params={"dialect": "tsv"})
    assert response.status_code == 422
    assert "kies plain of excel-nl" in response.text


def test_xlsx_reads_back_with_numbers_as_numbers(client, session):
    indicator, _ = _figure(session)
    _linked_story(session, indicator, _month(23))
    login(client, session, "viewer")
    response = client.get("/indicators/wachttijd/export.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert 'filename="wachttijd.xlsx"' in response.headers["content-disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Waarden", "Over dit cijfer"]
    rows = list(workbook["Waarden"].iter_rows(values_only=True))
    assert rows[0] == (
        "Periode",
        "Gebied",
        "Waarde",
        "Gemiddelde",
        "Ondergrens",
        "Bovengrens",
        "Signaal",
        "Verhalen",
    )
    assert len(rows) == 25
    first, last = rows[1], rows[-1]
    assert first[0] == "2024-01" and first[2] == 20
    assert isinstance(first[3], float) and first[4] < first[3] < first[5]
    assert last[2] == 60 and last[6] == "zorgwekkend" and last[7] == 1
    about = dict(workbook["Over dit cijfer"].iter_rows(values_only=True))
    assert about["Indicator"] == "Wachttijd jeugdhulp"
    assert about["Gebied"] == "Hele gemeente"
    assert about["Gewenste richting"] == "Lager is beter"


def test_a_district_export_holds_that_district(client, session):
    indicator, _ = _figure(session)
    centrum = make_area(session, code="WK000101", name="Centrum")
    _series(session, indicator, [30, 31] * 12, area=centrum)
    login(client, session, "viewer")
    response = client.get("/indicators/wachttijd/export.csv?area=WK000101")
    assert 'filename="wachttijd-WK000101.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {row["area"] for row in rows} == {"WK000101"}
    assert [row["value"] for row in rows[:2]] == ["30", "31"]
    workbook = load_workbook(
        io.BytesIO(client.get("/indicators/wachttijd/export.xlsx?area=WK000101").content)
    )
    assert dict(workbook.worksheets[1].iter_rows(values_only=True))["Gebied"] == "Centrum"
    assert client.get("/indicators/wachttijd/export.csv?area=WK404").status_code == 404


def _small_district(session):
    """A district series of small counts (3 and 4) with one larger value (9)."""
    indicator = make_indicator(
        session, slug="klein", name="Kleine aantallen", frequency=Frequency.month
    )
    area = make_area(session, code="WK000109", name="Klein")
    _series(session, indicator, [3, 4] * 6 + [9], area=area)
    return indicator


def test_masking_holds_in_every_export(client, session, settings):
    _small_district(session)
    settings(public_read=True)
    plain = client.get("/indicators/klein/export.csv?area=WK000109")
    rows = list(csv.DictReader(io.StringIO(plain.content.decode())))
    small = [row for row in rows if row["period"] != "2025-01"]
    assert {row["value"] for row in small} == {"minder dan 5"}
    assert rows[-1]["value"] == "9"
    # the mean and limits of a segment whose baseline holds a hidden value would give
    # it back (secondary suppression, app/figures/suppression.py): left out
    for row in rows:
        assert row["mean"] == row["lower_limit"] == row["upper_limit"] == "", row

    excel = client.get("/indicators/klein/export.csv?area=WK000109&dialect=excel-nl")
    cells = [
        row[2] for row in csv.reader(io.StringIO(excel.content.decode("utf-8-sig")), delimiter=";")
    ]
    assert "3" not in cells and "4" not in cells and "minder dan 5" in cells

    workbook = load_workbook(
        io.BytesIO(client.get("/indicators/klein/export.xlsx?area=WK000109").content)
    )
    values = [row[2] for row in workbook["Waarden"].iter_rows(min_row=2, values_only=True)]
    assert 3 not in values and 4 not in values and values[-1] == 9
    assert values.count("minder dan 5") == 12


def test_staff_export_shows_the_true_small_numbers(client, session, settings):
    _small_district(session)
    settings(public_read=True)
    login(client, session, "viewer")
    rows = list(
        csv.DictReader(io.StringIO(client.get("/indicators/klein/export.csv?area=WK000109").text))
    )
    assert [row["value"] for row in rows[:2]] == ["3", "4"]


def test_masking_holds_on_the_districts_page_and_overview(client, session, settings):
    _small_district(session)
    settings(public_read=True)
    districts = client.get("/indicators/klein/districts").text
    specs = re.findall(r'class="chart-spec" data-target="chart-WK000109">(.*?)</script>', districts)
    assert specs and '"value": 3' not in specs[0] and '"value": 4' not in specs[0]
    # the shared scale is computed from what may be shown only: nothing below 5
    low = re.search(r'"scale": \{"domain": \[([0-9.]+),', specs[0])
    assert low and float(low.group(1)) >= 5
    overview = client.get("/indicators?area=WK000109").text
    sparks = re.findall(r'data-target="spark-\d+">(.*?)</script>', overview)
    assert sparks and '"value": 3' not in sparks[0] and '"value": 4' not in sparks[0]


def test_year_before_counts_twelve_months_back():
    assert year_before(date(2026, 12, 2)) == date(2025, 12, 3)
    assert year_before(date(2024, 2, 29)) == date(2023, 3, 1)


def test_csv_dialects_from_rows():
    from app.figures.exports import ExportRow
    from app.security.small_numbers import Masked

    rows = [ExportRow("2024-01", "WK1", Masked(5), 12.34567, 1.0, 20.5, "common", 2)]
    assert to_csv(rows, "plain", "en").decode() == (
        "period,area,value,mean,lower_limit,upper_limit,signal,stories\r\n"
        "2024-01,WK1,fewer than 5,12.3457,1,20.5,common,2\r\n"
    )
    assert to_csv(rows, "excel-nl", "nl").decode("utf-8-sig").splitlines()[1] == (
        "2024-01;WK1;minder dan 5;12,3457;1;20,5;gewone variatie;2"
    )


def test_municipality_area_code_means_the_whole_municipality(client, session):
    _figure(session)
    session.add(Area(code="GM0001", name="Gemeente", kind=AreaKind.municipality))
    session.commit()
    login(client, session, "viewer")
    html = client.get("/indicators?area=GM0001").text
    assert '<span class="overview-value">60</span>' in html


def test_secondary_suppression_holds_in_the_overview_and_exports(client, session, settings):
    """A small value in one district hides the smallest other district value of that
    period too (app/figures/suppression.py): the overview and the downloads of that other
    district never show it."""
    indicator = make_indicator(session, slug="paar", name="Twee wijken", frequency=Frequency.month)
    small = make_area(session, code="WK000201", name="Klein")
    other = make_area(session, code="WK000202", name="Ander")
    _series(session, indicator, [3] + [30, 31] * 6, area=small)
    _series(session, indicator, [23] + [40, 41] * 6, area=other)
    settings(public_read=True)

    rows = list(
        csv.DictReader(io.StringIO(client.get("/indicators/paar/export.csv?area=WK000202").text))
    )
    assert rows[0]["value"] == "afgeschermd (beschermt een klein aantal)"
    assert "23" not in {row["value"] for row in rows}
    workbook = load_workbook(
        io.BytesIO(client.get("/indicators/paar/export.xlsx?area=WK000202").content)
    )
    values = [row[2] for row in workbook["Waarden"].iter_rows(min_row=2, values_only=True)]
    assert 23 not in values and values[0] == "afgeschermd (beschermt een klein aantal)"

    html = client.get("/indicators?area=WK000202").text
    spark = re.findall(r'data-target="spark-\d+">(.*?)</script>', html)[0]
    assert '"value": 23' not in spark and '"value": null' in spark
    assert "van 23" not in unescape(html)
    districts = client.get("/indicators/paar/districts").text
    assert '"value": 23' not in districts and '"value": 3.0' not in districts


def test_the_no_javascript_images_share_the_scale_too(client, session):
    indicator, _ = _figure(session)
    low = make_area(session, code="WK000101", name="Laag")
    _series(session, indicator, [10, 11] * 12, area=low)
    high = make_area(session, code="WK000102", name="Hoog")
    _series(session, indicator, [90, 95] * 12, area=high)
    login(client, session, "viewer")
    html = client.get("/indicators/wachttijd/districts").text
    urls = re.findall(r'<img class="chart-svg" src="([^"]+)"', html)
    assert len(urls) == 2
    scales = {re.search(r"scale=([^&]+)", unescape(url)).group(1) for url in urls}
    assert len(scales) == 1  # one scale for both
    svg = client.get(unescape(urls[0]))
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    bad = client.get("/indicators/wachttijd/chart.svg?scale=9/1")
    assert bad.status_code == 422
    assert "verwacht twee getallen LAAG/HOOG" in bad.text
