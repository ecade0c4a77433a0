"""Look up the rows that a request names by slug or code, reporting every unknown one.

Forms and the API name themes by slug, areas by CBS code and indicators by slug; a
domain function resolves them all at once and reports each unknown name at its field,
so that nothing is stored from a half-valid request.
"""

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from sqlmodel import Session, col, select

from app.i18n import N_
from app.models import Area, Indicator, Theme
from app.problems import FieldError

Row = TypeVar("Row", Area, Indicator, Theme)

UNKNOWN = {
    Theme: N_("Unknown theme: %(name)s."),
    Area: N_("Unknown area: %(name)s."),
    Indicator: N_("Unknown indicator: %(name)s."),
}


def _key(model: type[Any]) -> Any:
    return Area.code if model is Area else model.slug


def by_names(
    session: Session,
    model: type[Row],
    names: Sequence[str],
    *,
    field: str,
    errors: list[FieldError],
) -> list[Row]:
    """Return the rows of ``model`` named in ``names`` (in that order, once each).

    Every unknown name adds a ``FieldError`` at ``field`` to ``errors``; the caller
    raises ``Invalid(*errors)`` once everything is checked.
    """
    wanted = list(dict.fromkeys(name.strip() for name in names if name and name.strip()))
    if not wanted:
        return []
    key = _key(model)
    found = {
        getattr(row, key.key): row
        for row in session.exec(select(model).where(col(key).in_(wanted)))
    }
    for name in wanted:
        if name not in found:
            errors.append(FieldError(field, UNKNOWN[model], {"name": name}))
    return [found[name] for name in wanted if name in found]


def district_options(session: Session) -> list[tuple[str, str]]:
    """Every area below the municipality as (code, name), by name, for a form's choices."""
    rows = session.exec(select(Area).where(col(Area.parent_id).is_not(None)).order_by(Area.name))
    return [(area.code, area.name) for area in rows]


def grouped(pairs: Iterable[tuple[Any, Any]]) -> dict[Any, list[Any]]:
    """(owner id, item) pairs as owner id -> [items], in the order they came: how a page
    of rows gathers its links in one query each instead of one per row."""
    result: dict[Any, list[Any]] = {}
    for owner, item in pairs:
        result.setdefault(owner, []).append(item)
    return result
