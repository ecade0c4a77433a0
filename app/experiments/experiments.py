"""Experiments: try an idea small, compare with districts where it does not run, decide.

An experiment is refused unless it says where (pilot districts) or for whom (target
group) it runs, ends its review after it starts, keeps pilot and comparison districts
apart, and, before it may run, who will implement it if it works ("prepared for
success": many pilots succeed while nobody planned their roll-out). A decision to
scale, adjust or stop always carries a reason; scaling adds pilot districts, adjusting
keeps the hypothesis it replaces and sets a new review date.
"""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, func, select

from app import audit
from app.i18n import N_
from app.lookups import by_names, grouped
from app.models import (
    Area,
    AreaRole,
    DecisionCreate,
    DecisionKind,
    Experiment,
    ExperimentArea,
    ExperimentCreate,
    ExperimentDecision,
    ExperimentIndicator,
    ExperimentStatus,
    ExperimentTheme,
    ExperimentUpdate,
    Idea,
    IdeaState,
    IdeaTheme,
    Indicator,
    LearningQuestion,
    ReflectionSession,
    SessionExperiment,
    StoryRequest,
    Theme,
    User,
)
from app.problems import FieldError, Invalid, NotFound

NOT_FOUND = N_("There is no experiment with number %(id)s.")
REVIEW_BEFORE_START = N_("The review date must come after the start date.")
WHERE_OR_WHOM = N_("Name the districts where it runs, or the target group it is for.")
BOTH_PILOT_AND_COMPARISON = N_("%(name)s cannot be both a pilot and a comparison district.")
NOT_PREPARED = N_(
    "Say who will implement it, with what capacity and budget, if it works: "
    "an experiment cannot run without it."
)
IDEA_NOT_CHOSEN = N_("Only a chosen idea can become an experiment.")
UNKNOWN_IDEA = N_("Unknown idea: %(id)s.")
UNKNOWN_QUESTION = N_("Unknown learning question: %(id)s.")
UNKNOWN_SESSION = N_("Unknown reflection session: %(id)s.")
STATUS_BY_DECISION = N_("Scaling and stopping are decisions: record one with its reason.")
FINISHED = N_("This experiment was stopped; it takes no further decisions.")
SCALE_NEEDS_AREAS = N_("Name the further districts it is scaled to.")
ALREADY_PILOT = N_("%(name)s is a pilot district already.")
ADJUST_NEEDS_REVIEW = N_("Give the new review date of the adjusted experiment.")
ADJUST_NEEDS_HYPOTHESIS = N_("Give the adjusted hypothesis.")
STORY_NEEDS_FIGURE = N_("A story question needs at least one figure to follow.")

# Statuses a person sets directly; the others follow from decisions.
DIRECT_STATUSES = {ExperimentStatus.planned, ExperimentStatus.running}


def get(*, session: Session, experiment_id: int) -> Experiment:
    """Return experiment ``experiment_id`` or raise ``NotFound``."""
    experiment = session.get(Experiment, experiment_id)
    if experiment is None:
        raise NotFound(NOT_FOUND, id=experiment_id)
    return experiment


def list_experiments(
    *,
    session: Session,
    status: ExperimentStatus | None = None,
    theme: str | None = None,
    area: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Experiment], int]:
    """Return a page of experiments, by review date, and how many match in all."""
    query = select(Experiment)
    if status is not None:
        query = query.where(Experiment.status == status)
    if theme:
        query = query.where(
            col(Experiment.id).in_(
                select(ExperimentTheme.experiment_id).join(Theme).where(Theme.slug == theme)
            )
        )
    if area:
        query = query.where(
            col(Experiment.id).in_(
                select(ExperimentArea.experiment_id).join(Area).where(Area.code == area)
            )
        )
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(Experiment.review_on), col(Experiment.id)).limit(limit).offset(offset)
    ).all()
    return list(rows), total


def _optional(session: Session, model, key: int | None, field: str, message: str, errors):
    if key is None:
        return None
    row = session.get(model, key)
    if row is None:
        errors.append(FieldError(field, message, {"id": key}))
    return row


def create(*, session: Session, data: ExperimentCreate, user: User) -> Experiment:
    """Store a new experiment after checking everything it names; nothing on a problem."""
    errors: list[FieldError] = []
    idea = _optional(session, Idea, data.idea, "idea", UNKNOWN_IDEA, errors)
    if idea is not None and idea.state != IdeaState.chosen:
        errors.append(FieldError("idea", IDEA_NOT_CHOSEN))
    _optional(
        session,
        LearningQuestion,
        data.learning_question,
        "learning_question",
        UNKNOWN_QUESTION,
        errors,
    )
    themes = by_names(session, Theme, data.themes, field="themes", errors=errors)
    pilots = by_names(session, Area, data.areas, field="areas", errors=errors)
    comparisons = by_names(
        session, Area, data.comparison_areas, field="comparison_areas", errors=errors
    )
    slugs = [item.slug for item in data.indicators]
    indicators = by_names(session, Indicator, slugs, field="indicators", errors=errors)
    if data.review_on <= data.starts_on:
        errors.append(FieldError("review_on", REVIEW_BEFORE_START))
    if not data.areas and not data.target_group.strip():
        errors.append(FieldError("areas", WHERE_OR_WHOM))
    pilot_codes = {area.code for area in pilots}
    errors += [
        FieldError("comparison_areas", BOTH_PILOT_AND_COMPARISON, {"name": area.name})
        for area in comparisons
        if area.code in pilot_codes
    ]
    if data.status == ExperimentStatus.running and not data.prepared_for_success.strip():
        errors.append(FieldError("prepared_for_success", NOT_PREPARED))
    if data.status not in DIRECT_STATUSES:
        errors.append(FieldError("status", STATUS_BY_DECISION))
    if data.story_question.strip() and not indicators:
        errors.append(FieldError("story_question", STORY_NEEDS_FIGURE))
    if errors:
        raise Invalid(*errors)

    experiment = Experiment(
        title=data.title.strip(),
        hypothesis=data.hypothesis.strip(),
        idea_id=data.idea,
        learning_question_id=data.learning_question,
        target_group=data.target_group.strip(),
        starts_on=data.starts_on,
        review_on=data.review_on,
        behaviour_change=data.behaviour_change.strip(),
        prepared_for_success=data.prepared_for_success.strip(),
        status=data.status,
        created_by_id=user.id,
    )
    session.add(experiment)
    session.flush()
    if idea is not None and not themes:
        themes = list(
            session.exec(select(Theme).join(IdeaTheme).where(IdeaTheme.idea_id == idea.id))
        )
    session.add_all([ExperimentTheme(experiment_id=experiment.id, theme_id=t.id) for t in themes])
    session.add_all(
        [
            ExperimentArea(experiment_id=experiment.id, area_id=a.id, role=AreaRole.pilot)
            for a in pilots
        ]
        + [
            ExperimentArea(experiment_id=experiment.id, area_id=a.id, role=AreaRole.comparison)
            for a in comparisons
        ]
    )
    directions = {item.slug: item.direction for item in data.indicators}
    session.add_all(
        [
            ExperimentIndicator(
                experiment_id=experiment.id, indicator_id=i.id, direction=directions[i.slug]
            )
            for i in indicators
        ]
    )
    if data.story_question.strip():
        request = StoryRequest(
            question=data.story_question.strip(),
            indicator_id=indicators[0].id,
            area_id=pilots[0].id if len(pilots) == 1 else None,
            period_start=data.starts_on,
            created_by_id=user.id,
        )
        session.add(request)
        session.flush()
        experiment.story_request_id = request.id
    audit.record(
        session=session,
        action="create",
        entity="experiment",
        entity_id=experiment.id,
        user=user,
        detail={"title": experiment.title, "status": str(experiment.status)},
    )
    session.flush()
    return experiment


def update(
    *, session: Session, experiment: Experiment, data: ExperimentUpdate, user: User
) -> Experiment:
    """Change an experiment's words, review date or planned/running status."""
    changes = data.model_dump(exclude_unset=True)
    errors: list[FieldError] = []
    status = changes.get("status")
    if status is not None and status not in DIRECT_STATUSES:
        errors.append(FieldError("status", STATUS_BY_DECISION))
    if experiment.status == ExperimentStatus.stopped and changes:
        errors.append(FieldError("status", FINISHED))
    prepared = changes.get("prepared_for_success", experiment.prepared_for_success) or ""
    if (status or experiment.status) == ExperimentStatus.running and not prepared.strip():
        errors.append(FieldError("prepared_for_success", NOT_PREPARED))
    review_on = changes.get("review_on") or experiment.review_on
    if review_on <= experiment.starts_on:
        errors.append(FieldError("review_on", REVIEW_BEFORE_START))
    if errors:
        raise Invalid(*errors)
    for name, value in changes.items():
        if value is not None:
            setattr(experiment, name, value.strip() if isinstance(value, str) else value)
    session.add(experiment)
    audit.record(
        session=session,
        action="update",
        entity="experiment",
        entity_id=experiment.id,
        user=user,
        detail={name: str(value) for name, value in changes.items()},
    )
    session.flush()
    return experiment


def decide(
    *, session: Session, experiment: Experiment, data: DecisionCreate, user: User, today: date
) -> ExperimentDecision:
    """Record a decision to scale, adjust or stop, with its reason, and apply it."""
    errors: list[FieldError] = []
    if experiment.status == ExperimentStatus.stopped:
        errors.append(FieldError("decision", FINISHED))
    if not data.reason.strip():
        errors.append(FieldError("reason", N_("Give the reason for this decision.")))
    reviewing = _optional(
        session, ReflectionSession, data.session, "session", UNKNOWN_SESSION, errors
    )
    new_areas: list[Area] = []
    if data.decision == DecisionKind.scale:
        new_areas = by_names(session, Area, data.areas, field="areas", errors=errors)
        if not data.areas:
            errors.append(FieldError("areas", SCALE_NEEDS_AREAS))
        taken = {
            row.area_id: row.role
            for row in session.exec(
                select(ExperimentArea).where(ExperimentArea.experiment_id == experiment.id)
            )
        }
        errors += [
            FieldError(
                "areas",
                ALREADY_PILOT if taken[area.id] == AreaRole.pilot else BOTH_PILOT_AND_COMPARISON,
                {"name": area.name},
            )
            for area in new_areas
            if area.id in taken
        ]
    if data.decision == DecisionKind.adjust:
        if data.review_on is None:
            errors.append(FieldError("review_on", ADJUST_NEEDS_REVIEW))
        elif data.review_on <= (data.decided_on or today):
            errors.append(FieldError("review_on", N_("The new review date must lie ahead.")))
        if not data.hypothesis.strip():
            errors.append(FieldError("hypothesis", ADJUST_NEEDS_HYPOTHESIS))
    if errors:
        raise Invalid(*errors)

    decision = ExperimentDecision(
        experiment_id=experiment.id,
        decision=data.decision,
        reason=data.reason.strip(),
        decided_on=data.decided_on or (reviewing.held_on if reviewing else today),
        session_id=data.session,
        areas=[area.code for area in new_areas],
        review_on=data.review_on if data.decision == DecisionKind.adjust else None,
        previous_hypothesis=experiment.hypothesis if data.decision == DecisionKind.adjust else "",
        hypothesis=data.hypothesis.strip() if data.decision == DecisionKind.adjust else "",
        by_id=user.id,
    )
    session.add(decision)
    session.flush()
    if data.decision == DecisionKind.scale:
        experiment.status = ExperimentStatus.scaled
        session.add_all(
            [
                ExperimentArea(
                    experiment_id=experiment.id,
                    area_id=area.id,
                    role=AreaRole.pilot,
                    added_by_decision_id=decision.id,
                )
                for area in new_areas
            ]
        )
    elif data.decision == DecisionKind.adjust:
        experiment.hypothesis = decision.hypothesis
        experiment.review_on = data.review_on or experiment.review_on
        experiment.status = ExperimentStatus.running
    else:
        experiment.status = ExperimentStatus.stopped
    if reviewing is not None:
        link_review(session=session, experiment=experiment, reflection=reviewing)
    session.add(experiment)
    audit.record(
        session=session,
        action=f"decide:{data.decision}",
        entity="experiment",
        entity_id=experiment.id,
        user=user,
        detail={"reason": decision.reason, "areas": decision.areas},
    )
    session.flush()
    return decision


def decisions_for(
    *, session: Session, indicator_ids: list[int], area: Area | None, start: date, end: date
) -> list[tuple[ExperimentDecision, Experiment]]:
    """Decisions in [start, end] on experiments that follow one of the figures, and (with
    ``area``) that run in or are compared with that district: the timeline shows them."""
    if not indicator_ids:
        return []
    query = (
        select(ExperimentDecision, Experiment)
        .join(Experiment, col(Experiment.id) == col(ExperimentDecision.experiment_id))
        .where(
            col(ExperimentDecision.decided_on).between(start, end),
            col(Experiment.id).in_(
                select(ExperimentIndicator.experiment_id).where(
                    col(ExperimentIndicator.indicator_id).in_(indicator_ids)
                )
            ),
        )
    )
    if area is not None:
        query = query.where(
            col(Experiment.id).in_(
                select(ExperimentArea.experiment_id).where(ExperimentArea.area_id == area.id)
            )
        )
    return list(session.exec(query.order_by(col(ExperimentDecision.decided_on))))


def following(
    *, session: Session, indicator: Indicator, area: Area | None
) -> list[tuple[Experiment, list[ExperimentDecision]]]:
    """The experiments that expect this figure to move (in ``area``, when given), each
    with its decisions, for the figure's page."""
    query = select(Experiment).where(
        col(Experiment.id).in_(
            select(ExperimentIndicator.experiment_id).where(
                ExperimentIndicator.indicator_id == indicator.id
            )
        )
    )
    if area is not None:
        query = query.where(
            col(Experiment.id).in_(
                select(ExperimentArea.experiment_id).where(ExperimentArea.area_id == area.id)
            )
        )
    rows = list(session.exec(query.order_by(col(Experiment.starts_on))))
    decisions: dict[int, list[ExperimentDecision]] = {}
    for decision in session.exec(
        select(ExperimentDecision)
        .where(col(ExperimentDecision.experiment_id).in_([row.id for row in rows]))
        .order_by(col(ExperimentDecision.decided_on))
    ):
        decisions.setdefault(decision.experiment_id, []).append(decision)
    return [(row, decisions.get(row.id or 0, [])) for row in rows]


def link_review(*, session: Session, experiment: Experiment, reflection: ReflectionSession) -> None:
    """Record that a reflection session reviewed the experiment (once)."""
    if session.get(SessionExperiment, (reflection.id, experiment.id)) is None:
        session.add(SessionExperiment(session_id=reflection.id, experiment_id=experiment.id))


def review_overdue(experiment: Experiment, today: date) -> bool:
    """A review is overdue when its date has passed and no decision has moved it on
    (scaling and stopping close the review; adjusting sets a new date)."""
    return experiment.review_on < today and experiment.status in DIRECT_STATUSES


@dataclass
class ExperimentView:
    """An experiment with what its page and API answer show."""

    experiment: Experiment
    themes: list[Theme]
    pilots: list[Area]
    comparisons: list[Area]
    first_pilots: list[Area]
    indicators: list[tuple[Indicator, ExperimentIndicator]]
    decisions: list[ExperimentDecision]
    sessions: list[ReflectionSession]
    idea: Idea | None
    question: LearningQuestion | None

    def area_names(self, codes: list[str]) -> list[str]:
        """The names of districts a decision names by code (scaled ones are pilots now)."""
        names = {area.code: area.name for area in self.pilots + self.comparisons}
        return [names.get(code, code) for code in codes]


def view(*, session: Session, experiment: Experiment) -> ExperimentView:
    """Gather the rows an experiment names."""
    return views(session=session, experiments=[experiment])[0]


def views(*, session: Session, experiments: list[Experiment]) -> list[ExperimentView]:
    """The views of a page of experiments in a fixed number of queries, not per row."""
    ids = [experiment.id for experiment in experiments]
    areas = grouped(
        (link.experiment_id, (area, link.role, link.added_by_decision_id))
        for area, link in session.exec(
            select(Area, ExperimentArea)
            .join(ExperimentArea)
            .where(col(ExperimentArea.experiment_id).in_(ids))
            .order_by(Area.name)
        )
    )
    themes = grouped(
        session.exec(
            select(ExperimentTheme.experiment_id, Theme)
            .join(Theme, col(Theme.id) == col(ExperimentTheme.theme_id))
            .where(col(ExperimentTheme.experiment_id).in_(ids))
            .order_by(Theme.name)
        )
    )
    indicators = grouped(
        (link.experiment_id, (indicator, link))
        for indicator, link in session.exec(
            select(Indicator, ExperimentIndicator)
            .join(ExperimentIndicator)
            .where(col(ExperimentIndicator.experiment_id).in_(ids))
            .order_by(Indicator.name)
        )
    )
    decisions = grouped(
        (decision.experiment_id, decision)
        for decision in session.exec(
            select(ExperimentDecision)
            .where(col(ExperimentDecision.experiment_id).in_(ids))
            .order_by(col(ExperimentDecision.decided_on), col(ExperimentDecision.id))
        )
    )
    reviews = grouped(
        session.exec(
            select(SessionExperiment.experiment_id, ReflectionSession)
            .join(ReflectionSession, col(ReflectionSession.id) == col(SessionExperiment.session_id))
            .where(col(SessionExperiment.experiment_id).in_(ids))
            .order_by(col(ReflectionSession.held_on))
        )
    )
    ideas = _by_id(session, Idea, {e.idea_id for e in experiments})
    questions = _by_id(session, LearningQuestion, {e.learning_question_id for e in experiments})
    result = []
    for experiment in experiments:
        placed = areas.get(experiment.id, [])
        result.append(
            ExperimentView(
                experiment=experiment,
                themes=themes.get(experiment.id, []),
                pilots=[area for area, role, _ in placed if role == AreaRole.pilot],
                comparisons=[area for area, role, _ in placed if role == AreaRole.comparison],
                first_pilots=[
                    area
                    for area, role, decision in placed
                    if role == AreaRole.pilot and decision is None
                ],
                indicators=indicators.get(experiment.id, []),
                decisions=decisions.get(experiment.id, []),
                sessions=reviews.get(experiment.id, []),
                idea=ideas.get(experiment.idea_id),
                question=questions.get(experiment.learning_question_id),
            )
        )
    return result


def _by_id(session: Session, model, ids: set) -> dict:
    wanted = [key for key in ids if key is not None]
    if not wanted:
        return {}
    return {row.id: row for row in session.exec(select(model).where(col(model.id).in_(wanted)))}
