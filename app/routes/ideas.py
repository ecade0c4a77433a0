"""Ideas: the proposal form (staff, partners by invite link, residents when public),
the idea page where editors weigh and choose, and the API twin ``/api/v1/ideas``."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlmodel import Session, select
from starlette.responses import RedirectResponse

from app.config import Settings
from app.deps import (
    AuthRequired,
    EditorUser,
    FormUser,
    Limit,
    Offset,
    SessionDep,
    SettingsDep,
    ViewerUser,
    WriteSessionDep,
)
from app.experiments import ideas
from app.experiments.public import idea_public
from app.forms import FormDep, check_csrf, refused, validated
from app.i18n import N_
from app.ids import posted_id
from app.lookups import district_options
from app.models import (
    AuthorRole,
    IdeaCreate,
    IdeaList,
    IdeaPublic,
    IdeaState,
    IdeaUpdate,
    Partner,
    Theme,
    User,
)
from app.narratives.invites import resolve_invite
from app.problems import Problem
from app.templating import render

router = APIRouter(tags=["ideas"])
pages = APIRouter(tags=["pages"], include_in_schema=False)

HINTS = {
    "title": N_("Give your idea a short title (at most 200 characters)."),
    "description": N_("Describe what you would try (at most 5,000 characters)."),
    "problem": N_("The problem can be at most 2,000 characters."),
    "target_group": N_("The target group can be at most 200 characters."),
    "proposer_name": N_("A name can be at most 200 characters."),
}


def _proposer(
    session: Session, settings: Settings, user: User | None, token: str
) -> tuple[ideas.Proposer, Partner | None]:
    """Who proposes: the invite's partner, a signed-in staff member, or a resident."""
    if token:
        invite, partner = resolve_invite(session=session, token=token)
        return ideas.Proposer(AuthorRole.partner, partner.id, None, f"invite:{invite.id}"), partner
    if user is not None:
        return ideas.Proposer(AuthorRole.staff, None, user), None
    if not settings.public_stories:
        raise AuthRequired
    return ideas.Proposer(AuthorRole.resident, actor="public form"), None


def _choices(session: Session) -> dict:
    return {
        "theme_options": [
            (t.slug, t.name) for t in session.exec(select(Theme).order_by(Theme.name))
        ],
        "area_options": district_options(session),
    }


@pages.get("/ideas/new")
def new_idea(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: FormUser,
    invite: str = "",
):
    """Show the idea form: what would you try, for which problem, where, for whom."""
    _, partner = _proposer(session, settings, user, invite)
    context = {
        **_choices(session),
        "values": {},
        "errors": {},
        "invite": invite,
        "partner": partner,
    }
    return render(request, "ideas/new.html", context)


@pages.post("/ideas/new")
def propose_idea(
    request: Request,
    session: WriteSessionDep,
    settings: SettingsDep,
    user: FormUser,
    form: FormDep,
):
    """Store the idea; the form comes back with every message at its field."""
    check_csrf(request, form.get("csrf_token"))
    token = str(form.get("invite") or "")
    proposer, partner = _proposer(session, settings, user, token)
    values = {name: str(form.get(name) or "") for name in HINTS}
    themes, areas = form.getlist("themes"), form.getlist("areas")
    try:
        data = validated(IdeaCreate, HINTS, **values, themes=themes, areas=areas)
        idea = ideas.propose(session=session, data=data, proposer=proposer)
    except Problem as problem:
        context = {
            **_choices(session),
            "values": {**values, "themes": themes, "areas": areas},
            "errors": refused(request, session, problem),
            "invite": token,
            "partner": partner,
        }
        return render(request, "ideas/new.html", context, status_code=422)
    if user is not None and not token:
        return RedirectResponse(f"/ideas/{idea.id}", status_code=303)
    return render(request, "ideas/sent.html", {"invite": token})


@pages.get("/ideas/mine")
def my_ideas(request: Request, session: SessionDep, user: FormUser, invite: str = ""):
    """A partner's own ideas with every step and its reason (opened by their invite
    link); staff see what every outside proposer reads."""
    partner = resolve_invite(session=session, token=invite)[1] if invite else None
    if partner is None and user is None:
        raise AuthRequired
    rows = ideas.proposed_from_outside(session=session, partner_id=partner.id if partner else None)
    views = ideas.views(session=session, ideas=rows)
    context = {"partner": partner, "ideas": views, "invite": invite}
    return render(request, "ideas/mine.html", context)


def _idea_page(request, session, idea, errors=None, values=None, status_code=200):
    context = {
        "seen": ideas.view(session=session, idea=idea),
        "criteria": ideas.criteria(session=session),
        "errors": errors or {},
        "values": values or {},
    }
    return render(request, "ideas/show.html", context, status_code=status_code)


@pages.get("/ideas/{idea_id}")
def show_idea(request: Request, idea_id: int, session: SessionDep, user: ViewerUser):
    """Show an idea with its steps, scores and objections; editors weigh it here."""
    return _idea_page(request, session, ideas.get(session=session, idea_id=idea_id))


@pages.post("/ideas/{idea_id}")
def weigh_idea(
    request: Request, idea_id: int, session: WriteSessionDep, user: EditorUser, form: FormDep
):
    """One weighing step: a score, an objection, how one was met, or a new state."""
    check_csrf(request, form.get("csrf_token"))
    idea = ideas.get(session=session, idea_id=idea_id)
    what = form.get("do")
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        if what == "score":
            ideas.score(
                session=session,
                idea=idea,
                criterion_id=posted_id(form.get("criterion")) or 0,
                value=posted_id(form.get("score")) or 0,
                comment=str(form.get("comment") or "")[:2_000],
                user=user,
            )
        elif what == "objection":
            ideas.raise_objection(
                session=session,
                idea=idea,
                objection=str(form.get("objection") or "")[:2_000],
                raised_by=str(form.get("raised_by") or "")[:200],
            )
        elif what == "meet":
            ideas.meet_objection(
                session=session,
                idea=idea,
                objection_id=posted_id(form.get("objection_id")) or 0,
                resolution=str(form.get("resolution") or "")[:2_000],
            )
        else:
            data = validated(
                IdeaUpdate,
                {"reason": HINTS["description"]},
                state=form.get("state") or None,
                reason=str(form.get("reason") or ""),
            )
            ideas.update(session=session, idea=idea, data=data, user=user)
    except Problem as problem:
        return _idea_page(request, session, idea, refused(request, session, problem), values, 422)
    return RedirectResponse(f"/ideas/{idea.id}#{what or 'state'}", status_code=303)


@router.get("/api/v1/ideas", response_model=IdeaList)
def list_ideas_api(
    session: SessionDep,
    user: ViewerUser,
    state: IdeaState | None = None,
    theme: Annotated[str | None, Query(max_length=60)] = None,
    area: Annotated[str | None, Query(max_length=20)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
):
    """List ideas, newest first, optionally by state, theme or district."""
    rows, total = ideas.list_ideas(
        session=session, state=state, theme=theme, area=area, limit=limit, offset=offset
    )
    return IdeaList(
        items=[idea_public(seen) for seen in ideas.views(session=session, ideas=rows)], total=total
    )


@router.post("/api/v1/ideas", status_code=201, response_model=IdeaPublic)
def create_idea_api(body: IdeaCreate, session: WriteSessionDep, user: EditorUser):
    """Propose an idea on behalf of staff."""
    idea = ideas.propose(
        session=session, data=body, proposer=ideas.Proposer(AuthorRole.staff, None, user)
    )
    return idea_public(ideas.view(session=session, idea=idea))


@router.get("/api/v1/ideas/{idea_id}", response_model=IdeaPublic)
def get_idea_api(idea_id: int, session: SessionDep, user: ViewerUser):
    """One idea with its steps, scores and objections."""
    return idea_public(
        ideas.view(session=session, idea=ideas.get(session=session, idea_id=idea_id))
    )


@router.patch("/api/v1/ideas/{idea_id}", response_model=IdeaPublic)
def update_idea_api(idea_id: int, body: IdeaUpdate, session: WriteSessionDep, user: EditorUser):
    """Move an idea to its next state (with the reason its proposer reads) or edit it."""
    idea = ideas.update(
        session=session, idea=ideas.get(session=session, idea_id=idea_id), data=body, user=user
    )
    return idea_public(ideas.view(session=session, idea=idea))
