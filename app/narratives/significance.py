"""Most Significant Change: domains of change per theme, and the stories a reflection
session chooses as the most significant of a domain, each with its reason.

A submitter may say why the story matters to them (``significance``) and in which
domain the change lies (``domain``, one of a theme's domains). In a reflection session
staff choose, per domain, the story (or stories) that tell the most significant change,
and record why; the half-year report and the submitting partner's page show the choices
with their reasons. Functions flush and record the audit; the caller commits.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from app import audit
from app.i18n import N_
from app.models import (
    ChangeDomain,
    Narrative,
    NarrativeStatus,
    ReflectionSession,
    SessionNarrative,
    SignificantChoice,
    Theme,
    User,
)
from app.problems import Conflict, FieldError, Invalid, NotFound

NAME_MISSING = N_("Give the domain a name.")
NAME_LONG = N_("A domain's name can be at most 200 characters.")
NAME_TAKEN = N_("This theme already has a domain with this name.")
NO_DOMAIN = N_("There is no domain of change %(id)s.")
DOMAIN_BAD = N_("Choose a domain of change from the list.")
REASON_MISSING = N_("Say why this story tells the most significant change.")
REASON_LONG = N_("The reason can be at most 5,000 characters.")
STORY_BAD = N_("Choose a published story from the list.")
CHOSEN_BEFORE = N_("This session already chose this story for this domain.")
SIGNIFICANCE_MAX = 2_000
SIGNIFICANCE_LONG = N_("This can be at most 2,000 characters.")


@dataclass
class DomainOption:
    """A domain as a form offers it: its id, its name and its theme's name."""

    id: int
    name: str
    theme: str
    theme_id: int = 0

    @property
    def label(self) -> str:
        return f"{self.theme}: {self.name}"


def domains_of(*, session: Session, theme: Theme, in_use_only: bool = False) -> list[ChangeDomain]:
    """The domains of ``theme`` by name (those in use first)."""
    query = select(ChangeDomain).where(ChangeDomain.theme_id == theme.id)
    if in_use_only:
        query = query.where(col(ChangeDomain.in_use).is_(True))
    rows = session.exec(query.order_by(col(ChangeDomain.name))).all()
    return sorted(rows, key=lambda row: not row.in_use)


def domain_options(session: Session) -> list[DomainOption]:
    """Every domain in use, grouped by theme name, for the story form."""
    rows = session.exec(
        select(ChangeDomain, Theme.name)
        .join(Theme, col(Theme.id) == ChangeDomain.theme_id)
        .where(col(ChangeDomain.in_use).is_(True))
        .order_by(col(Theme.name), col(ChangeDomain.name))
    ).all()
    return [
        DomainOption(domain.id or 0, domain.name, theme, domain.theme_id) for domain, theme in rows
    ]


def domain_labels(session: Session, ids: Iterable[int | None]) -> dict[int, DomainOption]:
    """The domains with ``ids`` (in use or not), as options by id."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    rows = session.exec(
        select(ChangeDomain, Theme.name)
        .join(Theme, col(Theme.id) == ChangeDomain.theme_id)
        .where(col(ChangeDomain.id).in_(wanted))
    ).all()
    return {d.id or 0: DomainOption(d.id or 0, d.name, theme, d.theme_id) for d, theme in rows}


def get_domain(*, session: Session, domain_id: int) -> ChangeDomain:
    """Return the domain ``domain_id``; raise NotFound otherwise."""
    domain = session.get(ChangeDomain, domain_id)
    if domain is None:
        raise NotFound(NO_DOMAIN, id=domain_id)
    return domain


def _checked_name(session: Session, theme_id: int, name: str, own_id: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise Invalid.at("name", NAME_MISSING)
    if len(name) > 200:
        raise Invalid.at("name", NAME_LONG)
    same = session.exec(
        select(ChangeDomain).where(ChangeDomain.theme_id == theme_id, ChangeDomain.name == name)
    ).first()
    if same is not None and same.id != own_id:
        raise Conflict(NAME_TAKEN, field="name")
    return name


def create_domain(*, session: Session, theme: Theme, name: str, user: User) -> ChangeDomain:
    """Add a domain of change to ``theme``; names are unique within a theme."""
    domain = ChangeDomain(theme_id=theme.id or 0, name=_checked_name(session, theme.id or 0, name))
    session.add(domain)
    session.flush()
    audit.record(
        session=session,
        action="create",
        entity="change_domain",
        entity_id=domain.id,
        user=user,
        detail={"theme": theme.slug, "name": domain.name},
    )
    return domain


def update_domain(
    *, session: Session, domain: ChangeDomain, name: str | None, in_use: bool | None, user: User
) -> ChangeDomain:
    """Rename a domain or take it out of use (stories that named it keep it)."""
    if name is not None:
        domain.name = _checked_name(session, domain.theme_id, name, domain.id)
    if in_use is not None:
        domain.in_use = in_use
    session.add(domain)
    session.flush()
    audit.record(
        session=session,
        action="update",
        entity="change_domain",
        entity_id=domain.id,
        user=user,
        detail={"name": domain.name, "in_use": domain.in_use},
    )
    return domain


def check_story_fields(
    session: Session, significance: str, domain: str
) -> tuple[str, int | None, list[FieldError]]:
    """Validate a story's ``significance`` and ``domain`` (an id, of a domain in use);
    return them with the problems found."""
    problems = []
    significance = (significance or "").strip()
    if len(significance) > SIGNIFICANCE_MAX:
        problems.append(FieldError("significance", SIGNIFICANCE_LONG))
    domain_id = None
    text = str(domain or "").strip()
    if text:
        found = session.get(ChangeDomain, int(text)) if text.isdigit() and len(text) < 12 else None
        if found is None or not found.in_use:
            problems.append(FieldError("domain", DOMAIN_BAD))
        else:
            domain_id = found.id
    return significance, domain_id, problems


@dataclass
class Choice:
    """One choice of a session: the domain, the story and why, by whom."""

    choice: SignificantChoice
    domain: DomainOption
    story: Narrative
    reflection: ReflectionSession


def _choices(session: Session, query) -> list[Choice]:
    rows = session.exec(
        query.join(Narrative, col(Narrative.id) == SignificantChoice.narrative_id)
        .join(ReflectionSession, col(ReflectionSession.id) == SignificantChoice.session_id)
        .order_by(col(ReflectionSession.held_on), col(SignificantChoice.id))
    ).all()
    labels = domain_labels(session, [choice.domain_id for choice, _, _ in rows])
    return [
        Choice(choice, labels[choice.domain_id], story, reflection)
        for choice, story, reflection in rows
        if choice.domain_id in labels
    ]


def _selected():
    return select(SignificantChoice, Narrative, ReflectionSession)


def choices_of(*, session: Session, reflection: ReflectionSession) -> list[Choice]:
    """The choices made in ``reflection`` (withdrawn stories left out)."""
    query = _selected().where(
        SignificantChoice.session_id == reflection.id,
        Narrative.status == NarrativeStatus.published,
    )
    return _choices(session, query)


def choices_between(*, session: Session, start: date, end: date) -> list[Choice]:
    """The choices of the sessions held from ``start`` to ``end`` (published stories)."""
    query = _selected().where(
        col(ReflectionSession.held_on) >= start,
        col(ReflectionSession.held_on) <= end,
        Narrative.status == NarrativeStatus.published,
    )
    return _choices(session, query)


def choices_for_stories(*, session: Session, story_ids: list[int]) -> dict[int, list[Choice]]:
    """The choices that named each of ``story_ids`` (published ones only), by story."""
    if not story_ids:
        return {}
    query = _selected().where(
        col(SignificantChoice.narrative_id).in_(story_ids),
        Narrative.status == NarrativeStatus.published,
    )
    found: dict[int, list[Choice]] = {}
    for choice in _choices(session, query):
        found.setdefault(choice.story.id or 0, []).append(choice)
    return found


def candidates(*, session: Session, reflection: ReflectionSession) -> list[Narrative]:
    """The published stories a session may choose from: the stories it discussed, then
    those whose submitters named a domain, latest first (at most 200 of those)."""
    discussed = session.exec(
        select(Narrative)
        .join(SessionNarrative, col(SessionNarrative.narrative_id) == Narrative.id)
        .where(
            SessionNarrative.session_id == reflection.id,
            Narrative.status == NarrativeStatus.published,
        )
        .order_by(col(Narrative.occurred_on).desc(), col(Narrative.id).desc())
    ).all()
    named = session.exec(
        select(Narrative)
        .where(
            Narrative.status == NarrativeStatus.published,
            col(Narrative.domain_id).is_not(None),
        )
        .order_by(col(Narrative.occurred_on).desc(), col(Narrative.id).desc())
        .limit(200)
    ).all()
    return list({story.id: story for story in [*discussed, *named]}.values())


def choose(
    *,
    session: Session,
    reflection: ReflectionSession,
    domain_id: str,
    narrative_id: str,
    reason: str,
    user: User,
) -> SignificantChoice:
    """Record that ``reflection`` chose a story as the most significant change of a
    domain, with the reason; every problem at its field (Invalid), a repeat a Conflict."""
    problems = []
    domain = None
    if str(domain_id).strip().isdigit() and len(str(domain_id)) < 12:
        domain = session.get(ChangeDomain, int(domain_id))
    if domain is None:
        problems.append(FieldError("domain", DOMAIN_BAD))
    story = None
    if str(narrative_id).strip().isdigit() and len(str(narrative_id)) < 12:
        story = session.get(Narrative, int(narrative_id))
    if story is None or story.status != NarrativeStatus.published:
        problems.append(FieldError("narrative", STORY_BAD))
    reason = (reason or "").strip()
    if not reason:
        problems.append(FieldError("reason", REASON_MISSING))
    elif len(reason) > 5_000:
        problems.append(FieldError("reason", REASON_LONG))
    if problems:
        raise Invalid(*problems)
    assert domain is not None and story is not None
    repeat = session.exec(
        select(SignificantChoice).where(
            SignificantChoice.session_id == reflection.id,
            SignificantChoice.domain_id == domain.id,
            SignificantChoice.narrative_id == story.id,
        )
    ).first()
    if repeat is not None:
        raise Conflict(CHOSEN_BEFORE, field="narrative")
    choice = SignificantChoice(
        session_id=reflection.id or 0,
        domain_id=domain.id or 0,
        narrative_id=story.id or 0,
        reason=reason,
        chosen_by=user.email,
    )
    session.add(choice)
    session.flush()
    audit.record(
        session=session,
        action="choose",
        entity="significant_choice",
        entity_id=choice.id,
        user=user,
        detail={"session": reflection.id, "domain": domain.id, "narrative": story.id},
    )
    return choice
