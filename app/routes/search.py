"""The search page ``/search?q=``: staff find stories, sessions, indicators, questions."""

from fastapi import APIRouter, Request
from sqlmodel import select

from app.deps import SessionDep, ViewerUser
from app.forms import FilterErrors
from app.i18n import N_
from app.models import Theme
from app.search.query import Filters, Kind, Results, search
from app.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)

KIND_LABELS = {
    Kind.story: N_("Stories"),
    Kind.session: N_("Session notes"),
    Kind.indicator: N_("Indicators"),
    Kind.question: N_("Learning questions"),
}


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
    """Search everything the reader may see; filters narrow by type, theme and period
    (any period, in notation or words: from its first day to its last)."""
    errors = FilterErrors(request)
    first, last = errors.period_range(day_from, day_to, ("day_from", "day_to"))
    filters = Filters(
        kind=Kind(kind) if kind in Kind.__members__ else None,
        theme=theme or None,
        day_from=first,
        day_to=last,
    )
    results = Results([]) if errors else search(session.connection(), q, filters)
    themes = session.exec(select(Theme).order_by(Theme.name)).all()
    form = {"q": q, "kind": kind, "theme": theme, "day_from": day_from, "day_to": day_to}
    return render(
        request,
        "search/results.html",
        {
            "form": form,
            "errors": errors,
            "results": results,
            "kinds": KIND_LABELS,
            "themes": themes,
        },
        status_code=errors.status,
    )
