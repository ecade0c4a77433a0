"""Import from Statistics Netherlands (CBS StatLine open data, OData v3 and v4).

A v3 table's ``TypedDataSet`` holds one row per region and period with one column
per measure, and ``RegioS`` lists the regions with their names; a v4 table's
``Observations`` hold one row per measure, region and period, with the region names
in ``<dimension>Codes``. Both are read into the same rows. Region codes become areas
(created with their CBS names when missing: GM municipality, WK district, BU
neighbourhood) and CBS period codes (2024JJ00, 2024KW01, 2024MM03) become periods.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from sqlmodel import Session

from app.figures.observations import ItemChecker, Problem, UpsertResult, upsert_observations
from app.models import Area, AreaKind, Indicator

V3_URL = "https://opendata.cbs.nl/ODataApi/odata"
V4_URL = "https://datasets.cbs.nl/odata/v1/CBS"
TIMEOUT = 30.0
KINDS = {"GM": AreaKind.municipality, "WK": AreaKind.district, "BU": AreaKind.neighbourhood}

Fetch = Callable[[str, dict[str, str]], list[dict]]


class CbsError(Exception):
    """CBS could not be reached or answered something unusable."""


class CbsNotFound(CbsError):
    """CBS answered 404: no such table (or no such table in this API)."""


def fetch_odata(url: str, params: dict[str, str]) -> list[dict]:
    """Return all rows of an OData collection, following v3 and v4 next links."""
    rows: list[dict] = []
    try:
        with httpx.Client(timeout=TIMEOUT) as client:
            next_url, next_params = url, params
            while next_url:
                response = client.get(next_url, params=next_params)
                if response.status_code == 404:
                    raise CbsNotFound(f"CBS does not know {url}")
                response.raise_for_status()
                body = response.json()
                rows.extend(body.get("value", []))
                next_url = body.get("@odata.nextLink") or body.get("odata.nextLink")
                next_params = None
    except httpx.TransportError as error:
        raise CbsError(f"cannot reach CBS open data ({error}); are you offline?") from None
    except (httpx.HTTPStatusError, ValueError) as error:
        raise CbsError(f"CBS answered with an error: {error}") from None
    return rows


@dataclass
class CbsTable:
    """One measure of a table: (region code, CBS period code, value) rows, region names."""

    rows: list[tuple[str, str, float | None]]
    names: dict[str, str]


def _quoted(text: str) -> str:
    """An OData string literal (a quote is doubled)."""
    return "'" + text.replace("'", "''") + "'"


def read_typed_dataset(
    fetch: Fetch, table: str, measure: str, region_prefix: str | None
) -> CbsTable:
    """Read a measure from the OData v3 ``TypedDataSet`` (one column per measure)."""
    params = {"$select": f"RegioS,Perioden,{measure}"}
    if region_prefix:
        params["$filter"] = f"startswith(RegioS,{_quoted(region_prefix)})"
    found = fetch(f"{V3_URL}/{table}/TypedDataSet", params)
    if found and measure not in found[0]:
        raise CbsError(f"the table has no measure '{measure}'")
    names = fetch(f"{V3_URL}/{table}/RegioS", {})
    return CbsTable(
        [(row["RegioS"], row["Perioden"], row[measure]) for row in found],
        {row["Key"].strip(): row["Title"].strip() for row in names},
    )


def read_observations(
    fetch: Fetch, table: str, measure: str, region_prefix: str | None
) -> CbsTable:
    """Read a measure from the OData v4 ``Observations`` (one row per measure and cell).

    The region and period columns are named by the table's ``Dimensions`` (their
    ``Kind``), since v4 tables call them differently (RegioS, WijkenEnBuurten...).
    """
    base = f"{V4_URL}/{table}"
    try:
        dimensions = fetch(f"{base}/Dimensions", {})
    except CbsNotFound:
        raise CbsError(
            f"CBS has no OData v4 Observations for table {table}; leave out --api v4 "
            "to read its v3 TypedDataSet"
        ) from None
    kinds = {row.get("Kind", ""): row["Identifier"] for row in dimensions}
    geo = next((name for kind, name in kinds.items() if kind.startswith("Geo")), "RegioS")
    time = kinds.get("TimeDimension", "Perioden")
    measures = {row["Identifier"] for row in fetch(f"{base}/MeasureCodes", {})}
    if measure not in measures:
        raise CbsError(f"the table has no measure '{measure}'")
    where = f"Measure eq {_quoted(measure)}"
    if region_prefix:
        where += f" and startswith({geo},{_quoted(region_prefix)})"
    found = fetch(f"{base}/Observations", {"$filter": where, "$select": f"{geo},{time},Value"})
    names = fetch(f"{base}/{geo}Codes", {})
    return CbsTable(
        [(row[geo], row[time], row["Value"]) for row in found],
        {row["Identifier"].strip(): row["Title"].strip() for row in names},
    )


READERS = {"v3": read_typed_dataset, "v4": read_observations}


@dataclass
class CbsOutcome:
    problems: list[Problem]
    result: UpsertResult
    created_areas: int = 0


def import_cbs(
    *,
    session: Session,
    table: str,
    measure: str,
    indicator: Indicator,
    region_prefix: str | None = None,
    api: str = "v3",
    fetch: Fetch | None = None,
) -> CbsOutcome:
    """Import one measure of a CBS table into ``indicator``; all or nothing. Commits.

    ``api`` "v3" reads the TypedDataSet that most tables offer, "v4" the Observations.
    """
    found = READERS[api](fetch or fetch_odata, table, measure, region_prefix)
    checker = ItemChecker(session=session, noun="row")
    created = 0
    for code in sorted({region.strip() for region, _, _ in found.rows}):
        if code not in checker.areas:
            area = Area(
                code=code,
                name=found.names.get(code, code),
                kind=KINDS.get(code[:2], AreaKind.district),
            )
            session.add(area)
            checker.areas[code] = area
            created += 1
    session.flush()
    inputs, problems = [], []
    for index, (region, period, value) in enumerate(found.rows, start=1):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue  # CBS leaves cells empty when a figure is secret or not yet known
        checked, problems_here = checker.check(
            indicator=indicator,
            where=index,
            period=period.strip(),
            value=float(value),
            area=region.strip(),
        )
        problems.extend(problems_here)
        if checked:
            inputs.append(checked)
    if problems:
        session.rollback()
        return CbsOutcome(problems, UpsertResult())
    result = upsert_observations(
        session=session,
        indicator=indicator,
        items=inputs,
        source=f"CBS {table}",
        actor=f"import:cbs:{table}",
    )
    session.commit()
    return CbsOutcome([], result, created)
