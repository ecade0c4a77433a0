"""``duiding import cbs``: CBS StatLine (v3 TypedDataSet, v4 Observations) into observations.

Offline: the fixtures under tests/fixtures/cbs answer through httpx's MockTransport.
"""

import json
from pathlib import Path

import httpx
import pytest
from sqlmodel import func, select
from typer.testing import CliRunner

from app.cli import app as cli
from app.figures import cbs
from app.models import Area, Frequency, Observation
from tests.factories import make_indicator

FIXTURES = Path(__file__).parent / "fixtures" / "cbs"
runner = CliRunner()


def fixture_for(request: httpx.Request) -> Path | None:
    """The fixture answering ``request``: v3 under cbs/, v4 under cbs/v4/ (pages by $skip)."""
    path = request.url.path
    name = path.rsplit("/", 1)[-1]
    if "/odata/v1/CBS/85039NED/" in path:
        skip = request.url.params.get("$skip")
        found = FIXTURES / "v4" / (f"{name}-skip{skip}.json" if skip else f"{name}.json")
    elif "/ODataApi/odata/85039NED/" in path:
        found = FIXTURES / f"{name}.json"
    else:
        return None
    return found if found.exists() else None


def mock_client(monkeypatch, handler) -> list[dict]:
    """Send every CBS request to ``handler``; return the options each client was made with."""
    made = []
    real = httpx.Client

    def client(**options):
        made.append(options)
        return real(transport=httpx.MockTransport(handler), **options)

    monkeypatch.setattr(cbs.httpx, "Client", client)
    return made


@pytest.fixture
def cbs_responses(monkeypatch):
    """Answer CBS requests from the recorded fixtures; remember the requests."""
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        path = fixture_for(request)
        if path is None:
            return httpx.Response(404)
        return httpx.Response(200, json=json.loads(path.read_text()))

    mock_client(monkeypatch, handler)
    return seen


def invoke(*extra):
    args = ["import", "cbs", "85039NED", "--measure", "Bijstandsuitkeringen_1"]
    return runner.invoke(cli, [*args, "--indicator", "bijstand", *extra])


def test_cbs_table_is_imported_with_areas_created(session, cbs_responses):
    make_indicator(session, slug="bijstand", frequency=Frequency.quarter)
    result = invoke("--region-prefix", "GM0193")
    assert result.exit_code == 0, result.output
    assert "3 inserted, 0 updated, 0 unchanged; 2 areas created" in result.output
    assert cbs_responses[0].url.params["$filter"] == "startswith(RegioS,'GM0193')"
    session.rollback()
    areas = session.exec(select(Area.code, Area.name, Area.kind).order_by(Area.code)).all()
    assert areas == [
        ("GM0193", "Zwolle", "municipality"),
        ("WK019301", "Wijk 01 Binnenstad", "district"),
    ]
    assert sorted(session.exec(select(Observation.value)).all()) == [310.0, 2410.0, 2450.0]
    again = invoke()
    assert "0 inserted, 0 updated, 3 unchanged; 0 areas created" in again.output


def test_wrong_frequency_imports_nothing(session, cbs_responses):
    make_indicator(session, slug="bijstand", frequency=Frequency.month)
    result = invoke()
    assert result.exit_code == 1
    assert "'2023KW04' is a quarter, but this indicator is measured per month" in result.output
    session.rollback()
    assert session.exec(select(func.count()).select_from(Observation)).one() == 0
    assert session.exec(select(func.count()).select_from(Area)).one() == 0


def test_unknown_measure_and_table(session, cbs_responses):
    make_indicator(session, slug="bijstand", frequency=Frequency.quarter)
    result = runner.invoke(
        cli, ["import", "cbs", "85039NED", "--measure", "Nope", "--indicator", "bijstand"]
    )
    assert result.exit_code == 1
    assert "the table has no measure 'Nope'" in result.output
    missing = runner.invoke(
        cli, ["import", "cbs", "00000NED", "--measure", "X", "--indicator", "bijstand"]
    )
    assert missing.exit_code == 1
    assert "CBS does not know" in missing.output and "00000NED" in missing.output


@pytest.mark.parametrize("api", ["v3", "v4"])
@pytest.mark.parametrize(
    ("failure", "message"),
    [
        (httpx.ConnectError("no route to host"), "(no route to host)"),
        (httpx.ReadTimeout("timed out"), "(timed out)"),
    ],
)
def test_offline_or_slow_cbs_gives_a_clear_message(session, monkeypatch, api, failure, message):
    make_indicator(session, slug="bijstand", frequency=Frequency.quarter)

    def offline(request):
        raise failure

    made = mock_client(monkeypatch, offline)
    result = invoke("--api", api)
    assert result.exit_code == 1
    assert f"cannot reach CBS open data {message}; are you offline?" in result.output
    assert made and all(options["timeout"] == cbs.TIMEOUT for options in made)
    session.rollback()
    assert session.exec(select(func.count()).select_from(Area)).one() == 0


def invoke_v4(*extra, measure="M001534"):
    args = ["import", "cbs", "85039NED", "--api", "v4", "--measure", measure]
    return runner.invoke(cli, [*args, "--indicator", "bijstand", *extra])


def test_v4_observations_are_imported_across_pages(session, cbs_responses):
    make_indicator(session, slug="bijstand", frequency=Frequency.quarter)
    result = invoke_v4()
    assert result.exit_code == 0, result.output
    assert "4 inserted, 0 updated, 0 unchanged; 3 areas created" in result.output
    observations = [r for r in cbs_responses if r.url.path.endswith("/Observations")]
    assert [r.url.params.get("$skip") for r in observations] == [None, "3"]
    assert observations[0].url.params["$filter"] == "Measure eq 'M001534'"
    session.rollback()
    areas = session.exec(select(Area.code, Area.name, Area.kind).order_by(Area.code)).all()
    assert areas == [
        ("GM0193", "Zwolle", "municipality"),
        ("WK019301", "Wijk 01 Binnenstad", "district"),
        ("WK019302", "Wijk 02 Diezerpoort", "district"),
    ]
    values = session.exec(
        select(Area.code, Observation.period_start, Observation.value, Observation.source)
        .join(Area, Area.id == Observation.area_id)
        .order_by(Area.code, Observation.period_start)
    ).all()
    assert [(code, start.isoformat(), value) for code, start, value, _ in values] == [
        ("GM0193", "2023-10-01", 2450.0),
        ("GM0193", "2024-01-01", 2410.0),
        ("WK019301", "2023-10-01", 310.0),
        ("WK019302", "2024-01-01", 205.0),
    ]
    assert {source for *_, source in values} == {"CBS 85039NED"}
    again = invoke_v4()
    assert "0 inserted, 0 updated, 4 unchanged; 0 areas created" in again.output


def test_v4_filter_names_the_tables_region_column_and_quotes_the_prefix(session, cbs_responses):
    make_indicator(session, slug="bijstand", frequency=Frequency.quarter)
    invoke_v4("--region-prefix", "WK0193'")
    observations = next(r for r in cbs_responses if r.url.path.endswith("/Observations"))
    expected = "Measure eq 'M001534' and startswith(WijkenEnBuurten,'WK0193''')"
    assert observations.url.params["$filter"] == expected
    assert observations.url.params["$select"] == "WijkenEnBuurten,Perioden,Value"


def test_v4_refusals_change_nothing(session, cbs_responses):
    make_indicator(session, slug="bijstand", frequency=Frequency.month)
    unknown = invoke_v4(measure="M999999")
    assert unknown.exit_code == 1
    assert "the table has no measure 'M999999'" in unknown.output
    wrong = invoke_v4()
    assert wrong.exit_code == 1
    assert "'2023KW04' is a quarter, but this indicator is measured per month" in wrong.output
    missing = runner.invoke(
        cli,
        ["import", "cbs", "00000NED", "--api", "v4", "--measure", "M1", "--indicator", "bijstand"],
    )
    assert missing.exit_code == 1
    assert (
        "CBS has no OData v4 Observations for table 00000NED; leave out --api v4 to read its "
        "v3 TypedDataSet" in " ".join(missing.output.split())
    )
    session.rollback()
    assert session.exec(select(func.count()).select_from(Observation)).one() == 0
    assert session.exec(select(func.count()).select_from(Area)).one() == 0
