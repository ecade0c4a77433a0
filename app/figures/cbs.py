"""Import from Statistics Netherlands (CBS StatLine open data, OData v3 TypedDataSet).

A table's ``TypedDataSet`` holds one row per region and period with one column per
measure; ``RegioS`` lists the regions with their names. Region codes become areas
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

BASE_URL = "https://opendata.cbs.nl/ODataApi/odata"
TIMEOUT = 30.0
KINDS = {"GM": AreaKind.municipality, "WK": AreaKind.district, "BU": AreaKind.neighbourhood}

Fetch = Callable[[str, dict[str, str]], list[dict]]


class CbsError(Exception):
    """CBS could not be reached or answered something unusable."""


def fetch_odata(url: str, params: dict[str, str]) -> list[dict]:
    """Return all rows of an OData v3 collection, following ``odata.nextLink`` pages."""
    rows: list[dict] = []
    try:
        with httpx.Client(timeout=TIMEOUT) as client:
            next_url, next_params = url, params
            while next_url:
                response = client.get(next_url, params=next_params)
                if response.status_code == 404:
                    raise CbsError(f"CBS does not know {url}")
                response.raise_for_status()
                body = response.json()
                rows.extend(body.get("value", []))
                next_url, next_params = body.get("odata.nextLink"), None
    except httpx.TransportError as error:
        raise CbsError(f"cannot reach CBS open data ({error}); are you offline?") from None
    except (httpx.HTTPStatusError, ValueError) as error:
        raise CbsError(f"CBS answered with an error: {error}") from None
    return rows


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
    fetch: Fetch | None = None,
) -> CbsOutcome:
    """Import one measure of a CBS table into ``indicator``; all or nothing. Commits."""
    params = {"$select": f"RegioS,Perioden,{measure}"}
    if region_prefix:
        params["$filter"] = f"startswith(RegioS,'{region_prefix}')"
    fetch = fetch or fetch_odata
    rows = fetch(f"{BASE_URL}/{table}/TypedDataSet", params)
    names = {
        row["Key"].strip(): row["Title"].strip() for row in fetch(f"{BASE_URL}/{table}/RegioS", {})
    }
    checker = ItemChecker(session=session, noun="row")
    created = 0
    for code in sorted({row["RegioS"].strip() for row in rows}):
        if code not in checker.areas:
            area = Area(
                code=code, name=names.get(code, code), kind=KINDS.get(code[:2], AreaKind.district)
            )
            session.add(area)
            checker.areas[code] = area
            created += 1
    session.flush()
    inputs, problems = [], []
    for index, row in enumerate(rows, start=1):
        if measure not in row:
            problems.append(Problem(index, measure, f"the table has no measure '{measure}'"))
            break
        value = row[measure]
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue  # CBS leaves cells empty when a figure is secret or not yet known
        checked, found = checker.check(
            indicator=indicator,
            where=index,
            period=row["Perioden"].strip(),
            value=float(value),
            area=row["RegioS"].strip(),
        )
        problems.extend(found)
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
