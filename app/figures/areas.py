"""Areas (districts and neighbourhoods, nested): list, create, get, update, delete.

Input arrives as the model family of ``app.models.area``; problems are
``app.problems``; the functions flush and record the audit, the caller's write session
commits.
"""

from sqlmodel import Session, select

from app import audit
from app.figures.catalog import delete_unused, paged
from app.i18n import N_
from app.models import Area, AreaCreate, AreaPublic, AreaUpdate, User
from app.problems import Conflict, Invalid, NotFound


def _by_code(*, session: Session, code: str) -> Area | None:
    """Return the area with ``code``, or None."""
    return session.exec(select(Area).where(Area.code == code)).first()


def get_area(*, session: Session, code: str) -> Area:
    """Return the area with ``code``; raise NotFound otherwise."""
    area = _by_code(session=session, code=code)
    if area is None:
        raise NotFound(N_("There is no area with code '%(code)s'."), code=code)
    return area


def _parent_id(session: Session, area: Area | None, code: str | None) -> int | None:
    """The id of the parent with ``code``; Invalid when unknown or inside ``area`` itself."""
    if not code:
        return None
    parent = _by_code(session=session, code=code)
    if parent is None:
        raise Invalid.at("parent", N_("unknown area code '%(code)s'"), code=code)
    if area is not None:
        parents = dict(session.exec(select(Area.id, Area.parent_id)).all())
        step: int | None = parent.id
        while step is not None:
            if step == area.id:
                raise Invalid.at("parent", N_("an area cannot lie within itself"))
            step = parents.get(step)
    return parent.id


def area_public(area: Area, codes: dict[int, str]) -> AreaPublic:
    """Describe ``area`` with its parent's code (``codes``: id -> code)."""
    parent = codes.get(area.parent_id) if area.parent_id else None
    return AreaPublic(code=area.code, name=area.name, kind=area.kind, parent=parent)


def list_areas(*, session: Session, limit: int = 100, offset: int = 0) -> tuple[list, int]:
    """Return a page of areas (by code) with parent codes, and the total count."""
    areas, total = paged(session, select(Area).order_by(Area.code), limit, offset)
    codes = dict(session.exec(select(Area.id, Area.code)).all())
    return [area_public(area, codes) for area in areas], total


def create_area(*, session: Session, data: AreaCreate, user: User | None) -> Area:
    """Add an area under an existing parent; Conflict for a taken code."""
    if _by_code(session=session, code=data.code):
        raise Conflict(
            N_("an area with code '%(code)s' already exists"), field="code", code=data.code
        )
    parent_id = _parent_id(session, None, data.parent)
    area = Area(code=data.code, name=data.name, kind=data.kind, parent_id=parent_id)
    session.add(area)
    session.flush()
    audit.record(session=session, action="create", entity="area", entity_id=area.code, user=user)
    return area


def update_area(*, session: Session, area: Area, changes: AreaUpdate, user: User | None) -> Area:
    """Apply the fields present in ``changes`` (a new code must be free)."""
    fields = changes.model_dump(exclude_unset=True)
    code = fields.get("code")
    if code and code != area.code and _by_code(session=session, code=code):
        raise Conflict(N_("an area with code '%(code)s' already exists"), field="code", code=code)
    if "parent" in fields:
        area.parent_id = _parent_id(session, area, fields.pop("parent"))
    for name, value in fields.items():
        if value is not None:
            setattr(area, name, value)
    session.add(area)
    audit.record(
        session=session,
        action="update",
        entity="area",
        entity_id=area.code,
        user=user,
        detail={"fields": sorted(changes.model_fields_set)},
    )
    session.flush()
    return area


def delete_area(*, session: Session, area: Area, user: User | None) -> None:
    """Delete an area nothing refers to; raise Conflict (nothing deleted) otherwise."""
    detail = {"code": area.code, "name": area.name}
    delete_unused(session=session, row=area, name=area.name, detail=detail, user=user)
