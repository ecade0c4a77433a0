"""``duiding import cbs``: CBS StatLine TypedDataSet into observations, offline on fixtures."""

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


@pytest.fixture
def cbs_responses(monkeypatch):
    """Answer CBS requests from the recorded fixtures; remember the requests."""
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        name = request.url.path.rsplit("/", 1)[-1]
        path = FIXTURES / f"{name}.json"
        if "/85039NED/" not in request.url.path or not path.exists():
            return httpx.Response(404)
        return httpx.Response(200, json=json.loads(path.read_text()))

    real = httpx.Client
    monkeypatch.setattr(
        cbs.httpx, "Client", lambda **kw: real(transport=httpx.MockTransport(handler), **kw)
    )
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


def test_offline_gives_a_clear_message(session, monkeypatch):
    make_indicator(session, slug="bijstand", frequency=Frequency.quarter)

    def offline(request):
        raise httpx.ConnectError("no route to host")

    real = httpx.Client
    monkeypatch.setattr(
        cbs.httpx, "Client", lambda **kw: real(transport=httpx.MockTransport(offline), **kw)
    )
    result = invoke()
    assert result.exit_code == 1
    assert "cannot reach CBS open data (no route to host); are you offline?" in result.output
