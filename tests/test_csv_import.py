"""CSV import of observations through ``duiding import observations``: all or nothing."""

import pytest
from sqlmodel import func, select
from typer.testing import CliRunner

from app.cli import app as cli
from app.figures import csv_import, staging
from app.figures.readers import parse_number
from app.models import Area, AuditEntry, Frequency, Observation, ObservationRevision
from tests.factories import make_area, make_indicator

runner = CliRunner()


@pytest.fixture
def figures(session):
    make_indicator(session, slug="wmo", frequency=Frequency.month)
    make_indicator(session, slug="bijstand", frequency=Frequency.quarter)
    make_area(session, code="WK019301")


def run(tmp_path, content: str | bytes, name="cijfers.csv"):
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return runner.invoke(cli, ["import", "observations", str(path)])


def stored(session):
    session.rollback()  # end the test's own read snapshot, to see what the CLI wrote
    return sorted(
        (o.period_start.isoformat(), o.area_id is not None, o.value, o.source)
        for o in session.exec(select(Observation))
    )


def test_comma_file_is_imported(tmp_path, session, figures):
    result = run(
        tmp_path,
        "indicator,period,area,value\n"
        "wmo,2024-01,,10\n"
        "wmo,2024-02,WK019301,2.5\n"
        "bijstand,2024KW01,,1200\n",
    )
    assert result.exit_code == 0, result.output
    assert "3 inserted, 0 updated, 0 unchanged" in result.output
    assert stored(session) == [
        ("2024-01-01", False, 10.0, "cijfers.csv"),
        ("2024-01-01", False, 1200.0, "cijfers.csv"),
        ("2024-02-01", True, 2.5, "cijfers.csv"),
    ]
    session.rollback()
    actors = session.exec(select(AuditEntry.actor).where(AuditEntry.entity == "observation"))
    assert sorted(actors) == ["import:cijfers.csv", "import:cijfers.csv"]


def test_dutch_spreadsheet_with_bom_semicolons_and_decimal_commas(tmp_path, session, figures):
    result = run(
        tmp_path,
        (
            "\ufeffindicator;period;area;value\r\n"
            "wmo;mrt 2024;;1.234,5\r\n"
            "wmo;04-2024;WK019301;1.234\r\n"
            "\r\n"
            "wmo;2024-05;;-0,5\r\n"
        ).encode("utf-8"),
    )
    assert result.exit_code == 0, result.output
    assert [value for _, _, value, _ in stored(session)] == [1234.5, 1234.0, -0.5]
    again = run(tmp_path, "INDICATOR;PERIOD;AREA;VALUE\nwmo;2024-03;;1234,5\nwmo;2024-05;;7\n")
    assert "0 inserted, 1 updated, 1 unchanged" in again.output
    session.rollback()
    assert len(session.exec(select(ObservationRevision)).all()) == 1


@pytest.mark.parametrize(
    ("content", "messages"),
    [
        ("", ["line 1: the file is empty; expected a header such as indicator,period,area,value"]),
        (
            "indicator,wanneer,hoeveel\nwmo,2024-01,1\n",
            [
                "line 1: no column holds the values; name it (value column) or choose a wide "
                "layout; the columns are indicator, wanneer, hoeveel"
            ],
        ),
        ("indicator,period,area,value\n", ["line 2: the file has a header but no rows"]),
        (
            "indicator,period,area,value\nwmo,2024-01,,1\nnope,2024-01,,1\n",
            ["line 3, column indicator: unknown indicator 'nope'"],
        ),
        (
            "indicator,period,area,value\nwmo,2024-01,WK000000,1\n",
            ["line 2, column area: unknown area 'WK000000'"],
        ),
        (
            "indicator,period,area,value\nbijstand,2024-03,,1\n",
            [
                "line 2, column period: '2024-03' is a month, but this indicator is measured "
                "per quarter (e.g. 2024-Q1)"
            ],
        ),
        (
            "indicator,period,area,value\nwmo,gisteren,,1\n",
            [
                "line 2, column period: 'gisteren' is not a period; this indicator is "
                "measured per month (e.g. 2024-03)"
            ],
        ),
        (
            "indicator,period,area,value\nwmo,2024-01,,\n",
            ["line 2, column value: the value is empty"],
        ),
        (
            "indicator,period,area,value\nwmo,2024-01,,NaN\nwmo,2024-02,,-inf\nwmo,2024-03,,veel\n",
            [
                "line 2, column value: nan is not a number one can store",
                "line 3, column value: -inf is not a number one can store",
                "line 4, column value: 'veel' is not a number",
            ],
        ),
        (
            "indicator,period,area,value\nwmo,2024-01,,1\nwmo,jan 2024,,2\n",
            ["line 3, column period: 2024-01 for the whole municipality also appears in line 2"],
        ),
        (
            "indicator,period,area,value\nwmo,2024-01,1\n",
            ["line 2: expected 4 fields, found 3"],
        ),
    ],
)
def test_bad_file_is_refused_with_every_problem_and_nothing_stored(
    tmp_path, session, figures, content, messages
):
    result = run(tmp_path, content)
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    for message in messages:
        assert message in output
    count = len(messages)
    assert (
        f"{count} problem{'s' if count > 1 else ''} in cijfers.csv; nothing was imported" in output
    )
    session.rollback()
    assert session.exec(select(func.count()).select_from(Observation)).one() == 0


def test_one_bad_line_among_good_ones_writes_nothing(tmp_path, session, figures):
    lines = "".join(f"wmo,{year}-01,,{year}\n" for year in range(1990, 2024))
    result = run(tmp_path, "indicator,period,area,value\n" + lines + "wmo,2024-13,,1\n")
    assert result.exit_code == 1
    assert "line 36, column period: '2024-13' has no month 13" in result.output
    assert stored(session) == []


def test_windows_1252_file_is_read_and_names_match_their_area(tmp_path, session, figures):
    make_area(session, code="WK019309", name="Zuidéén")
    content = "indicator;period;area;value\nwmo;2024-01;ZUIDEEN;1\nwmo;2024-02;Zuidéén;2\n"
    result = run(tmp_path, content.encode("cp1252"))
    assert result.exit_code == 0, result.output
    assert "2 inserted" in result.output
    session.rollback()
    codes = session.exec(select(Area.code).join(Observation, Observation.area_id == Area.id))
    assert set(codes) == {"WK019309"}


def test_missing_file(tmp_path, env):
    result = runner.invoke(cli, ["import", "observations", str(tmp_path / "nope.csv")])
    assert result.exit_code == 1
    assert "nope.csv is not a file" in result.output


@pytest.mark.parametrize(
    ("text", "delimiter", "value"),
    [
        ("1.234,5", ";", 1234.5),
        ("1.234.567", ";", 1234567.0),
        ("1.234", ";", 1234.0),
        ("1.234", ",", 1.234),
        ("0,25", ",", 0.25),
        (" 12 ", ",", 12.0),
        ("", ";", None),
    ],
)
def test_parse_number(text, delimiter, value):
    assert parse_number(text, delimiter) == value


def test_repeats_are_found_across_batches_and_named_by_their_first_line(
    tmp_path, session, figures, monkeypatch
):
    monkeypatch.setattr(staging, "BATCH", 2)
    lines = "".join(f"wmo,{year}-01,WK019301,{year}\n" for year in range(2001, 2008))
    result = run(
        tmp_path,
        "indicator,period,area,value\n" + lines + "wmo,jan 2003,WK019301,1\nwmo,2007-01,,1\n",
    )
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert "line 9, column period: 2003-01 for area WK019301 also appears in line 4" in output
    assert "1 problem in cijfers.csv; nothing was imported" in output
    assert stored(session) == []


def test_reimport_in_batches_revises_changed_values_and_keeps_the_old_ones(
    tmp_path, session, figures, monkeypatch
):
    monkeypatch.setattr(staging, "BATCH", 2)
    first = "".join(
        f"wmo,2024-{m:02d},{area},{m}\n" for m in range(1, 6) for area in ("", "WK019301")
    )
    assert run(tmp_path, "indicator,period,area,value\n" + first, "eerst.csv").exit_code == 0
    second = "wmo,2024-01,,1\nwmo,2024-02,WK019301,20\nwmo,2024-03,,30\nwmo,2024-06,,6\n"
    result = run(tmp_path, "indicator,period,area,value\n" + second, "later.csv")
    assert "1 inserted, 2 updated, 1 unchanged" in result.output
    session.rollback()
    values = {
        (start.isoformat(), area_id is not None): (value, source)
        for start, area_id, value, source in session.exec(
            select(
                Observation.period_start, Observation.area_id, Observation.value, Observation.source
            )
        )
    }
    assert values[("2024-02-01", True)] == (20.0, "later.csv")
    assert values[("2024-03-01", False)] == (30.0, "later.csv")
    assert values[("2024-01-01", False)] == (1.0, "eerst.csv")
    assert values[("2024-06-01", False)] == (6.0, "later.csv")
    assert len(values) == 11
    revisions = session.exec(
        select(ObservationRevision.value, ObservationRevision.source).order_by(
            ObservationRevision.value
        )
    ).all()
    assert revisions == [(2.0, "eerst.csv"), (3.0, "eerst.csv")]


def test_reading_stops_after_too_many_problems(tmp_path, session, figures, monkeypatch):
    monkeypatch.setattr(csv_import, "MAX_PROBLEMS", 3)
    lines = "".join(f"wmo,2024-{m:02d},,x\n" for m in range(1, 10))
    result = run(tmp_path, "indicator,period,area,value\n" + lines)
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert "line 4, column value: 'x' is not a number" in output
    assert "line 5, column value" not in output
    assert "line 4: stopped after 3 problems; the rest of the file was not checked" in output
    assert stored(session) == []
