"""The portfolio (``/experiments``), an experiment's page with its review and decisions,
and the API twin ``/api/v1/experiments``."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlmodel import Session, col, select
from starlette.responses import RedirectResponse, Response

from app.deps import AdminUser, EditorUser, Limit, Offset, SessionDep, ViewerUser, WriteSessionDep
from app.experiments import evidence, experiments, ideas, portfolio
from app.experiments.public import decision_public, experiment_public
from app.figures.svg import chart_svg
from app.forms import FilterErrors, FormDep, check_csrf, refused, validated
from app.i18n import N_
from app.ids import posted_id
from app.lookups import district_options
from app.models import (
    DecisionCreate,
    DecisionPublic,
    ExperimentCreate,
    ExperimentList,
    ExperimentPublic,
    ExperimentStatus,
    ExperimentUpdate,
    Idea,
    IdeaState,
    Indicator,
    LearningQuestion,
    ReflectionSession,
    Theme,
    utcnow,
)
from app.problems import NotFound, Problem
from app.templating import render, request_language

router = APIRouter(tags=["experiments"])
pages = APIRouter(tags=["pages"], include_in_schema=False)

HINTS = {
    "title": N_("Give the experiment a title (at most 200 characters)."),
    "hypothesis": N_("State the hypothesis: if we do X for Y, we expect Z, because W."),
    "starts_on": N_("Give the start date as a date."),
    "review_on": N_("Give the review date as a date."),
    "target_group": N_("The target group can be at most 200 characters."),
    "behaviour_change": N_("This text can be at most 2,000 characters."),
    "prepared_for_success": N_("This text can be at most 2,000 characters."),
    "story_question": N_("The question can be at most 1,000 characters."),
    "status": N_("Choose planned or running."),
    "indicators": N_("Choose the expected direction of each figure."),
    "decision": N_("Choose scale, adjust or stop."),
    "reason": N_("Give the reason for this decision."),
    "hypothesis_new": N_("Give the adjusted hypothesis."),
    "decided_on": N_("Give the date as a date."),
}


def _today() -> date:
    return utcnow().date()


def _form_choices(session: Session) -> dict:
    return {
        "theme_options": [
            (t.slug, t.name) for t in session.exec(select(Theme).order_by(Theme.name))
        ],
        "area_options": district_options(session),
        "indicator_options": [
            (i.slug, i.name) for i in session.exec(select(Indicator).order_by(Indicator.name))
        ],
        "idea_options": [
            (str(i.id), i.title)
            for i in session.exec(
                select(Idea).where(Idea.state == IdeaState.chosen).order_by(Idea.title)
            )
        ],
        "question_options": [
            (str(q.id), q.text[:120])
            for q in session.exec(select(LearningQuestion).order_by(col(LearningQuestion.id)))
        ],
    }


@pages.get("/experiments")
def portfolio_page(
    request: Request,
    session: SessionDep,
    user: ViewerUser,
    theme: str | None = None,
    area: str | None = None,
):
    """Show ideas and experiments by state, with overdue reviews and theme limits; an
    unknown theme or district is said at its field and left out (422, the page itself)."""
    errors = FilterErrors(request)
    seen = portfolio.portfolio(
        session=session, today=_today(), theme=theme, area=area, filters=errors
    )
    return render(
        request,
        "experiments/portfolio.html",
        {"portfolio": seen, "filter_errors": errors},
        status_code=errors.status,
    )


def _settings_page(request, session, errors=None, status_code=200):
    context = {
        "criteria": ideas.criteria(session=session, active_only=False),
        "loads": portfolio.portfolio(session=session, today=_today()).loads,
        "errors": errors or {},
    }
    return render(request, "experiments/settings.html", context, status_code=status_code)


@pages.get("/experiments/settings")
def portfolio_settings(request: Request, session: SessionDep, user: AdminUser):
    """Show the weighing criteria and each theme's limit of running experiments."""
    return _settings_page(request, session)


@pages.post("/experiments/settings")
def save_portfolio_settings(
    request: Request, session: WriteSessionDep, user: AdminUser, form: FormDep
):
    """Save a criterion (new or changed) or the themes' limits."""
    check_csrf(request, form.get("csrf_token"))
    try:
        if form.get("do") == "limits":
            limits = {}
            for theme in session.exec(select(Theme)):
                text = str(form.get(f"limit-{theme.id}") or "").strip()
                limits[theme.id or 0] = int(text) if text.isdecimal() else (None if not text else 0)
            portfolio.set_limits(session=session, limits=limits)
        else:
            ideas.save_criterion(
                session=session,
                criterion_id=posted_id(form.get("criterion_id")),
                name=str(form.get("name") or ""),
                description=str(form.get("description") or ""),
                active=form.get("active") == "on",
            )
    except Problem as problem:
        return _settings_page(request, session, refused(request, session, problem), 422)
    return RedirectResponse("/experiments/settings", status_code=303)


def _new_page(request, session, values, errors=None, status_code=200):
    context = {**_form_choices(session), "values": values, "errors": errors or {}}
    return render(request, "experiments/new.html", context, status_code=status_code)


@pages.get("/experiments/new")
def new_experiment(request: Request, session: SessionDep, user: EditorUser, idea: str = ""):
    """Show the experiment form, filled from a chosen idea when one is named."""
    values: dict = {"status": "planned", "starts_on": _today().isoformat()}
    chosen = session.get(Idea, posted_id(idea) or 0)
    if chosen is not None and chosen.state == IdeaState.chosen:
        values |= {
            "idea": str(chosen.id),
            "title": chosen.title,
            "target_group": chosen.target_group,
        }
    return _new_page(request, session, values)


def _indicators_from(form) -> list[dict]:
    """The figures chosen on the form, each with the direction chosen beside it."""
    return [
        {"slug": slug, "direction": form.get(f"direction-{slug}") or ""}
        for slug in form.getlist("indicators")
    ]


@pages.post("/experiments/new")
def create_experiment(request: Request, session: WriteSessionDep, user: EditorUser, form: FormDep):
    """Store the experiment; the form comes back with every message at its field."""
    check_csrf(request, form.get("csrf_token"))
    texts = (
        "title",
        "hypothesis",
        "target_group",
        "behaviour_change",
        "prepared_for_success",
        "story_question",
        "starts_on",
        "review_on",
        "status",
    )
    values: dict = {name: str(form.get(name) or "") for name in texts}
    lists = {name: form.getlist(name) for name in ("themes", "areas", "comparison_areas")}
    chosen = _indicators_from(form)
    try:
        data = validated(
            ExperimentCreate,
            HINTS,
            **{k: v for k, v in values.items() if v},
            **lists,
            indicators=chosen,
            idea=posted_id(form.get("idea")),
            learning_question=posted_id(form.get("learning_question")),
        )
        experiment = experiments.create(session=session, data=data, user=user)
    except Problem as problem:
        errors = refused(request, session, problem)
        values |= {
            **lists,
            "indicators": [c["slug"] for c in chosen],
            "directions": {c["slug"]: c["direction"] for c in chosen},
            "idea": str(form.get("idea") or ""),
            "learning_question": str(form.get("learning_question") or ""),
        }
        return _new_page(request, session, values, errors, 422)
    return RedirectResponse(f"/experiments/{experiment.id}", status_code=303)


def _experiment_page(request, session, experiment, errors=None, values=None, status_code=200):
    today = _today()
    seen = experiments.view(session=session, experiment=experiment)
    comparisons = evidence.comparisons(session=session, seen=seen, until=today)
    running = evidence.running_period(seen, today)
    context = {
        "seen": seen,
        "overdue": experiments.review_overdue(experiment, today),
        "charts": evidence.comparison_charts(
            comparisons, running, request_language(request), experiment.id
        ),
        "stories": evidence.pilot_stories(session=session, seen=seen),
        "session_options": [
            (str(r.id), f"{r.held_on.isoformat()} {r.title}")
            for r in session.exec(
                select(ReflectionSession).order_by(col(ReflectionSession.held_on).desc()).limit(50)
            )
        ],
        # only districts it is not in yet can be scaled to
        "area_options": [
            option
            for option in district_options(session)
            if option[0] not in {area.code for area in seen.pilots + seen.comparisons}
        ],
        "errors": errors or {},
        "values": values or {},
    }
    return render(request, "experiments/show.html", context, status_code=status_code)


@pages.get("/experiments/{experiment_id}")
def show_experiment(request: Request, experiment_id: int, session: SessionDep, user: ViewerUser):
    """Show an experiment: pilot against comparison, stories, hypothesis, decisions."""
    return _experiment_page(
        request, session, experiments.get(session=session, experiment_id=experiment_id)
    )


@pages.get("/experiments/{experiment_id}/chart.svg")
def experiment_chart_svg(
    request: Request,
    experiment_id: int,
    session: SessionDep,
    user: ViewerUser,
    indicator: Annotated[str | None, Query(max_length=80)] = None,
) -> Response:
    """One figure's pilot against comparison as a static SVG, for readers without
    JavaScript (see app/figures/svg.py); without ``indicator``, the first it follows."""
    experiment = experiments.get(session=session, experiment_id=experiment_id)
    seen = experiments.view(session=session, experiment=experiment)
    today = _today()
    for comparison in evidence.comparisons(session=session, seen=seen, until=today):
        if indicator in (None, comparison.indicator.slug):
            spec = evidence.comparison_spec(
                comparison, evidence.running_period(seen, today), request_language(request), 720
            )
            return Response(chart_svg(spec), media_type="image/svg+xml")
    raise NotFound(evidence.NOT_FOLLOWED, slug=indicator or "")


@pages.post("/experiments/{experiment_id}")
def change_experiment(
    request: Request, experiment_id: int, session: WriteSessionDep, user: EditorUser, form: FormDep
):
    """Start it running, or record a decision to scale, adjust or stop."""
    check_csrf(request, form.get("csrf_token"))
    experiment = experiments.get(session=session, experiment_id=experiment_id)
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        if form.get("do") == "status":
            data = validated(
                ExperimentUpdate,
                HINTS,
                status=form.get("status") or None,
                prepared_for_success=form.get("prepared_for_success") or None,
            )
            experiments.update(session=session, experiment=experiment, data=data, user=user)
        else:
            decision = validated(
                DecisionCreate,
                HINTS,
                decision=form.get("decision") or None,
                reason=str(form.get("reason") or ""),
                areas=form.getlist("areas"),
                review_on=form.get("review_on") or None,
                hypothesis=str(form.get("hypothesis") or ""),
                session=posted_id(form.get("session")),
            )
            experiments.decide(
                session=session, experiment=experiment, data=decision, user=user, today=_today()
            )
    except Problem as problem:
        errors = refused(request, session, problem)
        return _experiment_page(request, session, experiment, errors, values, 422)
    return RedirectResponse(f"/experiments/{experiment.id}#decisions", status_code=303)


@router.get("/api/v1/experiments", response_model=ExperimentList)
def list_experiments_api(
    session: SessionDep,
    user: ViewerUser,
    status: ExperimentStatus | None = None,
    theme: Annotated[str | None, Query(max_length=60)] = None,
    area: Annotated[str | None, Query(max_length=20)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
):
    """List experiments by review date, optionally by status, theme or district."""
    rows, total = experiments.list_experiments(
        session=session, status=status, theme=theme, area=area, limit=limit, offset=offset
    )
    today = _today()
    return ExperimentList(
        items=[
            experiment_public(seen, today)
            for seen in experiments.views(session=session, experiments=rows)
        ],
        total=total,
    )


@router.post("/api/v1/experiments", status_code=201, response_model=ExperimentPublic)
def create_experiment_api(body: ExperimentCreate, session: WriteSessionDep, user: EditorUser):
    """Start an experiment (planned, or running when it is prepared for success)."""
    experiment = experiments.create(session=session, data=body, user=user)
    return experiment_public(experiments.view(session=session, experiment=experiment), _today())


@router.get("/api/v1/experiments/{experiment_id}", response_model=ExperimentPublic)
def get_experiment_api(experiment_id: int, session: SessionDep, user: ViewerUser):
    """One experiment with its districts, figures, reviews and decisions."""
    experiment = experiments.get(session=session, experiment_id=experiment_id)
    return experiment_public(experiments.view(session=session, experiment=experiment), _today())


@router.patch("/api/v1/experiments/{experiment_id}", response_model=ExperimentPublic)
def update_experiment_api(
    experiment_id: int, body: ExperimentUpdate, session: WriteSessionDep, user: EditorUser
):
    """Edit an experiment or set it running; scaling and stopping are decisions."""
    experiment = experiments.update(
        session=session,
        experiment=experiments.get(session=session, experiment_id=experiment_id),
        data=body,
        user=user,
    )
    return experiment_public(experiments.view(session=session, experiment=experiment), _today())


@router.post(
    "/api/v1/experiments/{experiment_id}/decisions", status_code=201, response_model=DecisionPublic
)
def decide_api(
    experiment_id: int, body: DecisionCreate, session: WriteSessionDep, user: EditorUser
):
    """Record a decision to scale, adjust or stop, always with its reason."""
    experiment = experiments.get(session=session, experiment_id=experiment_id)
    decision = experiments.decide(
        session=session, experiment=experiment, data=body, user=user, today=_today()
    )
    return decision_public(decision)
