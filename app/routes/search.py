"""The search page ``/search?q=``: staff find stories, sessions, indicators, questions."""

from datetime import date

from fastapi import APIRouter, Request
from sqlmodel import select

from app.deps import SessionDep, ViewerUser
from app.i18n import N_, gettext
from app.models import Theme
from app.search.query import Filters, Kind, search
from app.templating import render, request_language

router = APIRouter(tags=["pages"], include_in_schema=False)

KIND_LABELS = {
    Kind.story: N_("Stories"),
    Kind.session: N_("Session notes"),
    Kind.indicator: N_("Indicators"),
    Kind.question: N_("Learning questions"),
}


def _day(value: str, name: str, errors: dict) -> date | None:
    """Read an optional date field; a bad one becomes a message, not a 422."""
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        errors[name] = N_("Enter a date as YYYY-MM-DD.")
        return None


@router.get("/search")
def search_page(
    request: Request,
    session: SessionDep,
    user: ViewerUser,
    q: str = "",
    kind: str = "",
    theme: str = "",
    day_from: str = "",
    day_to: str = "",
):
    """Search everything the reader may see; filters narrow by type, theme and period."""
    errors: dict[str, str] = {}
    filters = Filters(
        kind=Kind(kind) if kind in Kind.__members__ else None,
        theme=theme or None,
        day_from=_day(day_from, "day_from", errors),
        day_to=_day(day_to, "day_to", errors),
    )
    hits = [] if errors else search(session.connection(), q, filters)
    themes = session.exec(select(Theme).order_by(Theme.name)).all()
    lang = request_language(request)
    form = {"q": q, "kind": kind, "theme": theme, "day_from": day_from, "day_to": day_to}
    return render(
        request,
        "search/results.html",
        {
            "form": form,
            "errors": {name: gettext(lang, text) for name, text in errors.items()},
            "hits": hits,
            "kinds": KIND_LABELS,
            "themes": themes,
        },
    )
