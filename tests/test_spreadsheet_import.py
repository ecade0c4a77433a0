"""``duiding import observations`` with the spreadsheets municipalities have: workbooks,
wide layouts, columns named in Dutch or chosen by hand, areas by name."""

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from app.cli import app as cli
from app.figures.area_names import AreaMatcher, key
from app.models import Area, Frequency, Indicator, Observation
from tests.factories import make_area, make_indicator
from tests.spreadsheets import ods, xlsx

runner = CliRunner()


@pytest.fixture
def figures(session):
    make_indicator(session, slug="wmo", name="Wmo-cliënten", frequency=Frequency.year)
    make_indicator(session, slug="bijstand", name="Bijstand", frequency=Frequency.year)
    make_area(session, code="GM0193", name="Zwolle", kind="municipality")
    make_area(session, code="GM0518", name="'s-Gravenhage", kind="municipality")
    make_area(session, code="WK019301", name="Wijk 01 Binnenstad")
    make_area(session, code="WK019302", name="Súdwest")


def run(tmp_path, name, content, *options):
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return runner.invoke(cli, ["import", "observations", str(path), *options])


def stored(session):
    session.rollback()
    slugs = dict(session.exec(select(Indicator.id, Indicator.slug)).all())
    codes = dict(session.exec(select(Area.id, Area.code)).all())
    return sorted(
        (slugs[o.indicator_id], o.period_start.year, codes.get(o.area_id), o.value)
        for o in session.exec(select(Observation))
    )


def text(result) -> str:
    return " ".join(result.output.split())


def test_xlsx_long_layout_with_dutch_columns_and_area_names(tmp_path, session, figures):
    book = xlsx(
        {
            "Cijfers": [
                ["Indicator", "Periode", "Gemeente", "Waarde"],
                ["wmo", 2023, "ZWOLLE", 1200],
                ["wmo", 2023, "Den Haag", 5300.5],
                ["wmo", 2024, "gemeente Zwolle", 1250],
                [None, None, None, None],
                ["bijstand", "2024", "Sudwest", 12],
            ]
        }
    )
    result = run(tmp_path, "export.xlsx", book)
    assert result.exit_code == 0, result.output
    assert "4 inserted, 0 updated, 0 unchanged" in result.output
    assert stored(session) == [
        ("bijstand", 2024, "WK019302", 12.0),
        ("wmo", 2023, "GM0193", 1200.0),
        ("wmo", 2023, "GM0518", 5300.5),
        ("wmo", 2024, "GM0193", 1250.0),
    ]


def test_wide_periods_csv_from_dutch_excel_is_detected(tmp_path, session, figures):
    content = (
        "\ufeffGebied;2022;2023;2024\r\nZwolle;1.234,5;1.300;\r\nWijk 01 Binnenstad;10;11,5;12\r\n"
    )
    result = run(tmp_path, "reeks.csv", content, "--indicator", "wmo")
    assert result.exit_code == 0, result.output
    assert "5 inserted" in result.output
    assert stored(session) == [
        ("wmo", 2022, "GM0193", 1234.5),
        ("wmo", 2022, "WK019301", 10.0),
        ("wmo", 2023, "GM0193", 1300.0),
        ("wmo", 2023, "WK019301", 11.5),
        ("wmo", 2024, "WK019301", 12.0),
    ]


def test_wide_indicators_ods_by_slug_and_by_name(tmp_path, session, figures):
    book = ods(
        {
            "Blad1": [
                ["Jaar", "Wijk", "wmo", "Bijstand"],
                [2023, "WK019301", 40, 7],
                [2024, "WK019301", 42, None],
            ]
        }
    )
    result = run(tmp_path, "wijken.ods", book)
    assert result.exit_code == 0, result.output
    assert stored(session) == [
        ("bijstand", 2023, "WK019301", 7.0),
        ("wmo", 2023, "WK019301", 40.0),
        ("wmo", 2024, "WK019301", 42.0),
    ]


def test_flattened_cbs_csv_with_columns_named_by_hand(tmp_path, session, figures):
    content = (
        '"ID";"WijkenEnBuurten";"Perioden";"Bijstandsuitkeringen_1"\n'
        '"0";"GM0193  ";"2023JJ00";"2450"\n'
        '"1";"WK019301";"2023JJ00";"310"\n'
    )
    result = run(
        tmp_path,
        "85039NED_TypedDataSet.csv",
        content,
        "--indicator",
        "bijstand",
        "--column",
        "value=Bijstandsuitkeringen_1",
    )
    assert result.exit_code == 0, result.output
    assert stored(session) == [
        ("bijstand", 2023, "GM0193", 2450.0),
        ("bijstand", 2023, "WK019301", 310.0),
    ]


def test_the_sheet_and_layout_can_be_chosen(tmp_path, session, figures):
    book = xlsx(
        {
            "Toelichting": [["Bron: onderzoek en statistiek"]],
            "Data": [["Gebied", "2023", "2024"], ["Zwolle", 5, 6]],
        }
    )
    wrong = run(tmp_path, "a.xlsx", book, "--indicator", "wmo", "--sheet", "Gegevens")
    assert wrong.exit_code == 1
    assert "the workbook has no sheet 'Gegevens'; its sheets are Toelichting, Data" in text(wrong)
    result = run(
        tmp_path,
        "a.xlsx",
        book,
        "--indicator",
        "wmo",
        "--sheet",
        "Data",
        "--layout",
        "wide-periods",
    )
    assert result.exit_code == 0, result.output
    assert stored(session) == [("wmo", 2023, "GM0193", 5.0), ("wmo", 2024, "GM0193", 6.0)]


def test_unknown_area_names_are_listed_once_and_can_be_mapped(tmp_path, session, figures):
    content = "indicator,period,area,value\n" + "".join(
        f"wmo,{year},Zwole,{year}\n" for year in range(2000, 2020)
    )
    refused = run(tmp_path, "typo.csv", content)
    assert refused.exit_code == 1
    assert (
        "line 2, column area: unknown area 'Zwole' (rows: 20): use its CBS code, or map the "
        "name to an area" in text(refused)
    )
    assert "1 problem in typo.csv; nothing was imported" in text(refused)
    assert stored(session) == []
    mapped = run(tmp_path, "typo.csv", content, "--area", "Zwole=GM0193")
    assert mapped.exit_code == 0, mapped.output
    assert "20 inserted" in mapped.output


def test_a_fixed_period_for_a_file_without_one(tmp_path, session, figures):
    result = run(
        tmp_path, "p.csv", "gebied;aantal\nZwolle;3\n", "--indicator", "wmo", "--period", "2024"
    )
    assert result.exit_code == 0, result.output
    assert stored(session) == [("wmo", 2024, "GM0193", 3.0)]


@pytest.mark.parametrize(
    ("name", "content", "options", "message"),
    [
        (
            "a.csv",
            "gebied;2023\nZwolle;3\n",
            [],
            "line 1: name the figure: choose its column or one figure for all rows",
        ),
        (
            "a.csv",
            "indicator;gebied;waarde\nwmo;Zwolle;3\n",
            [],
            "line 1: name the period: choose its column or one period for all rows",
        ),
        (
            "a.csv",
            "indicator;period;value\nwmo;2024;3\n",
            ["--column", "area=Wijk"],
            "line 1: there is no column 'Wijk'; the columns are indicator, period, value",
        ),
        (
            "a.csv",
            "indicator;period;value\nwmo;2024-03;3\n",
            [],
            "line 2, column period: '2024-03' is a month, but this indicator is measured per year",
        ),
        (
            "a.csv",
            "indicator;period;value\nwmo;2024;drie\n",
            [],
            "line 2, column value: 'drie' is not a number",
        ),
        (
            "kapot.xlsx",
            b"PK\x03\x04 not really a workbook",
            [],
            "line 1: the file cannot be read as a spreadsheet",
        ),
        (
            "a.csv",
            "Jaar;Wijk;wmo;onbekend\n2024;WK019301;1;2\n",
            ["--layout", "wide-indicators"],
            "line 1: these columns are not figures that exist: onbekend",
        ),
    ],
)
def test_bad_input_says_what_to_do_and_stores_nothing(
    tmp_path, session, figures, name, content, options, message
):
    result = run(tmp_path, name, content, *options)
    assert result.exit_code == 1
    assert message in text(result)
    assert "nothing was imported" in text(result)
    assert stored(session) == []


def test_a_wrong_column_role_is_refused(tmp_path, session, figures):
    result = run(tmp_path, "a.csv", "a;b\n1;2\n", "--column", "bedrag=b")
    assert result.exit_code == 1
    assert "--column takes a role of indicator, period, area, value, not 'bedrag'" in text(result)


def test_names_match_without_case_accents_prefix_and_with_aliases():
    areas = [
        Area(code="GM0518", name="'s-Gravenhage"),
        Area(code="GM0796", name="'s-Hertogenbosch"),
        Area(code="GM1900", name="Súdwest-Fryslân"),
        Area(code="WK000101", name="Centrum"),
        Area(code="WK000201", name="Centrum"),
    ]
    matcher = AreaMatcher(areas, {"Het Centrum": "WK000101"})
    assert matcher.code("Den Haag") == "GM0518"
    assert matcher.code("S-GRAVENHAGE") == "GM0518"
    assert matcher.code("Den Bosch") == "GM0796"
    assert matcher.code("Gemeente Sudwest Fryslan") == "GM1900"
    assert matcher.code("gm0518") == "GM0518"
    assert matcher.code("Centrum") is None  # two areas have that name: ambiguous
    assert matcher.code("het centrum") == "WK000101"
    assert matcher.unknown == {"Centrum": 1}
    assert key("\u2019s-Gravenhage") == key("Den Haag")  # a typographic apostrophe
