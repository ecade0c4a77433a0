"""``duiding import cbs``: CBS StatLine tables as CBS publishes them, v3 and v4, into observations.

Offline: a fake CBS (httpx MockTransport) answers from the recorded-shape fixtures under
tests/fixtures/cbs (see its README), and honours ``$filter``, ``$top`` and ``$skip``
as CBS does, so a wrong query gives wrong figures here too.
"""

import html
import json
import re
from pathlib import Path

import httpx
import pytest
from sqlmodel import func, select
from typer.testing import CliRunner

from app.cli import app as cli
from app.figures import cbs
from app.models import Area, Frequency, Indicator, Observation, ObservationRevision
from tests.factories import make_area, make_indicator

FIXTURES = Path(__file__).parent / "fixtures" / "cbs"
runner = CliRunner()
REAL_CLIENT = httpx.Client
_EQ = re.compile(r"^(\w+) eq '((?:[^']|'')*)'$")
_STARTS = re.compile(r"^startswith\((\w+),'((?:[^']|'')*)'\)$")


def _service(request: httpx.Request) -> str | None:
    host, path = request.url.host, request.url.path
    if host == "datasets.cbs.nl" and path.startswith("/odata/v1/CBS/"):
        return "v4"
    if path.startswith("/ODataApi/odata/"):
        return "dataderden" if host == "dataderden.cbs.nl" else "v3"
    return None


def _matches(row: dict, where: str) -> bool:
    """Evaluate the OData filters the importer writes: ``K eq 'V'`` and startswith, and-ed."""
    for part in where.split(" and "):
        if found := _EQ.match(part):
            if row.get(found[1]) != found[2].replace("''", "'"):
                return False
        elif found := _STARTS.match(part):
            if not str(row.get(found[1], "")).startswith(found[2].replace("''", "'")):
                return False
        else:
            raise AssertionError(f"unexpected filter {part!r}")
    return True


def cbs_answer(request: httpx.Request) -> httpx.Response:
    """Answer as CBS would from the fixtures: 404 with CBS's error body for the unknown."""
    service = _service(request)
    parts = request.url.path.rstrip("/").split("/")
    table, collection = parts[-2], parts[-1]
    skip = request.url.params.get("$skip")
    name = f"{collection}-skip{skip}.json" if skip and service == "v4" else f"{collection}.json"
    path = FIXTURES / (service or "-") / table / name
    if not path.exists():
        error = {"odata.error": {"code": "", "message": {"lang": "nl-NL", "value": "Not found"}}}
        return httpx.Response(404, json=error)
    body = json.loads(path.read_text())
    if ("value" in body and service != "v4") or (collection == "Observations" and not skip):
        rows = body["value"]
        if where := request.url.params.get("$filter"):
            rows = [row for row in rows if _matches(row, where)]
        if service != "v4":
            start = int(skip or 0)
            rows = rows[start : start + int(request.url.params.get("$top", 10**9))]
        body = {**body, "value": rows}
    return httpx.Response(200, json=body)


def mock_client(monkeypatch, handler) -> list[dict]:
    """Send every CBS request to ``handler``; return the options each client was made with."""
    made = []

    def client(**options):
        made.append(options)
        return REAL_CLIENT(transport=httpx.MockTransport(handler), **options)

    monkeypatch.setattr(httpx, "Client", client)
    return made


@pytest.fixture
def cbs_responses(monkeypatch):
    """Answer CBS requests from the recorded fixtures; remember the requests."""
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return cbs_answer(request)

    mock_client(monkeypatch, handler)
    return seen


def cbs_import(table, measure, indicator="bijstand", *extra):
    args = ["import", "cbs", table, "--measure", measure, "--indicator", indicator, *extra]
    return runner.invoke(cli, args)


def invoke(*extra):
    return cbs_import("85039NED", "Bijstandsuitkeringen_1", "bijstand", *extra)


def output(result) -> str:
    return " ".join(result.output.split())


def values(session):
    session.rollback()  # end the test's own read snapshot, to see what the CLI wrote
    rows = session.exec(
        select(Area.code, Observation.period_start, Observation.value, Observation.status)
        .join(Area, Area.id == Observation.area_id)
        .order_by(Area.code, Observation.period_start)
    ).all()
    return [(code, start.isoformat(), value, status) for code, start, value, status in rows]


def areas(session):
    session.rollback()
    parents = {area.id: area.code for area in session.exec(select(Area))}
    return [
        (area.code, area.name, area.kind, parents.get(area.parent_id))
        for area in session.exec(select(Area).order_by(Area.code))
    ]


def counts(session):
    session.rollback()
    return (
        session.exec(select(func.count()).select_from(Observation)).one(),
        session.exec(select(func.count()).select_from(Area)).one(),
    )


def test_per_municipality_table_with_regios_and_perioden(session, cbs_responses):
    make_indicator(session, slug="bijstand", frequency=Frequency.quarter)
    result = invoke("--region-prefix", "GM0193")
    assert result.exit_code == 0, result.output
    assert "2 inserted, 0 updated, 0 unchanged; 1 areas created" in result.output
    data = next(r for r in cbs_responses if r.url.path.endswith("/TypedDataSet"))
    assert data.url.params["$filter"] == "startswith(RegioS,'GM0193')"
    assert data.url.params["$select"] == "RegioS,Perioden,Bijstandsuitkeringen_1"
    assert values(session) == [
        ("GM0193", "2023-10-01", 2450.0, "definitive"),
        ("GM0193", "2024-01-01", 2410.0, "provisional"),
    ]
    assert areas(session) == [("GM0193", "Zwolle", "municipality", None)]
    everything = invoke()
    assert "1 inserted, 0 updated, 2 unchanged; 1 areas created" in everything.output
    assert areas(session)[1] == ("WK019301", "Wijk 01 Binnenstad", "district", "GM0193")
    session.rollback()
    assert session.exec(select(Indicator.unit).where(Indicator.slug == "bijstand")).one()


def test_kerncijfers_wijken_en_buurten_has_no_period_dimension(session, cbs_responses):
    make_indicator(session, slug="inwoners", frequency=Frequency.year)
    result = cbs_import("85984NED", "AantalInwoners_5", "inwoners")
    assert result.exit_code == 0, result.output
    assert "6 inserted, 0 updated, 0 unchanged; 6 areas created" in result.output
    assert "period 2024" in output(result)
    data = next(r for r in cbs_responses if r.url.path.endswith("/TypedDataSet"))
    assert data.url.params["$select"] == "WijkenEnBuurten,AantalInwoners_5"
    assert "$filter" not in data.url.params
    assert areas(session) == [
        ("BU01930000", "Binnenstad-Centrum", "neighbourhood", "WK019300"),
        ("BU01930001", "Binnenstad-Noord", "neighbourhood", "WK019300"),
        ("BU01930100", "Oud-Diezerpoort", "neighbourhood", "WK019301"),
        ("GM0193", "Zwolle", "municipality", None),
        ("WK019300", "Wijk 00 Binnenstad", "district", "GM0193"),
        ("WK019301", "Wijk 01 Diezerpoort", "district", "GM0193"),
    ]
    assert ("BU01930000", "2024-01-01", 3495.0, "") in values(session)


def test_multiplier_and_decimals_are_applied_and_recorded(session, cbs_responses):
    make_indicator(session, slug="woz", frequency=Frequency.year, unit="")
    result = cbs_import("85984NED", "GemiddeldeWOZWaardeVanWoningen_39", "woz")
    assert result.exit_code == 0, result.output
    text = output(result)
    assert "unit as published: x 1 000 euro, stored: euro (x 1000), decimals: 0" in text
    assert ("GM0193", "2024-01-01", 360000.0, "") in values(session)
    session.rollback()
    assert session.exec(select(Indicator.unit).where(Indicator.slug == "woz")).one() == "euro"
    sources = set(session.exec(select(Observation.source)))
    assert sources == {"CBS 85984NED GemiddeldeWOZWaardeVanWoningen_39"}


def test_a_table_period_that_is_not_one_period_needs_period(session, cbs_responses, tmp_path):
    make_indicator(session, slug="inwoners", frequency=Frequency.year)
    path = FIXTURES / "v3" / "85984NED" / "TableInfos.json"
    body = json.loads(path.read_text())
    body["value"][0]["Period"] = "2023-2024"

    def handler(request):
        if request.url.path.endswith("/TableInfos"):
            return httpx.Response(200, json=body)
        return cbs_answer(request)

    monkeypatch = pytest.MonkeyPatch()
    mock_client(monkeypatch, handler)
    try:
        refused = cbs_import("85984NED", "AantalInwoners_5", "inwoners")
        assert refused.exit_code == 1
        assert (
            "table 85984NED has no period dimension and its metadata names no single period "
            "(2023-2024); give it with --period, e.g. --period 2024" in output(refused)
        )
        assert counts(session) == (0, 0)
        given = cbs_import("85984NED", "AantalInwoners_5", "inwoners", "--period", "2023")
        assert given.exit_code == 0, given.output
        assert ("GM0193", "2023-01-01", 132411.0, "") in values(session)
    finally:
        monkeypatch.undo()


def test_an_empty_measure_is_a_warning_naming_it(session, cbs_responses):
    make_indicator(session, slug="laag-inkomen", frequency=Frequency.year)
    result = cbs_import("85984NED", "HuishoudensMetEenLaagInkomen_72", "laag-inkomen")
    assert result.exit_code == 0, result.output
    assert (
        "warning: the measure HuishoudensMetEenLaagInkomen_72 (Huishoudens met een laag "
        "inkomen) has no values in table 85984NED" in output(result)
    )
    assert "0 inserted, 0 updated, 0 unchanged" in result.output


def test_a_text_measure_is_refused(session, cbs_responses):
    make_indicator(session, slug="naam", frequency=Frequency.year)
    result = cbs_import("85984NED", "Gemeentenaam_1", "naam")
    assert result.exit_code == 1
    assert "the measure Gemeentenaam_1 holds text, not figures" in result.output
    assert counts(session) == (0, 0)


def test_extra_dimensions_default_to_their_totals(session, cbs_responses):
    make_indicator(session, slug="bevolking", frequency=Frequency.year)
    result = cbs_import("03759ned", "BevolkingOp1Januari_1", "bevolking")
    assert result.exit_code == 0, result.output
    data = next(r for r in cbs_responses if r.url.path.endswith("/TypedDataSet"))
    assert data.url.params["$filter"] == (
        "Geslacht eq 'T001038' and Leeftijd eq '10000  ' and BurgerlijkeStaat eq 'T001019'"
    )
    assert "Geslacht=T001038, Leeftijd=10000, BurgerlijkeStaat=T001019" in output(result)
    # The country and the province are no areas here: left out, and said so.
    assert "warning: 4 rows for regions that are not a municipality" in output(result)
    assert values(session) == [
        ("GM0193", "2023-01-01", 130592.0, "definitive"),
        ("GM0193", "2024-01-01", 132122.0, "definitive"),
    ]


def test_a_chosen_category_is_imported(session, cbs_responses):
    make_indicator(session, slug="vrouwen", frequency=Frequency.year)
    result = cbs_import(
        "03759ned", "BevolkingOp1Januari_1", "vrouwen", "--dimension", "geslacht=4000"
    )
    assert result.exit_code == 0, result.output
    data = next(r for r in cbs_responses if r.url.path.endswith("/TypedDataSet"))
    assert data.url.params["$filter"].startswith("Geslacht eq '4000   ' and ")
    assert [value for *_, value, _ in values(session)] == [66602.0, 67382.0]


def test_a_category_that_does_not_exist_lists_the_categories(session, cbs_responses):
    make_indicator(session, slug="bevolking", frequency=Frequency.year)
    result = cbs_import(
        "03759ned", "BevolkingOp1Januari_1", "bevolking", "--dimension", "Geslacht=5000"
    )
    assert result.exit_code == 1
    assert (
        "Geslacht has no category '5000'; its categories are T001038 (Totaal mannen en "
        "vrouwen); 3000 (Mannen); 4000 (Vrouwen)" in output(result)
    )
    unknown = cbs_import(
        "03759ned", "BevolkingOp1Januari_1", "bevolking", "--dimension", "Sekse=3000"
    )
    assert unknown.exit_code == 1
    assert (
        "the table has no dimension 'Sekse'; its other dimensions are Geslacht, Leeftijd, "
        "BurgerlijkeStaat" in output(unknown)
    )
    assert counts(session) == (0, 0)


def test_a_dimension_without_a_marked_total_must_be_chosen():
    dimension = cbs.Dimension("Taakveld", "Taakvelden", "Dimension")
    dimension.titles = {
        "6.71": "Maatwerkdienstverlening 18+",
        "6.72": "Maatwerkdienstverlening 18-",
    }
    shape = cbs.TableShape("45042NED", "", None, None, [dimension], {})
    with pytest.raises(cbs.CbsError) as refused:
        cbs.choose_categories(shape, {})
    assert str(refused.value) == (
        "choose a category of Taakveld (Taakvelden) with --dimension Taakveld=CATEGORY: "
        "6.71 (Maatwerkdienstverlening 18+); 6.72 (Maatwerkdienstverlening 18-)"
    )
    assert cbs.choose_categories(shape, {"taakveld": "6.72"}) == {"Taakveld": "6.72"}


def test_dataderden_police_crime_per_district(session, cbs_responses, monkeypatch):
    make_indicator(session, slug="misdrijven", frequency=Frequency.year)
    result = cbs_import(
        "47018NED", "GeregistreerdeMisdrijven_1", "misdrijven", "--source", "dataderden"
    )
    assert result.exit_code == 0, result.output
    assert {r.url.host for r in cbs_responses} == {"dataderden.cbs.nl"}
    data = next(r for r in cbs_responses if r.url.path.endswith("/TypedDataSet"))
    assert data.url.params["$filter"] == "SoortMisdrijf eq '0.0.0  '"
    assert values(session)[:2] == [
        ("BU01930000", "2023-01-01", 655.0, "definitive"),
        ("BU01930000", "2024-01-01", 645.0, "provisional"),
    ]


def test_service_addresses_are_settings(session, monkeypatch):
    monkeypatch.setenv("DUIDING_CBS_V3_URL", "http://mirror.gemeente.example/cbs/ODataApi/odata/")
    from app.config import get_settings

    get_settings.cache_clear()
    seen = []

    def handler(request):
        seen.append(request)
        moved = str(request.url).replace(
            "http://mirror.gemeente.example/cbs/", "https://opendata.cbs.nl/"
        )
        return cbs_answer(httpx.Request("GET", moved))

    mock_client(monkeypatch, handler)
    make_indicator(session, slug="bijstand", frequency=Frequency.quarter)
    result = invoke()
    assert result.exit_code == 0, result.output
    assert {r.url.host for r in seen} == {"mirror.gemeente.example"}
    assert seen[0].url.path == "/cbs/ODataApi/odata/85039NED/DataProperties"
    get_settings.cache_clear()


def test_a_later_definitive_value_is_a_revision(session, cbs_responses, monkeypatch):
    make_indicator(session, slug="bijstand", frequency=Frequency.quarter)
    assert invoke().exit_code == 0
    path = FIXTURES / "v3" / "85039NED" / "Perioden.json"
    periods = json.loads(path.read_text())
    periods["value"][1]["Status"] = "Definitief"

    def handler(request):
        if request.url.path.endswith("/Perioden"):
            return httpx.Response(200, json=periods)
        return cbs_answer(request)

    mock_client(monkeypatch, handler)
    result = invoke()
    assert result.exit_code == 0, result.output
    assert "0 inserted, 1 updated, 2 unchanged" in result.output
    assert ("GM0193", "2024-01-01", 2410.0, "definitive") in values(session)
    session.rollback()
    revisions = session.exec(select(ObservationRevision.value, ObservationRevision.status)).all()
    assert revisions == [(2410.0, "provisional")]


def test_a_provisional_value_shows_voorlopig_on_the_values_page(client, session, cbs_responses):
    from tests.factories import login

    make_indicator(session, slug="bijstand", frequency=Frequency.quarter)
    assert invoke().exit_code == 0
    login(client, session, "editor")
    page = client.get("/indicators/bijstand/values?area=GM0193")
    assert page.status_code == 200
    assert page.text.count("voorlopig") == 1
    api = client.get("/api/v1/indicators/bijstand/observations?area=GM0193").json()
    assert [item["status"] for item in api["items"]] == ["definitive", "provisional"]


def test_a_provisional_value_is_marked_in_the_period_table_and_the_chart(
    client, session, cbs_responses
):
    from tests.factories import login

    make_indicator(session, slug="bijstand", frequency=Frequency.quarter)
    assert invoke().exit_code == 0
    login(client, session, "editor")
    page = client.get("/indicators/bijstand?area=GM0193&lang=nl")
    assert page.status_code == 200
    assert page.text.count('<span class="status-provisional">voorlopig</span>') == 1
    (spec,) = [
        json.loads(html.unescape(found))
        for found in re.findall(
            r'<script type="application/json" class="chart-spec"[^>]*>(.*?)</script>', page.text
        )
    ][:1]
    points = spec["datasets"]["points"]
    assert [(p["label"], p["provisional"]) for p in points] == [
        ("2023-Q4", False),
        ("2024-Q1", True),
    ]
    assert points[1]["tip"]["Status"] == "voorlopig"
    assert "Status" not in points[0]["tip"]
    assert "voorlopige waarde (kan nog veranderen)" in page.text  # the legend names it


def test_wrong_frequency_imports_nothing(session, cbs_responses):
    make_indicator(session, slug="bijstand", frequency=Frequency.month)
    result = invoke()
    assert result.exit_code == 1
    assert "'2023KW04' is a quarter, but this indicator is measured per month" in result.output
    assert counts(session) == (0, 0)


def test_unknown_measure_and_table(session, cbs_responses):
    make_indicator(session, slug="bijstand", frequency=Frequency.quarter)
    result = cbs_import("85039NED", "Nope")
    assert result.exit_code == 1
    assert (
        "the table has no measure 'Nope'; its measures are Bijstandsuitkeringen_1 "
        "(Bijstandsuitkeringen); BijstandPer1000Inwoners_2" in output(result)
    )
    missing = cbs_import("00000NED", "X")
    assert missing.exit_code == 1
    assert "CBS does not know table 00000NED at https://opendata.cbs.nl/ODataApi/odata" in output(
        missing
    )


def test_cbs_error_text_is_passed_on_without_a_traceback(session, monkeypatch):
    make_indicator(session, slug="bijstand", frequency=Frequency.quarter)
    message = "De opgegeven filter is ongeldig: 'Perioden' is geen kolom van deze tabel."

    def handler(request):
        if request.url.path.endswith("/TypedDataSet"):
            body = {"odata.error": {"code": "", "message": {"lang": "nl-NL", "value": message}}}
            return httpx.Response(400, json=body)
        return cbs_answer(request)

    mock_client(monkeypatch, handler)
    result = invoke()
    assert result.exit_code == 1
    assert f"CBS answered with an error (400): {message}" in output(result)
    assert "Traceback" not in result.output
    assert counts(session) == (0, 0)


def test_v3_pages_through_a_table_larger_than_one_answer(session, cbs_responses, monkeypatch):
    monkeypatch.setattr(cbs, "PAGE", 3)
    make_indicator(session, slug="bijstand", frequency=Frequency.quarter)
    result = invoke()
    assert result.exit_code == 0, result.output
    assert "3 inserted" in result.output
    pages = [r.url.params.get("$skip") for r in cbs_responses if "TypedDataSet" in r.url.path]
    assert pages == [None, "3"]


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
    assert counts(session) == (0, 0)


def invoke_v4(*extra, measure="M001534", table="85039NED", indicator="bijstand"):
    return cbs_import(table, measure, indicator, "--api", "v4", *extra)


def test_v4_geodetail_observations_are_imported_across_pages(session, cbs_responses):
    make_indicator(session, slug="bijstand", frequency=Frequency.quarter)
    result = invoke_v4()
    assert result.exit_code == 0, result.output
    assert "4 inserted, 0 updated, 0 unchanged; 3 areas created" in result.output
    observations = [r for r in cbs_responses if r.url.path.endswith("/Observations")]
    assert [r.url.params.get("$skip") for r in observations] == [None, "3"]
    assert observations[0].url.params["$filter"] == "Measure eq 'M001534'"
    assert observations[0].url.params["$select"] == "WijkenEnBuurten,Perioden,Value"
    assert areas(session) == [
        ("GM0193", "Zwolle", "municipality", None),
        ("WK019301", "Wijk 01 Binnenstad", "district", "GM0193"),
        ("WK019302", "Wijk 02 Diezerpoort", "district", "GM0193"),
    ]
    assert values(session) == [
        ("GM0193", "2023-10-01", 2450.0, "definitive"),
        ("GM0193", "2024-01-01", 2410.0, "revised_provisional"),
        ("WK019301", "2023-10-01", 310.0, "definitive"),
        ("WK019302", "2024-01-01", 205.0, "revised_provisional"),
    ]
    again = invoke_v4()
    assert "0 inserted, 0 updated, 4 unchanged; 0 areas created" in again.output


def test_v4_table_without_a_time_dimension(session, cbs_responses):
    make_indicator(session, slug="inwoners", frequency=Frequency.year)
    result = invoke_v4(table="85984NED", measure="T001036", indicator="inwoners")
    assert result.exit_code == 0, result.output
    observations = next(r for r in cbs_responses if r.url.path.endswith("/Observations"))
    assert observations.url.params["$select"] == "WijkenEnBuurten,Value"
    assert values(session) == [
        ("BU01930000", "2024-01-01", 3495.0, ""),
        ("GM0193", "2024-01-01", 132411.0, ""),
        ("WK019300", "2024-01-01", 10230.0, ""),
    ]
    assert areas(session)[0] == (
        "BU01930000",
        "Binnenstad-Centrum",
        "neighbourhood",
        "WK019300",
    )


def test_v4_filter_names_the_tables_region_column_and_quotes_the_prefix(session, cbs_responses):
    make_indicator(session, slug="bijstand", frequency=Frequency.quarter)
    invoke_v4("--region-prefix", "WK0193'")
    observations = next(r for r in cbs_responses if r.url.path.endswith("/Observations"))
    expected = "Measure eq 'M001534' and startswith(WijkenEnBuurten,'WK0193''')"
    assert observations.url.params["$filter"] == expected


def test_v4_refusals_change_nothing(session, cbs_responses):
    make_indicator(session, slug="bijstand", frequency=Frequency.month)
    unknown = invoke_v4(measure="M999999")
    assert unknown.exit_code == 1
    assert "the table has no measure 'M999999'" in unknown.output
    wrong = invoke_v4()
    assert wrong.exit_code == 1
    assert "'2023KW04' is a quarter, but this indicator is measured per month" in wrong.output
    missing = invoke_v4(table="00000NED", measure="M1")
    assert missing.exit_code == 1
    assert (
        "CBS has no OData v4 Observations for table 00000NED; leave out --api v4 to read its "
        "v3 TypedDataSet" in output(missing)
    )
    assert counts(session) == (0, 0)


def test_existing_areas_keep_their_names(session, cbs_responses):
    make_area(session, code="GM0193", name="Gemeente Zwolle", kind="municipality")
    make_indicator(session, slug="bijstand", frequency=Frequency.quarter)
    assert invoke().exit_code == 0
    assert areas(session)[0][:2] == ("GM0193", "Gemeente Zwolle")
