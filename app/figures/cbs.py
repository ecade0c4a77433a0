"""Import from Statistics Netherlands (CBS StatLine open data, OData v3 and v4), as published.

CBS tables differ in shape, so nothing is assumed: the table's metadata says which
dimension holds the regions (``RegioS``, ``WijkenEnBuurten``, ``Gemeenten``...: kind
GeoDimension or GeoDetail), which the periods (TimeDimension; Kerncijfers wijken en
buurten has none, its year is the table's own period), which other dimensions there
are (sex, age, crime type: one category each is chosen, the total by default) and
each measure's unit, decimals and multiplier ("x 1 000"). v3 reads ``DataProperties``
and ``TypedDataSet`` (one column per measure), v4 ``Dimensions``, ``MeasureCodes`` and
``Observations`` (one row per measure and cell). Both become ``ParsedRow`` items that
go through the same check, stage and merge as a spreadsheet (``import_rows``), with
each period's status (Voorlopig, Nader voorlopig, Definitief). Regions missing as
areas are created with their CBS names, districts and neighbourhoods under their
municipality (WK019301 and BU01930101 under GM0193).
"""

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlmodel import Session

from app.figures.csv_import import ImportOutcome, import_rows
from app.figures.observations import ItemChecker, ParsedRow, Problem
from app.figures.periods import PeriodError, parse_period
from app.i18n import N_
from app.models import Area, AreaKind, Indicator, ObservationStatus, User
from app.problems import Problem as Refusal

if TYPE_CHECKING:
    import httpx

V3_URL = "https://opendata.cbs.nl/ODataApi/odata"
V4_URL = "https://datasets.cbs.nl/odata/v1/CBS"
DATADERDEN_URL = "https://dataderden.cbs.nl/ODataApi/odata"
TIMEOUT = 30.0
# v3 answers at most 10,000 rows a request; v4 pages itself (odata.nextLink).
PAGE = 10_000
KINDS = {"GM": AreaKind.municipality, "WK": AreaKind.district, "BU": AreaKind.neighbourhood}
STATUSES = {
    "voorlopig": ObservationStatus.provisional,
    "nader voorlopig": ObservationStatus.revised_provisional,
    "definitief": ObservationStatus.definitive,
}
# Units CBS writes with a multiplier: "x 1 000", "x 1 000 euro", "mln euro", "x miljard".
_MULTIPLIER = re.compile(
    r"^\s*(?:x\s*)?(1\s*000\s*000\s*000|1\s*000\s*000|1\s*000|mld|miljard|mln|miljoen)\b\s*(.*)$",
    re.IGNORECASE,
)
_FACTORS = {"1000": 1e3, "1000000": 1e6, "1000000000": 1e9, "mln": 1e6, "miljoen": 1e6}
_FACTORS |= {"mld": 1e9, "miljard": 1e9}
MAX_LISTED = 40

Fetch = Callable[[str, dict[str, str]], list[dict]]


class CbsError(Refusal):
    """CBS could not be reached, refused, or the table does not fit (nothing was stored).

    One of ``app.problems``' problems; ``template`` and ``values`` are its message id
    and values, for pages that list it among an import's problems.
    """

    status = 422

    def __init__(self, template: str, **values: object) -> None:
        super().__init__(template, errors=(), **values)
        self.template = template
        self.values = values


class CbsNotFound(CbsError):
    """CBS answered 404: no such table (or no such table in this API)."""

    status = 404


def _cbs_message(response: "httpx.Response") -> str:
    """CBS's own error text (v3 ``odata.error``, v4 ``error``), else the HTTP reason."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:300] or response.reason_phrase
    error = (body or {}).get("odata.error") or (body or {}).get("error") or {}
    message = error.get("message") if isinstance(error, dict) else error
    if isinstance(message, dict):
        message = message.get("value")
    return str(message or response.reason_phrase)


def fetch_odata(url: str, params: dict[str, str]) -> list[dict]:
    """Return all rows of an OData collection: follow next links, page v3 by $skip.

    httpx is imported here, not at start: only an import from CBS needs it, and it
    cost ~50 ms of every server start (issue 23)."""
    import httpx

    rows: list[dict] = []
    try:
        with httpx.Client(timeout=TIMEOUT) as client:
            next_url: str | None = url
            next_params: dict[str, str] | None = params
            while next_url:
                response = client.get(next_url, params=next_params)
                if response.status_code == 404:
                    raise CbsNotFound(N_("CBS does not know %(url)s"), url=url)
                if response.is_error:
                    raise CbsError(
                        N_("CBS answered with an error (%(status)s): %(message)s"),
                        status=response.status_code,
                        message=_cbs_message(response),
                    )
                body = response.json()
                if not isinstance(body, dict):
                    raise ValueError("the answer is not a JSON object")
                # A collection holds its rows in "value"; v4 Properties is one object.
                page = body.get("value", [body])
                rows.extend(page)
                next_url = body.get("@odata.nextLink") or body.get("odata.nextLink")
                next_params = None
                if not next_url and params and "$top" in params and len(page) == PAGE:
                    skip = int(params.get("$skip", "0")) + PAGE
                    params = {**params, "$skip": str(skip)}
                    next_url, next_params = url, params
    except httpx.TransportError as error:
        raise CbsError(
            N_("cannot reach CBS open data (%(error)s); are you offline?"), error=str(error)
        ) from None
    except ValueError as error:
        template = N_("CBS answered something that is not OData: %(error)s")
        raise CbsError(template, error=str(error)) from None
    return rows


def fetch_one(fetch: Fetch, url: str) -> dict:
    """The first row of a collection (TableInfos, Properties), or {} when there is none."""
    try:
        found = fetch(url, {})
    except CbsNotFound:
        return {}
    return found[0] if found else {}


@dataclass
class Measure:
    """A measure (v3 Topic, v4 MeasureCode) with its unit as published and as stored."""

    key: str
    title: str
    unit: str = ""
    decimals: int | None = None
    numeric: bool = True

    @property
    def multiplier(self) -> float:
        """What a published value is multiplied by: 1000 for "x 1 000"."""
        found = _MULTIPLIER.match(self.unit)
        return _FACTORS[found.group(1).replace(" ", "").lower()] if found else 1.0

    @property
    def base_unit(self) -> str:
        """The unit of a stored value: "euro" for "x 1 000 euro", "" for "x 1 000"."""
        found = _MULTIPLIER.match(self.unit)
        return found.group(2).strip() if found else self.unit.strip()

    def value(self, published: float) -> float:
        """A published value rounded to its decimals and multiplied out."""
        if self.decimals is not None and self.decimals >= 0:
            published = round(published, self.decimals)
        factor = self.multiplier
        return published if factor == 1 else round(published * factor, 6)


@dataclass
class Dimension:
    """A dimension of the table and its categories (key -> title, and status for periods)."""

    key: str
    title: str
    kind: str
    titles: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=dict)
    # Category keys as CBS writes them in filters (v3 pads some: "0.0.0  ").
    raw: dict[str, str] = field(default_factory=dict)


@dataclass
class TableShape:
    """What the metadata says about a table: its dimensions by role, measures and period."""

    table: str
    title: str
    geo: Dimension | None
    time: Dimension | None
    others: list[Dimension]
    measures: dict[str, Measure]
    period: str = ""


def _geo_kind(kind: str) -> bool:
    return kind.startswith("Geo")  # GeoDimension, GeoDetail, GeoDetailDimension


def read_shape_v3(fetch: Fetch, base: str, table: str) -> TableShape:
    """Read a v3 table's DataProperties, TableInfos and the categories it needs."""
    try:
        properties = fetch(f"{base}/{table}/DataProperties", {})
    except CbsNotFound:
        raise CbsNotFound(
            N_("CBS does not know table %(table)s at %(url)s"), table=table, url=base
        ) from None
    info = fetch_one(fetch, f"{base}/{table}/TableInfos")
    dimensions, measures = [], {}
    for row in properties:
        kind, key = row.get("Type", ""), (row.get("Key") or "").strip()
        if kind.endswith("Dimension") or kind == "GeoDetail":
            dimensions.append(Dimension(key, (row.get("Title") or key).strip(), kind))
        elif kind == "Topic" and key:
            measures[key] = Measure(
                key,
                (row.get("Title") or key).strip(),
                (row.get("Unit") or "").strip(),
                row.get("Decimals"),
                (row.get("Datatype") or "Double") not in ("String", "Char"),
            )
    for dimension in dimensions:
        for row in fetch(f"{base}/{table}/{dimension.key}", {}):
            code = (row.get("Key") or "").strip()
            dimension.raw[code] = row.get("Key") or ""
            dimension.titles[code] = (row.get("Title") or code).strip()
            if row.get("Status"):
                dimension.statuses[code] = row["Status"].strip()
    return _shape(table, (info.get("Title") or "").strip(), dimensions, measures, info, "Period")


def read_shape_v4(fetch: Fetch, base: str, table: str) -> TableShape:
    """Read a v4 table's Dimensions, MeasureCodes, Properties and their codes."""
    try:
        rows = fetch(f"{base}/{table}/Dimensions", {})
    except CbsNotFound:
        raise CbsNotFound(
            N_(
                "CBS has no OData v4 Observations for table %(table)s; leave out --api v4 "
                "to read its v3 TypedDataSet"
            ),
            table=table,
        ) from None
    dimensions = [
        Dimension(row["Identifier"], (row.get("Title") or row["Identifier"]).strip(), row["Kind"])
        for row in rows
    ]
    measures = {
        row["Identifier"]: Measure(
            row["Identifier"],
            (row.get("Title") or row["Identifier"]).strip(),
            (row.get("Unit") or "").strip(),
            row.get("Decimals"),
            (row.get("DataType") or "Double") not in ("String", "Char"),
        )
        for row in fetch(f"{base}/{table}/MeasureCodes", {})
    }
    info = fetch_one(fetch, f"{base}/{table}/Properties")
    for dimension in dimensions:
        for row in fetch(f"{base}/{table}/{dimension.key}Codes", {}):
            code = row["Identifier"].strip()
            dimension.raw[code] = row["Identifier"]
            dimension.titles[code] = (row.get("Title") or code).strip()
            if row.get("Status"):
                dimension.statuses[code] = row["Status"].strip()
    title = (info.get("Title") or "").strip()
    return _shape(table, title, dimensions, measures, info, "TemporalCoverage")


def _shape(table, title, dimensions, measures, info, period_field) -> TableShape:
    geo = next((dim for dim in dimensions if _geo_kind(dim.kind)), None)
    time = next((dim for dim in dimensions if dim.kind == "TimeDimension"), None)
    others = [dim for dim in dimensions if dim is not geo and dim is not time]
    period = str(info.get(period_field) or "").strip()
    return TableShape(table, title, geo, time, others, measures, period)


def _listing(titles: dict[str, str]) -> str:
    """Categories as "KEY (title)", the first MAX_LISTED of them."""
    listed = [f"{key} ({title})" for key, title in list(titles.items())[:MAX_LISTED]]
    if len(titles) > MAX_LISTED:
        listed.append("…")
    return "; ".join(listed)


def total_of(dimension: Dimension) -> str | None:
    """The category the table marks as the total: CBS keys totals T001038 or titles them Totaal."""
    marked = [key for key in dimension.titles if re.fullmatch(r"T\d+", key)]
    if len(marked) == 1:
        return marked[0]
    titled = [key for key, title in dimension.titles.items() if title.lower().startswith("totaal")]
    return titled[0] if len(titled) == 1 else None


def choose_categories(shape: TableShape, chosen: dict[str, str]) -> dict[str, str]:
    """One category per other dimension: as chosen, else the total, else refuse with the list."""
    by_key = {dim.key.lower(): dim for dim in shape.others}
    for key in chosen:
        if key.lower() not in by_key:
            raise CbsError(
                N_("the table has no dimension '%(key)s'; its other dimensions are %(keys)s"),
                key=key,
                keys=", ".join(dim.key for dim in shape.others) or "-",
            )
    given = {key.lower(): value.strip() for key, value in chosen.items()}
    categories = {}
    for dimension in shape.others:
        category = given.get(dimension.key.lower())
        if category is None:
            category = total_of(dimension)
            if category is None:
                raise CbsError(
                    N_(
                        "choose a category of %(key)s (%(title)s) with --dimension "
                        "%(key)s=CATEGORY: %(categories)s"
                    ),
                    key=dimension.key,
                    title=dimension.title,
                    categories=_listing(dimension.titles),
                )
        elif category not in dimension.titles:
            raise CbsError(
                N_("%(key)s has no category '%(category)s'; its categories are %(categories)s"),
                key=dimension.key,
                category=category,
                categories=_listing(dimension.titles),
            )
        categories[dimension.key] = category
    return categories


def _quoted(text: str) -> str:
    """An OData string literal (a quote is doubled)."""
    return "'" + text.replace("'", "''") + "'"


@dataclass
class CbsRequest:
    """What to import: a measure of a table, with the choices the user made."""

    table: str
    measure: str
    indicator: Indicator
    api: str = "v3"
    source: str = "statline"
    period: str | None = None
    dimensions: dict[str, str] = field(default_factory=dict)
    region_prefix: str | None = None


@dataclass
class CbsReading:
    """A table read for one measure: its shape, the rows, and the areas it would create."""

    shape: TableShape
    measure: Measure
    categories: dict[str, str]
    period: str | None
    cells: list[tuple[str, str, object, str]]  # (region, period, value, ValueAttribute)
    new_areas: list[Area] = field(default_factory=list)


def _where(request: CbsRequest, shape: TableShape, categories: dict[str, str]) -> list[str]:
    raw = {dim.key: dim.raw for dim in shape.others}
    filters = [
        f"{key} eq {_quoted(raw[key].get(value, value))}" for key, value in categories.items()
    ]
    if request.region_prefix and shape.geo:
        filters.append(f"startswith({shape.geo.key},{_quoted(request.region_prefix)})")
    return filters


def read_table(request: CbsRequest, *, fetch: Fetch, base: str) -> CbsReading:
    """Read the metadata, check the choices against it, and fetch the measure's cells."""
    table = request.table.strip()
    shape = (read_shape_v4 if request.api == "v4" else read_shape_v3)(fetch, base, table)
    measure = shape.measures.get(request.measure)
    if measure is None:
        raise CbsError(
            N_("the table has no measure '%(measure)s'; its measures are %(measures)s"),
            measure=request.measure,
            measures=_listing({key: m.title for key, m in shape.measures.items()}),
        )
    if not measure.numeric:
        raise CbsError(N_("the measure %(measure)s holds text, not figures"), measure=measure.key)
    if shape.geo is None:
        raise CbsError(N_("table %(table)s has no regions to import figures for"), table=table)
    period = None
    if shape.time is None:
        period = request.period or _single_period(shape.period)
        if not period:
            raise CbsError(
                N_(
                    "table %(table)s has no period dimension and its metadata names no single "
                    "period (%(found)s); give it with --period, e.g. --period 2024"
                ),
                table=table,
                found=shape.period or "-",
            )
    categories = choose_categories(shape, request.dimensions)
    where = _where(request, shape, categories)
    geo, time = shape.geo.key, shape.time.key if shape.time else None
    names = [geo, *([time] if time else [])]
    if request.api == "v4":
        where.insert(0, f"Measure eq {_quoted(measure.key)}")
        found = fetch(
            f"{base}/{table}/Observations",
            {"$filter": " and ".join(where), "$select": ",".join([*names, "Value"])},
        )
        cells = [
            (row[geo], row[time] if time else "", row.get("Value"), row.get("ValueAttribute", ""))
            for row in found
        ]
    else:
        params = {"$select": ",".join([*names, measure.key]), "$top": str(PAGE)}
        if where:
            params["$filter"] = " and ".join(where)
        found = fetch(f"{base}/{table}/TypedDataSet", params)
        if found and measure.key not in found[0]:
            raise CbsError(N_("the table has no measure '%(measure)s'"), measure=measure.key)
        cells = [(row[geo], row[time] if time else "", row.get(measure.key), "") for row in found]
    return CbsReading(shape, measure, categories, period, cells)


def _single_period(text: str) -> str | None:
    """The table's own period when its metadata names one ("2024"), else None."""
    try:
        parse_period(text.strip())
    except PeriodError:
        return None
    return text.strip()


def status_of(text: str | None) -> str | None:
    """The ObservationStatus of CBS's period status text, None when it states none."""
    return STATUSES.get((text or "").strip().lower())


def parent_code(code: str) -> str | None:
    """The code of the area a CBS region lies in: WK019301 in GM0193, BU01930101 in WK019301."""
    if code.startswith("WK") and len(code) == 8:
        return "GM" + code[2:6]
    if code.startswith("BU") and len(code) == 10:
        return "WK" + code[2:8]
    return None


def plan_areas(reading: CbsReading, known: dict[str, Area]) -> list[Area]:
    """The areas to create for the table's regions (and their parents), with CBS names.

    Only municipalities, districts and neighbourhoods become areas; a neighbourhood
    whose district is not in the table goes directly under its municipality.
    """
    titles = reading.shape.geo.titles if reading.shape.geo else {}
    wanted: dict[str, Area] = {}

    def want(code: str) -> None:
        if code in known or code in wanted or code[:2] not in KINDS:
            return
        wanted[code] = Area(code=code, name=titles.get(code, code)[:200], kind=KINDS[code[:2]])
        parent = parent_code(code)
        if parent and parent.startswith("WK") and parent not in titles:
            parent = "GM" + code[2:6]
        if parent:
            want(parent)

    for region, _, _, _ in reading.cells:
        want(region.strip())
    return sorted(wanted.values(), key=lambda area: (len(area.code), area.code))


def _link_parents(areas: dict[str, Area], created: list[Area]) -> None:
    """Put each created district and neighbourhood under its district or municipality."""
    for area in created:
        parent = parent_code(area.code)
        if parent and parent not in areas:
            parent = "GM" + area.code[2:6]
        if parent in areas:
            area.parent_id = areas[parent].id


def parsed_rows(
    reading: CbsReading, slug: str, areas: dict[str, Area], skipped: dict[str, int]
) -> Iterator[ParsedRow]:
    """The cells as ParsedRow items: scaled to the stored unit, with their status.

    Regions that are no area here (the country, provinces, COROP regions) are left
    out and counted in ``skipped``.
    """
    statuses = reading.shape.time.statuses if reading.shape.time else {}
    measure = reading.measure
    for index, (region, period, value, _attribute) in enumerate(reading.cells, start=1):
        empty = value is None or (isinstance(value, float) and math.isnan(value))
        if empty or not isinstance(value, int | float | str):
            continue  # CBS leaves cells empty when a figure is secret or not yet known
        if region.strip() not in areas:
            skipped[region.strip()] = skipped.get(region.strip(), 0) + 1
            continue
        code = period.strip()
        yield ParsedRow(
            index,
            slug,
            code or (reading.period or ""),
            region.strip(),
            measure.value(float(value)),
            status_of(statuses.get(code)),
        )


@dataclass
class CbsOutcome:
    """What a CBS import did or would do (preview), and how it read the table."""

    problems: list[Problem]
    outcome: ImportOutcome
    reading: CbsReading
    created_areas: list[Area] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def result(self):
        return self.outcome.result


def base_url(*, api: str, source: str, settings) -> str:
    """The service address: v3 or v4 of StatLine, or the third-party catalogue (dataderden)."""
    if source == "dataderden":
        return settings.cbs_dataderden_url.rstrip("/")
    return (settings.cbs_v4_url if api == "v4" else settings.cbs_v3_url).rstrip("/")


def import_cbs(
    *,
    session: Session,
    request: CbsRequest,
    base: str,
    user: User | None = None,
    dry_run: bool = False,
    fetch: Fetch | None = None,
) -> CbsOutcome:
    """Import one measure of a CBS table into the request's indicator; all or nothing.

    Raises CbsError when CBS cannot be read or the table does not fit the request;
    problems with the values themselves come back in the outcome.
    """
    reading = read_table(request, fetch=fetch or fetch_odata, base=base)
    indicator = request.indicator
    areas = ItemChecker(session=session).areas
    created = plan_areas(reading, areas)
    session.add_all(created)
    session.flush()
    areas.update({area.code: area for area in created})
    _link_parents(areas, created)
    session.flush()
    measure = reading.measure
    warnings = []
    if not any(value is not None for _, _, value, _ in reading.cells):
        warnings.append(
            Problem.of(
                0,
                "value",
                N_("the measure %(measure)s (%(title)s) has no values in table %(table)s"),
                measure=measure.key,
                title=measure.title,
                table=reading.shape.table,
            )
        )
    if not indicator.unit and measure.base_unit:
        indicator.unit = measure.base_unit[:50]
        session.add(indicator)
    source = f"CBS {reading.shape.table} {measure.key}"
    skipped: dict[str, int] = {}
    outcome = import_rows(
        session=session,
        rows=parsed_rows(reading, indicator.slug, areas, skipped),
        source=source[:300],
        user=user,
        dry_run=dry_run,
        noun="row",
        allow_empty=bool(warnings),
        within=True,  # the areas created above belong to the same transaction
    )
    if skipped:
        warnings.append(
            Problem.of(
                0,
                "area",
                N_(
                    "%(count)s rows for regions that are not a municipality, district or "
                    "neighbourhood were left out (%(regions)s)"
                ),
                count=sum(skipped.values()),
                regions=", ".join(sorted(skipped)[:10]),
            )
        )
    return CbsOutcome(outcome.problems, outcome, reading, created, warnings)
