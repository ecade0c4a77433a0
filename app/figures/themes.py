"""Themes (programme tracks): list, create, get, update, delete.

Input arrives as the model family of ``app.models.theme`` (the API's bodies, also
built from the HTML forms); problems are ``app.problems``; the functions flush and
record the audit, the caller's write session commits.
"""

from sqlmodel import Session, col, select

from app import audit
from app.figures.catalog import delete_unused, paged
from app.i18n import N_
from app.models import Theme, ThemeCreate, ThemeUpdate, User
from app.problems import Conflict, NotFound


def list_themes(*, session: Session, limit: int = 100, offset: int = 0) -> tuple[list, int]:
    """Return a page of themes by name and the total count."""
    return paged(session, select(Theme).order_by(col(Theme.name), col(Theme.id)), limit, offset)


def create_theme(*, session: Session, data: ThemeCreate, user: User | None) -> Theme:
    """Add a theme; raise Conflict when the slug is taken."""
    if session.exec(select(Theme.id).where(Theme.slug == data.slug)).first():
        raise Conflict(
            N_("a theme with slug '%(slug)s' already exists"), field="slug", slug=data.slug
        )
    theme = Theme(**data.model_dump())
    session.add(theme)
    session.flush()
    audit.record(session=session, action="create", entity="theme", entity_id=theme.id, user=user)
    return theme


def get_theme(*, session: Session, slug: str) -> Theme:
    """Return the theme with ``slug``; raise NotFound otherwise."""
    theme = session.exec(select(Theme).where(Theme.slug == slug)).first()
    if theme is None:
        raise NotFound(N_("There is no theme '%(slug)s'."), slug=slug)
    return theme


def update_theme(
    *, session: Session, theme: Theme, changes: ThemeUpdate, user: User | None
) -> Theme:
    """Apply the fields present in ``changes``."""
    fields = changes.model_dump(exclude_unset=True, exclude_none=True)
    for name, value in fields.items():
        setattr(theme, name, value)
    session.add(theme)
    audit.record(
        session=session,
        action="update",
        entity="theme",
        entity_id=theme.id,
        user=user,
        detail={"fields": sorted(fields)},
    )
    session.flush()
    return theme


def delete_theme(*, session: Session, theme: Theme, user: User | None) -> None:
    """Delete a theme nothing refers to; raise Conflict (nothing deleted) otherwise."""
    detail = {"slug": theme.slug, "name": theme.name}
    delete_unused(session=session, row=theme, name=theme.name, detail=detail, user=user)
