"""Editor pages for themes and areas: one list for readers, add, edit and delete for editors.

Deleting refuses anything still in use (indicators, stories, observations, areas
within it...), saying what uses it, so that nothing is lost by accident.
"""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from app.deps import EditorUser, Reader, SessionDep, WriteSessionDep, has_role
from app.figures import areas, themes
from app.figures.catalog import FIELD_HINTS
from app.forms import check_csrf, choices, refused, validated
from app.i18n import N_
from app.models import Area, AreaCreate, AreaKind, AreaUpdate, Role, Theme, ThemeCreate, ThemeUpdate
from app.problems import Conflict, Invalid
from app.templating import render, request_language

router = APIRouter(tags=["pages"], include_in_schema=False)

HOME = "/themes-and-areas"
AREA_KINDS = {
    AreaKind.municipality: N_("Municipality"),
    AreaKind.district: N_("District"),
    AreaKind.neighbourhood: N_("Neighbourhood"),
}


def _area_names(errors: dict[str, str]) -> dict[str, str]:
    # The add form on the list page names the area's name field "area_name".
    return {("area_name" if k == "name" else k): v for k, v in errors.items()}


def _list_page(request: Request, session: Session, user, form=None, errors=None, status=200):
    all_themes, _ = themes.list_themes(session=session, limit=1000)
    all_areas, _ = areas.list_areas(session=session, limit=1000)
    return render(
        request,
        "indicators/catalog.html",
        {
            "themes": all_themes,
            "areas": all_areas,
            # the parent by name: its code is in its own row
            "area_names": {area.code: area.name for area in all_areas},
            "kinds": AREA_KINDS,
            "kind_options": choices(request_language(request), AREA_KINDS),
            "parent_options": [(area.code, f"{area.code} {area.name}") for area in all_areas],
            "form": form or {"kind": "district"},
            "errors": errors or {},
            "can_edit": has_role(user, Role.editor),
        },
        status_code=status,
    )


@router.get(HOME)
def catalog_page(request: Request, session: SessionDep, user: Reader):
    """List the themes and areas, with forms to add them for editors."""
    return _list_page(request, session, user)


@router.post(f"{HOME}/themes")
def add_theme(
    request: Request,
    session: WriteSessionDep,
    user: EditorUser,
    slug: Annotated[str, Form(alias="theme_slug", max_length=200)] = "",
    name: Annotated[str, Form(alias="theme_name", max_length=1000)] = "",
    description: Annotated[str, Form(max_length=20_000)] = "",
    csrf_token: Annotated[str, Form()] = "",
):
    """Add a theme; show the page again with the problem when something is wrong."""
    check_csrf(request, csrf_token)
    form = {"theme_slug": slug.strip(), "theme_name": name.strip(), "description": description}
    try:
        data = validated(
            ThemeCreate, FIELD_HINTS, slug=slug.strip(), name=name.strip(), description=description
        )
        themes.create_theme(session=session, data=data, user=user)
    except (Invalid, Conflict) as problem:
        errors = {f"theme_{k}": v for k, v in refused(request, session, problem).items()}
        return _list_page(request, session, user, form, errors, status=422)
    return RedirectResponse(HOME, status_code=303)


@router.post(f"{HOME}/areas")
def add_area(
    request: Request,
    session: WriteSessionDep,
    user: EditorUser,
    code: Annotated[str, Form(max_length=200)] = "",
    name: Annotated[str, Form(alias="area_name", max_length=1000)] = "",
    kind: Annotated[str, Form(max_length=20)] = "",
    parent: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form()] = "",
):
    """Add an area (a CBS code such as WK019301 is welcome) under an optional parent."""
    check_csrf(request, csrf_token)
    form = {"code": code.strip(), "area_name": name.strip(), "kind": kind, "parent": parent}
    try:
        values = {
            "code": code.strip(),
            "name": name.strip(),
            "kind": kind,
            "parent": parent or None,
        }
        data = validated(AreaCreate, FIELD_HINTS, **values)
        areas.create_area(session=session, data=data, user=user)
    except (Invalid, Conflict) as problem:
        errors = _area_names(refused(request, session, problem))
        return _list_page(request, session, user, form, errors, status=422)
    return RedirectResponse(HOME, status_code=303)


def _theme_page(request: Request, theme: Theme, form: dict, errors=None, problem="", status=200):
    return render(
        request,
        "indicators/theme_edit.html",
        {"theme": theme, "form": form, "errors": errors or {}, "problem": problem},
        status_code=status,
    )


@router.get(f"{HOME}/themes/{{slug}}")
def edit_theme_page(request: Request, session: SessionDep, user: EditorUser, slug: str):
    """Show a theme's form, with a button to delete it."""
    theme = themes.get_theme(session=session, slug=slug)
    return _theme_page(request, theme, {"name": theme.name, "description": theme.description})


@router.post(f"{HOME}/themes/{{slug}}")
def update_theme(
    request: Request,
    session: WriteSessionDep,
    user: EditorUser,
    slug: str,
    name: Annotated[str, Form(max_length=1000)] = "",
    description: Annotated[str, Form(max_length=20_000)] = "",
    csrf_token: Annotated[str, Form()] = "",
):
    """Save a theme's name and description; on error show the form again."""
    check_csrf(request, csrf_token)
    theme = themes.get_theme(session=session, slug=slug)
    form = {"name": name.strip(), "description": description}
    try:
        changes = validated(ThemeUpdate, FIELD_HINTS, **form)
        themes.update_theme(session=session, theme=theme, changes=changes, user=user)
    except Invalid as problem:
        return _theme_page(request, theme, form, refused(request, session, problem), status=422)
    return RedirectResponse(HOME, status_code=303)


@router.post(f"{HOME}/themes/{{slug}}/delete")
def delete_theme(
    request: Request,
    session: WriteSessionDep,
    user: EditorUser,
    slug: str,
    csrf_token: Annotated[str, Form()] = "",
):
    """Delete a theme that nothing uses; otherwise say what uses it (409)."""
    check_csrf(request, csrf_token)
    theme = themes.get_theme(session=session, slug=slug)
    try:
        themes.delete_theme(session=session, theme=theme, user=user)
    except Conflict as problem:
        said = refused(request, session, problem)[""]
        form = {"name": theme.name, "description": theme.description}
        return _theme_page(request, theme, form, problem=said, status=409)
    return RedirectResponse(HOME, status_code=303)


def _area_page(
    request: Request,
    session: Session,
    area: Area,
    form: dict,
    errors=None,
    problem="",
    status=200,
):
    all_areas, _ = areas.list_areas(session=session, limit=1000)
    return render(
        request,
        "indicators/area_edit.html",
        {
            "area": area,
            "form": form,
            "errors": errors or {},
            "problem": problem,
            "kind_options": choices(request_language(request), AREA_KINDS),
            "parent_options": [
                (other.code, f"{other.code} {other.name}")
                for other in all_areas
                if other.code != area.code
            ],
        },
        status_code=status,
    )


def _area_form(session: Session, area: Area) -> dict:
    parent = session.get(Area, area.parent_id) if area.parent_id else None
    return {
        "code": area.code,
        "name": area.name,
        "kind": area.kind,
        "parent": parent.code if parent else "",
    }


@router.get(f"{HOME}/areas/{{code}}")
def edit_area_page(request: Request, session: SessionDep, user: EditorUser, code: str):
    """Show an area's form (code, name, kind, parent), with a button to delete it."""
    area = areas.get_area(session=session, code=code)
    return _area_page(request, session, area, _area_form(session, area))


@router.post(f"{HOME}/areas/{{code}}")
def update_area(
    request: Request,
    session: WriteSessionDep,
    user: EditorUser,
    code: str,
    new_code: Annotated[str, Form(alias="code", max_length=200)] = "",
    name: Annotated[str, Form(max_length=1000)] = "",
    kind: Annotated[str, Form(max_length=20)] = "",
    parent: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form()] = "",
):
    """Save an area's code, name, kind and parent; on error show the form again."""
    check_csrf(request, csrf_token)
    area = areas.get_area(session=session, code=code)
    form = {"code": new_code.strip(), "name": name.strip(), "kind": kind, "parent": parent}
    try:
        changes = validated(AreaUpdate, FIELD_HINTS, **{**form, "parent": parent or None})
        areas.update_area(session=session, area=area, changes=changes, user=user)
    except (Invalid, Conflict) as problem:
        errors = refused(request, session, problem)
        return _area_page(request, session, area, form, errors, status=422)
    return RedirectResponse(HOME, status_code=303)


@router.post(f"{HOME}/areas/{{code}}/delete")
def delete_area(
    request: Request,
    session: WriteSessionDep,
    user: EditorUser,
    code: str,
    csrf_token: Annotated[str, Form()] = "",
):
    """Delete an area that nothing uses; otherwise say what uses it (409)."""
    check_csrf(request, csrf_token)
    area = areas.get_area(session=session, code=code)
    try:
        areas.delete_area(session=session, area=area, user=user)
    except Conflict as problem:
        said = refused(request, session, problem)[""]
        form = _area_form(session, area)
        return _area_page(request, session, area, form, problem=said, status=409)
    return RedirectResponse(HOME, status_code=303)
