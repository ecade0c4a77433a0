"""Most Significant Change: a theme's domains of change (``/themes/{slug}/domains``,
editors configure them; ``/api/v1/themes/{slug}/domains``) and a session's choice of
the most significant stories per domain with their reasons
(``/sessions/{id}/significant``)."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from pydantic import BaseModel, Field
from sqlmodel import Session
from starlette.responses import RedirectResponse

from app.deps import EditorUser, Reader, SessionDep, ViewerUser, WriteSessionDep
from app.figures.themes import get_theme
from app.forms import check_csrf, refused
from app.models import Theme
from app.narratives import significance
from app.problems import Conflict, Invalid, NotFound
from app.reflections.service import get_session
from app.templating import render

router = APIRouter(tags=["themes"])
pages = APIRouter(tags=["pages"], include_in_schema=False)


class DomainIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)


class DomainPublic(BaseModel):
    id: int
    theme: str
    name: str
    in_use: bool


class ChoiceIn(BaseModel):
    domain: int = Field(description="The id of a domain of change.")
    narrative: int = Field(description="The id of a published story.")
    reason: str = Field(
        min_length=1, max_length=5_000, description="Why it is the most significant."
    )


class ChoicePublic(BaseModel):
    id: int
    session: int
    domain: int
    domain_name: str
    theme: str = Field(description="The name of the domain's theme.")
    narrative: int
    reason: str
    chosen_by: str


def _choice(choice: significance.Choice) -> dict:
    row = choice.choice
    return {
        "id": row.id,
        "session": row.session_id,
        "domain": row.domain_id,
        "domain_name": choice.domain.name,
        "theme": choice.domain.theme,
        "narrative": row.narrative_id,
        "reason": row.reason,
        "chosen_by": row.chosen_by,
    }


@router.get("/api/v1/sessions/{session_id}/significant", response_model=list[ChoicePublic])
def list_choices(session_id: int, session: SessionDep, user: ViewerUser):
    """The session's most significant stories per domain, with their reasons."""
    reflection = get_session(session=session, session_id=session_id)
    return [_choice(c) for c in significance.choices_of(session=session, reflection=reflection)]


@router.post(
    "/api/v1/sessions/{session_id}/significant", status_code=201, response_model=ChoicePublic
)
def add_choice(session_id: int, body: ChoiceIn, session: WriteSessionDep, user: EditorUser):
    """Record the session's choice of a published story for a domain, with the reason."""
    reflection = get_session(session=session, session_id=session_id)
    row = significance.choose(
        session=session,
        reflection=reflection,
        domain_id=str(body.domain),
        narrative_id=str(body.narrative),
        reason=body.reason,
        user=user,
    )
    chosen = significance.choices_of(session=session, reflection=reflection)
    return _choice(next(c for c in chosen if c.choice.id == row.id))


def _public(domain, theme: Theme) -> dict:
    return {"id": domain.id, "theme": theme.slug, "name": domain.name, "in_use": domain.in_use}


@router.get("/api/v1/themes/{slug}/domains", response_model=list[DomainPublic])
def list_domains(slug: str, session: SessionDep, reader: Reader):
    """The theme's domains of change; a story names one by its id (``domain``)."""
    theme = get_theme(session=session, slug=slug)
    return [_public(d, theme) for d in significance.domains_of(session=session, theme=theme)]


@router.post("/api/v1/themes/{slug}/domains", status_code=201, response_model=DomainPublic)
def add_domain(slug: str, body: DomainIn, session: WriteSessionDep, user: EditorUser):
    """Add a domain of change to the theme (names are unique within a theme)."""
    theme = get_theme(session=session, slug=slug)
    domain = significance.create_domain(session=session, theme=theme, name=body.name, user=user)
    return _public(domain, theme)


def _domains_page(request, session: Session, theme: Theme, errors=None, typed="", status=200):
    context = {
        "theme": theme,
        "domains": significance.domains_of(session=session, theme=theme),
        "errors": errors or {},
        "typed": typed,
    }
    return render(request, "themes/domains.html", context, status_code=status)


@pages.get("/themes/{slug}/domains")
def domains_page(request: Request, slug: str, session: SessionDep, user: EditorUser):
    """The theme's domains of change, with forms to add, rename and take out of use."""
    theme = get_theme(session=session, slug=slug)
    return _domains_page(request, session, theme)


@pages.post("/themes/{slug}/domains")
def add_domain_page(
    request: Request,
    slug: str,
    session: WriteSessionDep,
    user: EditorUser,
    name: Annotated[str, Form(max_length=400)] = "",
    csrf_token: Annotated[str, Form()] = "",
):
    """Add a domain of change; the form comes back with its message when refused."""
    check_csrf(request, csrf_token)
    theme = get_theme(session=session, slug=slug)
    try:
        significance.create_domain(session=session, theme=theme, name=name, user=user)
    except (Invalid, Conflict) as problem:
        errors = refused(request, session, problem)
        return _domains_page(request, session, theme, errors, name, 422)
    return RedirectResponse(f"/themes/{slug}/domains", status_code=303)


@pages.post("/themes/{slug}/domains/{domain_id}")
def change_domain(
    request: Request,
    slug: str,
    domain_id: int,
    session: WriteSessionDep,
    user: EditorUser,
    name: Annotated[str, Form(max_length=400)] = "",
    in_use: Annotated[str, Form(max_length=5)] = "",
    csrf_token: Annotated[str, Form()] = "",
):
    """Rename a domain, or take it out of use (``in_use=no``) or back (``yes``)."""
    check_csrf(request, csrf_token)
    theme = get_theme(session=session, slug=slug)
    domain = significance.get_domain(session=session, domain_id=domain_id)
    if domain.theme_id != theme.id:
        raise NotFound(significance.NO_DOMAIN, id=domain_id)
    use = {"yes": True, "no": False}.get(in_use)
    try:
        significance.update_domain(
            session=session, domain=domain, name=name if name else None, in_use=use, user=user
        )
    except (Invalid, Conflict) as problem:
        messages = refused(request, session, problem)
        errors = {f"name-{domain_id}": message for message in messages.values()}
        return _domains_page(request, session, theme, errors, status=422)
    return RedirectResponse(f"/themes/{slug}/domains", status_code=303)


def _choice_page(request, session: Session, reflection, errors=None, values=None, status=200):
    context = {
        "reflection": reflection,
        "choices": significance.choices_of(session=session, reflection=reflection),
        "domains": [(d.id, d.label) for d in significance.domain_options(session)],
        "stories": [
            (s.id, f"{s.title} ({s.occurred_on.isoformat()})")
            for s in significance.candidates(session=session, reflection=reflection)
        ],
        "errors": errors or {},
        "values": values or {},
    }
    return render(request, "sessions/significant.html", context, status_code=status)


@pages.get("/sessions/{session_id}/significant")
def significant_page(request: Request, session_id: int, session: SessionDep, user: EditorUser):
    """The session's choices of most significant change, with the form to add one."""
    reflection = get_session(session=session, session_id=session_id)
    return _choice_page(request, session, reflection)


@pages.post("/sessions/{session_id}/significant")
def choose_significant(
    request: Request,
    session_id: int,
    session: WriteSessionDep,
    user: EditorUser,
    domain: Annotated[str, Form(max_length=20)] = "",
    narrative: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=10_000)] = "",
    csrf_token: Annotated[str, Form()] = "",
):
    """Record the session's choice of a story for a domain, with the reason."""
    check_csrf(request, csrf_token)
    reflection = get_session(session=session, session_id=session_id)
    try:
        significance.choose(
            session=session,
            reflection=reflection,
            domain_id=domain,
            narrative_id=narrative,
            reason=reason,
            user=user,
        )
    except (Invalid, Conflict) as problem:
        errors = refused(request, session, problem)
        values = {"domain": domain, "narrative": narrative, "reason": reason}
        return _choice_page(request, session, reflection, errors, values, 422)
    return RedirectResponse(f"/sessions/{session_id}/significant", status_code=303)
