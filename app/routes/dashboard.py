"""The dashboard at ``/``."""

from fastapi import APIRouter, Request

from app.dashboard import build_dashboard
from app.deps import AudienceDep, SessionDep
from app.figures.signals import SIGNAL_LABELS
from app.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/")
def dashboard(request: Request, session: SessionDep, audience: AudienceDep):
    """Show unexplained signals, open story requests, themes with their indicators, the
    latest stories and open actions."""
    return render(
        request,
        "dashboard.html",
        {
            "page": build_dashboard(session=session, reach=audience.reach),
            "signal_labels": SIGNAL_LABELS,
        },
    )
