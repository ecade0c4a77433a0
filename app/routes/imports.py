"""Import pages for editors: a spreadsheet upload and a CBS StatLine table, each previewed.

Both work the same way: a dry run shows every problem or exactly what would be
inserted, changed and left alone; the editor confirms, and the import runs again for
real, all or nothing. An uploaded file is kept under the data folder with a random
name between preview and confirmation (``app.figures.uploads``), and deleted after
the import, a cancel, a refusal or a day. Imports read through a read session: the
import stages on a connection of its own and takes the write lock only for its short
merge (``app.figures.staging``), so a large file stops no one. The spreadsheet
preview shows how the file was read (layout, which column is what) as a form the
editor may correct and check again; the confirmed mapping is saved for the next file
with the same header.
"""

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse
from sqlmodel import select

from app.deps import EditorUser, SessionDep, SettingsDep, WriteSessionDep
from app.figures import uploads
from app.figures.cbs import CbsError, CbsRequest, base_url, import_cbs
from app.figures.csv_import import ImportOutcome, import_observations
from app.figures.layouts import ROLES, Layout, Mapping, save_mapping
from app.figures.observations import Problem
from app.figures.staging import ImportBusy
from app.forms import check_csrf
from app.i18n import N_, gettext
from app.models import Area, Indicator
from app.problems import NotFound
from app.templating import render, request_language

router = APIRouter(tags=["pages"], include_in_schema=False)

IMPORT_BUSY = N_(
    "Another import of figures is running. Try again when it has finished; "
    "nothing of this file was stored."
)
LAYOUTS = [
    (Layout.long.value, N_("a row per value")),
    (Layout.wide_periods.value, N_("periods as columns")),
    (Layout.wide_indicators.value, N_("figures as columns")),
]
DELIMITERS = {";": N_("semicolons"), ",": N_("commas"), "\t": N_("tabs")}
ROLE_LABELS = {
    "indicator": N_("Figure"),
    "period": N_("Period"),
    "area": N_("Area"),
    "value": N_("Value"),
}


def _stored(settings, token: str) -> Path:
    stored = uploads.find(data_dir=settings.data_dir, name=token)
    if stored is None:
        raise NotFound(N_("This upload is no longer available; upload it again."))
    return stored


def _busy(request: Request, session, name: str, token: str):
    """The page that says another import runs; a kept upload can be confirmed again."""
    context = {"busy": IMPORT_BUSY, "name": name, "token": token}
    return _import_page(request, session, context, status=409)


def translated(request: Request, problems: list[Problem]) -> list[tuple[int, str, str]]:
    """Each problem as (line, column, message in the reader's language)."""
    lang = request_language(request)
    rows = []
    for problem in problems:
        message = problem.message
        if problem.template:
            # Values such as "a month" or "line" are msgids themselves.
            values = {
                name: gettext(lang, value) if isinstance(value, str) else value
                for name, value in (problem.values or {}).items()
            }
            message = gettext(lang, problem.template, **values)
        rows.append((problem.where, problem.field, message))
    return rows


def _import_page(request: Request, session, context: dict, status: int = 200):
    outcome: ImportOutcome | None = context.get("outcome")
    if outcome and outcome.problems:
        context["problems"] = translated(request, outcome.problems)
    if outcome and outcome.table is not None and not context.get("done"):
        table = outcome.table
        context["reading"] = {
            "header": [name for name in table.header if name],
            "sheet": table.sheet,
            "sheets": table.sheets,
            "delimiter": DELIMITERS.get(table.delimiter, ""),
            "encoding": table.encoding,
        }
        context["mapping"] = outcome.mapping or Mapping()
        context["indicators"] = session.exec(select(Indicator.slug, Indicator.name)).all()
        context["areas"] = session.exec(select(Area.code, Area.name).order_by(Area.code)).all()
        context["unknown_areas"] = sorted(outcome.unknown_areas.items())
    context.update(layouts=LAYOUTS, roles=ROLES, role_labels=ROLE_LABELS)
    return render(request, "indicators/import.html", context, status_code=status)


def _posted_mapping(layout, columns, indicator, period, area_names, area_codes) -> Mapping:
    """The mapping the editor confirmed in the preview form (no columns: detect them)."""
    chosen = {role: name for role, name in zip(ROLES, columns, strict=False) if name}
    areas = {name: code for name, code in zip(area_names, area_codes, strict=False) if code}
    valid = layout if layout in Layout._value2member_map_ else Layout.long.value
    return Mapping(Layout(valid), chosen, indicator or None, period.strip() or None, areas)


@router.get("/indicators/import")
def import_page(request: Request, session: WriteSessionDep, user: EditorUser):
    """Show the upload form."""
    return _import_page(request, session, {})


@router.post("/indicators/import")
def preview_import(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: EditorUser,
    file: Annotated[UploadFile, File()],
    csrf_token: Annotated[str, Form()] = "",
):
    """Read an uploaded file (with the mapping saved for its header) and preview it."""
    check_csrf(request, csrf_token)
    token, stored = uploads.keep(data_dir=settings.data_dir, stream=file.file)
    name = Path(file.filename or "upload.csv").name
    try:
        with stored.open("rb") as stream:
            outcome = import_observations(
                session=session, stream=stream, source=name, user=user, dry_run=True, saved=True
            )
    except BaseException as error:
        uploads.discard(data_dir=settings.data_dir, name=token)
        if isinstance(error, ImportBusy):
            return _busy(request, session, name, "")
        raise
    keep = not outcome.problems or outcome.mappable
    if not keep:  # the file itself must be fixed: nothing to confirm or map
        uploads.discard(data_dir=settings.data_dir, name=token)
    context = {"outcome": outcome, "name": name, "token": token if keep else ""}
    return _import_page(request, session, context, status=422 if outcome.problems else 200)


@router.post("/indicators/import/check")
def check_import(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: EditorUser,
    token: Annotated[str, Form(max_length=100)] = "",
    name: Annotated[str, Form(max_length=300)] = "",
    sheet: Annotated[str, Form(max_length=200)] = "",
    layout: Annotated[str, Form(max_length=30)] = "long",
    column: Annotated[list[str], Form(max_length=300)] = [],  # noqa: B006 (FastAPI copies)
    indicator: Annotated[str, Form(max_length=100)] = "",
    period: Annotated[str, Form(max_length=30)] = "",
    area_name: Annotated[list[str], Form(max_length=300)] = [],  # noqa: B006
    area_code: Annotated[list[str], Form(max_length=30)] = [],  # noqa: B006
    csrf_token: Annotated[str, Form()] = "",
):
    """Read the uploaded file again with the mapping the editor chose; preview it."""
    check_csrf(request, csrf_token)
    mapping = _posted_mapping(layout, column, indicator, period, area_name, area_code)
    try:
        with _stored(settings, token).open("rb") as stream:
            outcome = import_observations(
                session=session,
                stream=stream,
                source=Path(name).name or "upload.csv",
                user=user,
                dry_run=True,
                mapping=mapping,
                sheet=sheet or None,
                detect_layout=not any(column),
                detect_columns=not any(column),
            )
    except ImportBusy:
        return _busy(request, session, name, token)
    context = {"outcome": outcome, "name": name, "token": token}
    return _import_page(request, session, context, status=422 if outcome.problems else 200)


@router.post("/indicators/import/commit")
def commit_import(
    request: Request,
    session: SessionDep,
    writer: WriteSessionDep,
    settings: SettingsDep,
    user: EditorUser,
    token: Annotated[str, Form(max_length=100)] = "",
    name: Annotated[str, Form(max_length=300)] = "",
    sheet: Annotated[str, Form(max_length=200)] = "",
    layout: Annotated[str, Form(max_length=30)] = "long",
    column: Annotated[list[str], Form(max_length=300)] = [],  # noqa: B006
    indicator: Annotated[str, Form(max_length=100)] = "",
    period: Annotated[str, Form(max_length=30)] = "",
    area_name: Annotated[list[str], Form(max_length=300)] = [],  # noqa: B006
    area_code: Annotated[list[str], Form(max_length=30)] = [],  # noqa: B006
    csrf_token: Annotated[str, Form()] = "",
):
    """Import a previewed file for real with the confirmed mapping; all or nothing.

    The import reads through ``session``; only after it is the mapping saved through
    ``writer`` (which takes the write lock on first use). When another import runs,
    the upload is kept so the editor can confirm again."""
    check_csrf(request, csrf_token)
    stored = _stored(settings, token)
    mapping = _posted_mapping(layout, column, indicator, period, area_name, area_code)
    try:
        with stored.open("rb") as stream:
            outcome = import_observations(
                session=session,
                stream=stream,
                source=Path(name).name or "upload.csv",
                user=user,
                mapping=mapping,
                sheet=sheet or None,
                detect_layout=not any(column),
                detect_columns=not any(column),
            )
    except ImportBusy:
        return _busy(request, session, name, token)
    except BaseException:
        uploads.discard(data_dir=settings.data_dir, name=token)
        raise
    uploads.discard(data_dir=settings.data_dir, name=token)
    if not outcome.problems and outcome.table is not None:
        save_mapping(session=writer, table=outcome.table, mapping=mapping, user=user)
    status = 422 if outcome.problems else 200
    return _import_page(request, session, {"outcome": outcome, "name": name, "done": True}, status)


@router.post("/indicators/import/cancel")
def cancel_import(
    request: Request,
    settings: SettingsDep,
    user: EditorUser,
    token: Annotated[str, Form(max_length=100)] = "",
    csrf_token: Annotated[str, Form()] = "",
):
    """Forget a previewed upload without importing it."""
    check_csrf(request, csrf_token)
    uploads.discard(data_dir=settings.data_dir, name=token)
    return RedirectResponse("/indicators/import", status_code=303)


def _cbs_request(session, form: dict) -> CbsRequest:
    """The CBS import the form asks for; an unknown figure is refused like CBS's errors."""
    slug = form["indicator"]
    target = session.exec(select(Indicator).where(Indicator.slug == slug)).first()
    if target is None:
        raise CbsError(N_("unknown indicator '%(slug)s'"), slug=slug)
    dimensions = {}
    for line in form["dimensions"].splitlines():
        key, sep, value = line.partition("=")
        if line.strip() and not sep:
            raise CbsError(N_("write each category as KEY=CATEGORY, not '%(line)s'"), line=line)
        if key.strip():
            dimensions[key.strip()] = value.strip()
    return CbsRequest(
        table=form["table"].strip(),
        measure=form["measure"].strip(),
        indicator=target,
        api="v4" if form["api"] == "v4" else "v3",
        source="dataderden" if form["source"] == "dataderden" else "statline",
        period=form["period"].strip() or None,
        dimensions=dimensions,
        region_prefix=form["region_prefix"].strip() or None,
    )


def _cbs_page(request: Request, session, context: dict, status: int = 200):
    context.setdefault("form", dict.fromkeys(CBS_FIELDS, ""))
    context["indicators"] = session.exec(select(Indicator.slug, Indicator.name)).all()
    found = context.get("found")
    if found is not None:
        context["problems"] = translated(request, found.problems)
        context["warnings"] = translated(request, found.warnings)
        titles = {dim.key: dim.titles for dim in found.reading.shape.others}
        context["categories"] = [
            (key, category, titles[key].get(category, ""))
            for key, category in found.reading.categories.items()
        ]
    return render(request, "indicators/import_cbs.html", context, status_code=status)


CBS_FIELDS = (
    *("table", "measure", "indicator", "api", "source", "period", "dimensions"),
    "region_prefix",
)


def _run_cbs(request, session, settings, user, form: dict, *, dry_run: bool):
    """Preview or import the CBS table the form names; CBS's refusals come back translated."""
    try:
        wanted = _cbs_request(session, form)
        base = base_url(api=wanted.api, source=wanted.source, settings=settings)
        found = import_cbs(session=session, request=wanted, base=base, user=user, dry_run=dry_run)
    except CbsError as error:
        session.rollback()
        problem = Problem.of(0, "", error.template, **error.values)
        context = {"form": form, "refused": translated(request, [problem])[0][2]}
        return _cbs_page(request, session, context, status=422)
    status = 422 if found.problems else 200
    return _cbs_page(request, session, {"form": form, "found": found, "done": not dry_run}, status)


@router.get("/indicators/import/cbs")
def cbs_page(request: Request, session: WriteSessionDep, user: EditorUser):
    """Show the form for a CBS StatLine table."""
    return _cbs_page(request, session, {})


@router.post("/indicators/import/cbs")
def preview_cbs(
    request: Request,
    session: WriteSessionDep,
    settings: SettingsDep,
    user: EditorUser,
    table: Annotated[str, Form(max_length=40)] = "",
    measure: Annotated[str, Form(max_length=100)] = "",
    indicator: Annotated[str, Form(max_length=100)] = "",
    api: Annotated[str, Form(max_length=5)] = "v3",
    source: Annotated[str, Form(max_length=20)] = "statline",
    period: Annotated[str, Form(max_length=30)] = "",
    dimensions: Annotated[str, Form(max_length=2000)] = "",
    region_prefix: Annotated[str, Form(max_length=20)] = "",
    confirm: Annotated[str, Form(max_length=5)] = "",
    csrf_token: Annotated[str, Form()] = "",
):
    """Preview a CBS table's measure, or import it when the preview was confirmed."""
    check_csrf(request, csrf_token)
    form = dict(zip(CBS_FIELDS, (table, measure, indicator, api, source, period), strict=False))
    form.update(dimensions=dimensions, region_prefix=region_prefix)
    return _run_cbs(request, session, settings, user, form, dry_run=confirm != "yes")
