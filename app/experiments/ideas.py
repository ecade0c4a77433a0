"""Ideas: propose, weigh on the municipality's criteria, and choose by consent.

The path is proposed → weighed → chosen, parked or declined (a parked idea may be
weighed again). Every step is kept with its date and a reason written for the
proposer, who reads it on their partner page. Choosing is a consent decision: it is
refused while an objection raised during weighing has not been met.
"""

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from app import audit
from app.i18n import N_
from app.lookups import by_names, grouped
from app.models import (
    Area,
    AuthorRole,
    Idea,
    IdeaArea,
    IdeaCreate,
    IdeaObjection,
    IdeaScore,
    IdeaState,
    IdeaStep,
    IdeaTheme,
    IdeaUpdate,
    Theme,
    User,
    WeighingCriterion,
)
from app.problems import FieldError, Invalid, NotFound

NOT_FOUND = N_("There is no idea with number %(id)s.")
REASON_REQUIRED = N_("Give the reason the proposer will read.")
STEP_NOT_ALLOWED = N_("An idea that is %(state)s cannot become %(target)s.")
OBJECTIONS_OPEN = N_(
    "Meet every objection before choosing this idea: %(count)s objection(s) still open."
)
UNKNOWN_CRITERION = N_("Unknown criterion.")
SCORE_RANGE = N_("Give a score from 1 to 5.")
OBJECTION_REQUIRED = N_("Describe the objection.")
UNKNOWN_OBJECTION = N_("Unknown objection.")
CRITERION_NAME = N_("Give the criterion a name of at most 100 characters.")
CRITERION_TAKEN = N_("There is a criterion named %(name)s already.")

# Which state may follow which; "proposed" is only ever the first step.
NEXT_STATES: dict[IdeaState, set[IdeaState]] = {
    IdeaState.proposed: {IdeaState.weighed, IdeaState.parked, IdeaState.declined},
    IdeaState.weighed: {IdeaState.chosen, IdeaState.parked, IdeaState.declined},
    IdeaState.parked: {IdeaState.weighed, IdeaState.declined},
    IdeaState.chosen: set(),
    IdeaState.declined: set(),
}


@dataclass(frozen=True)
class Proposer:
    """Who proposes: a partner through their invite link, a resident, or staff."""

    role: AuthorRole
    partner_id: int | None = None
    user: User | None = None
    actor: str = ""


def get(*, session: Session, idea_id: int) -> Idea:
    """Return idea ``idea_id`` or raise ``NotFound``."""
    idea = session.get(Idea, idea_id)
    if idea is None:
        raise NotFound(NOT_FOUND, id=idea_id)
    return idea


def list_ideas(
    *,
    session: Session,
    state: IdeaState | None = None,
    theme: str | None = None,
    area: str | None = None,
    partner_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Idea], int]:
    """Return a page of ideas, newest first, and how many match in all."""
    query = select(Idea)
    if state is not None:
        query = query.where(Idea.state == state)
    if partner_id is not None:
        query = query.where(Idea.partner_id == partner_id)
    if theme:
        query = query.where(
            col(Idea.id).in_(select(IdeaTheme.idea_id).join(Theme).where(Theme.slug == theme))
        )
    if area:
        query = query.where(
            col(Idea.id).in_(select(IdeaArea.idea_id).join(Area).where(Area.code == area))
        )
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(Idea.created_at).desc(), col(Idea.id).desc()).limit(limit).offset(offset)
    ).all()
    return list(rows), total


def proposed_from_outside(*, session: Session, partner_id: int | None) -> list[Idea]:
    """The ideas of one partner, or (None) of every partner and resident, newest first."""
    query = select(Idea).where(Idea.proposer_role != AuthorRole.staff)
    if partner_id is not None:
        query = query.where(Idea.partner_id == partner_id)
    return list(session.exec(query.order_by(col(Idea.created_at).desc(), col(Idea.id).desc())))


def propose(*, session: Session, data: IdeaCreate, proposer: Proposer) -> Idea:
    """Store a new idea with its first step; unknown themes or areas are refused."""
    errors: list[FieldError] = []
    themes = by_names(session, Theme, data.themes, field="themes", errors=errors)
    areas = by_names(session, Area, data.areas, field="areas", errors=errors)
    if errors:
        raise Invalid(*errors)
    idea = Idea(
        title=data.title.strip(),
        description=data.description.strip(),
        problem=data.problem.strip(),
        target_group=data.target_group.strip(),
        proposer_role=proposer.role,
        proposer_name=data.proposer_name.strip(),
        partner_id=proposer.partner_id,
        created_by_id=proposer.user.id if proposer.user else None,
    )
    session.add(idea)
    session.flush()
    session.add_all([IdeaTheme(idea_id=idea.id, theme_id=theme.id) for theme in themes])
    session.add_all([IdeaArea(idea_id=idea.id, area_id=area.id) for area in areas])
    session.add(IdeaStep(idea_id=idea.id, state=IdeaState.proposed, by_id=_user_id(proposer.user)))
    audit.record(
        session=session,
        action="create",
        entity="idea",
        entity_id=idea.id,
        user=proposer.user,
        actor=proposer.actor,
        detail={"title": idea.title},
    )
    session.flush()
    return idea


def update(*, session: Session, idea: Idea, data: IdeaUpdate, user: User) -> Idea:
    """Edit an idea's words or move it to its next state with a reason."""
    if data.title is not None:
        idea.title = data.title.strip()
    if data.description is not None:
        idea.description = data.description.strip()
    if data.state is not None and data.state != idea.state:
        _step(session=session, idea=idea, target=data.state, reason=data.reason, user=user)
    session.add(idea)
    audit.record(
        session=session,
        action="update",
        entity="idea",
        entity_id=idea.id,
        user=user,
        detail={"state": str(idea.state)},
    )
    session.flush()
    return idea


def _step(*, session: Session, idea: Idea, target: IdeaState, reason: str, user: User) -> None:
    errors = []
    if target not in NEXT_STATES[idea.state]:
        errors.append(
            FieldError("state", STEP_NOT_ALLOWED, {"state": idea.state, "target": target})
        )
    if not reason.strip():
        errors.append(FieldError("reason", REASON_REQUIRED))
    if target == IdeaState.chosen:
        open_count = session.exec(
            select(func.count())
            .select_from(IdeaObjection)
            .where(IdeaObjection.idea_id == idea.id, IdeaObjection.resolution == "")
        ).one()
        if open_count:
            errors.append(FieldError("state", OBJECTIONS_OPEN, {"count": open_count}))
    if errors:
        raise Invalid(*errors)
    idea.state = target
    session.add(IdeaStep(idea_id=idea.id, state=target, reason=reason.strip(), by_id=user.id))


def score(
    *, session: Session, idea: Idea, criterion_id: int, value: int, comment: str, user: User
) -> IdeaScore:
    """Record (or replace) ``user``'s score of ``idea`` on one criterion."""
    criterion = session.get(WeighingCriterion, criterion_id)
    errors = []
    if criterion is None or not criterion.active:
        errors.append(FieldError("criterion", UNKNOWN_CRITERION))
    if not 1 <= value <= 5:
        errors.append(FieldError("score", SCORE_RANGE))
    if errors:
        raise Invalid(*errors)
    row = session.exec(
        select(IdeaScore).where(
            IdeaScore.idea_id == idea.id,
            IdeaScore.criterion_id == criterion_id,
            IdeaScore.by_id == user.id,
        )
    ).first() or IdeaScore(idea_id=idea.id, criterion_id=criterion_id, by_id=user.id, score=value)
    row.score = value
    row.comment = comment.strip()
    session.add(row)
    session.flush()
    return row


def raise_objection(
    *, session: Session, idea: Idea, objection: str, raised_by: str
) -> IdeaObjection:
    """Record an objection raised while weighing; it must be met before consent."""
    if not objection.strip():
        raise Invalid.at("objection", OBJECTION_REQUIRED)
    row = IdeaObjection(idea_id=idea.id, objection=objection.strip(), raised_by=raised_by.strip())
    session.add(row)
    session.flush()
    return row


def meet_objection(
    *, session: Session, idea: Idea, objection_id: int, resolution: str
) -> IdeaObjection:
    """Say how an objection was met (an empty text reopens it)."""
    row = session.get(IdeaObjection, objection_id)
    if row is None or row.idea_id != idea.id:
        raise Invalid.at("objection", UNKNOWN_OBJECTION)
    row.resolution = resolution.strip()
    session.add(row)
    session.flush()
    return row


def _user_id(user: User | None) -> int | None:
    return user.id if user else None


@dataclass
class IdeaView:
    """An idea with everything its page and its API answer show."""

    idea: Idea
    themes: list[Theme]
    areas: list[Area]
    steps: list[IdeaStep]
    scores: list[tuple[WeighingCriterion, IdeaScore]]
    objections: list[IdeaObjection]

    @property
    def next_states(self) -> list[IdeaState]:
        return sorted(NEXT_STATES[self.idea.state], key=list(IdeaState).index)

    @property
    def open_objections(self) -> int:
        return sum(1 for row in self.objections if not row.resolution)


def view(*, session: Session, idea: Idea) -> IdeaView:
    """Gather an idea's themes, areas, steps, scores and objections."""
    return views(session=session, ideas=[idea])[0]


def views(*, session: Session, ideas: list[Idea]) -> list[IdeaView]:
    """The views of a page of ideas in five queries, whatever the page's length."""
    ids = [idea.id for idea in ideas]
    themes = grouped(
        session.exec(
            select(IdeaTheme.idea_id, Theme)
            .join(Theme, col(Theme.id) == col(IdeaTheme.theme_id))
            .where(col(IdeaTheme.idea_id).in_(ids))
            .order_by(Theme.name)
        )
    )
    areas = grouped(
        session.exec(
            select(IdeaArea.idea_id, Area)
            .join(Area, col(Area.id) == col(IdeaArea.area_id))
            .where(col(IdeaArea.idea_id).in_(ids))
            .order_by(Area.name)
        )
    )
    steps = grouped(
        (step.idea_id, step)
        for step in session.exec(
            select(IdeaStep).where(col(IdeaStep.idea_id).in_(ids)).order_by(col(IdeaStep.id))
        )
    )
    scores = grouped(
        (score.idea_id, (criterion, score))
        for criterion, score in session.exec(
            select(WeighingCriterion, IdeaScore)
            .join(IdeaScore)
            .where(col(IdeaScore.idea_id).in_(ids))
            .order_by(col(WeighingCriterion.position), col(IdeaScore.id))
        )
    )
    objections = grouped(
        (row.idea_id, row)
        for row in session.exec(
            select(IdeaObjection)
            .where(col(IdeaObjection.idea_id).in_(ids))
            .order_by(col(IdeaObjection.id))
        )
    )
    return [
        IdeaView(
            idea,
            themes.get(idea.id, []),
            areas.get(idea.id, []),
            steps.get(idea.id, []),
            scores.get(idea.id, []),
            objections.get(idea.id, []),
        )
        for idea in ideas
    ]


def criteria(*, session: Session, active_only: bool = True) -> list[WeighingCriterion]:
    """The criteria ideas are weighed on, in the admin's order."""
    query = select(WeighingCriterion)
    if active_only:
        query = query.where(WeighingCriterion.active == True)  # noqa: E712 - SQL
    return list(
        session.exec(query.order_by(col(WeighingCriterion.position), col(WeighingCriterion.name)))
    )


def save_criterion(
    *, session: Session, criterion_id: int | None, name: str, description: str, active: bool
) -> WeighingCriterion:
    """Add a weighing criterion, or rename, describe or (de)activate one; names are unique."""
    name = name.strip()
    if not name or len(name) > 100:
        raise Invalid.at("name", CRITERION_NAME)
    row = session.get(WeighingCriterion, criterion_id) if criterion_id else None
    if criterion_id and row is None:
        raise Invalid.at("name", UNKNOWN_CRITERION)
    clash = session.exec(select(WeighingCriterion).where(WeighingCriterion.name == name)).first()
    if clash is not None and clash is not row:
        raise Invalid.at("name", CRITERION_TAKEN, name=name)
    if row is None:
        count = session.exec(select(func.count()).select_from(WeighingCriterion)).one()
        row = WeighingCriterion(name=name, position=count)
    row.name, row.description, row.active = name, description.strip()[:1_000], active
    session.add(row)
    session.flush()
    return row
