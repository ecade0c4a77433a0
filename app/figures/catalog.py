"""What the catalogue's aggregates share: themes (``app.figures.themes``), areas
(``app.figures.areas``) and indicators (``app.figures.indicators``).

The hints their forms show at a field pydantic refused, the paging of their lists and
the rule that a theme or area still in use is not deleted (saying what uses it). Each
aggregate's module has the verbs (``list_…``, ``create_…``, ``get_…`` raising
``NotFound``, ``update_…``, ``delete_…``); they flush and record the audit, the caller's
write session commits.
"""

from sqlmodel import Session, SQLModel, func, select

from app import audit
from app.i18n import N_
from app.models import Area, Theme, User
from app.problems import Conflict, Message

# What the tables that point to a theme or an area hold, as a reader names it.
USES = {
    "indicator_theme": N_("indicators"),
    "narrative_theme": N_("stories"),
    "narrative": N_("stories"),
    "context_event_theme": N_("developments"),
    "context_event_area": N_("developments"),
    "theme_result": N_("expected results"),
    "theme_recalibration": N_("re-calibrations"),
    "expected_movement": N_("expected movements"),
    "learning_question_theme": N_("learning questions"),
    "report_intro": N_("report introductions"),
    "observation": N_("observations"),
    "area": N_("areas within it"),
    "story_request": N_("story requests"),
    "session_indicator": N_("reflection sessions"),
}
IN_USE = N_("%(name)s is still in use: %(uses)s. Remove those links first; nothing was deleted.")
# What a form says at a field pydantic refused (its own messages are English and technical).
FIELD_HINTS = {
    "slug": N_("Use lowercase letters, digits and hyphens (e.g. jeugdhulp-trajecten)."),
    "name": N_("Enter a name of at most 200 characters."),
    "unit": N_("Enter a unit of at most 60 characters."),
    "description": N_("The reading guide is too long."),
    "source": N_("Enter a source of at most 500 characters."),
    "frequency": N_("Choose a frequency."),
    "direction": N_("Choose a desired direction."),
    "code": N_("Use letters, digits, - and _ (e.g. WK019301)."),
    "kind": N_("Choose a kind of area."),
    "baseline_points": N_(
        "Enter a whole number of at least 2, or leave it empty to use every point."
    ),
}


def usage(*, session: Session, table: str, row_id: int) -> dict[str, int]:
    """Count, per kind, the rows of other tables whose foreign key points to ``row_id``.

    Read from the metadata, so a table added later is counted without a change here.
    """
    uses: dict[str, int] = {}
    for referring in SQLModel.metadata.sorted_tables:
        for key in referring.foreign_keys:
            if key.column.table.name != table:
                continue
            count = session.exec(
                select(func.count()).select_from(referring).where(key.parent == row_id)
            ).one()
            if count:
                label = USES.get(referring.name, referring.name.replace("_", " "))
                uses[label] = uses.get(label, 0) + count
    return uses


def paged(session: Session, query, limit: int, offset: int):
    """One page of ``query``'s rows and how many there are in all."""
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    return list(session.exec(query.limit(limit).offset(offset))), total


def delete_unused(
    *, session: Session, row: Theme | Area, name: str, detail: dict, user: User | None
) -> None:
    """Delete ``row`` when no other record refers to it; raise Conflict saying what does."""
    table = "theme" if isinstance(row, Theme) else "area"
    uses = usage(session=session, table=table, row_id=row.id)
    if uses:
        listed = [
            Message(N_("%(label)s (%(count)s)"), {"label": Message(label), "count": count})
            for label, count in uses.items()
        ]
        raise Conflict(IN_USE, name=name, uses=listed)
    audit.record(
        session=session, action="delete", entity=table, entity_id=row.id, user=user, detail=detail
    )
    session.delete(row)
    session.flush()
