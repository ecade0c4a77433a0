"""Most Significant Change in the demo: domains of change for youth and debts, stories
whose tellers said why they matter, and the sessions' choice per domain with its reason.

Choices go through ``significance.choose`` as a session's would, so a partner's page,
the session page and the half-year report show them as they show real ones.
"""

from sqlmodel import Session, col, select

from app.demo.municipality import Skeleton
from app.models import (
    Narrative,
    NarrativeStatus,
    NarrativeTheme,
    ReflectionSession,
    SessionNarrative,
    User,
)
from app.narratives.significance import choose, create_domain

#: Per theme: (domain, why a teller finds a story of that domain important).
DOMAINS = {
    "jeugd": (
        (
            "Gezinnen kunnen zelf verder",
            "Het gezin kon weer zelf verder, met lichte hulp dichtbij.",
        ),
        ("Samen rond de school", "School en hulp zagen samen eerder wat er thuis speelde."),
    ),
    "schulden": (
        ("Grip op geld", "Het huishouden heeft weer overzicht over inkomsten en schulden."),
        ("Vroeg in beeld", "De zorgen kwamen in beeld voordat de schulden groot werden."),
    ),
}
#: Stories per theme that name a domain.
NAMED = 8


def add_significance(session: Session, skeleton: Skeleton, editor: User) -> None:
    """Add the domains, name them on the latest partner stories of each theme, and let
    the latest session that discussed such a story choose it for its domain."""
    for slug, domains in DOMAINS.items():
        theme = skeleton.themes[slug]
        made = [
            create_domain(session=session, theme=theme, name=name, user=editor)
            for name, _ in domains
        ]
        stories = session.exec(
            select(Narrative)
            .join(NarrativeTheme, col(NarrativeTheme.narrative_id) == Narrative.id)
            .where(
                NarrativeTheme.theme_id == theme.id,
                Narrative.status == NarrativeStatus.published,
                col(Narrative.partner_id).is_not(None),
            )
            .order_by(col(Narrative.occurred_on).desc(), col(Narrative.id))
            .limit(NAMED)
        ).all()
        for n, story in enumerate(stories):
            story.domain_id = made[n % len(made)].id
            story.significance = domains[n % len(made)][1]
            session.add(story)
        session.flush()
        for domain in made:
            _choose_one(
                session, [s for s in stories if s.domain_id == domain.id], domain.id, editor
            )


def _choose_one(session: Session, stories: list[Narrative], domain_id: int, editor: User) -> None:
    """The latest session that discussed one of ``stories`` chooses it for its domain."""
    for story in stories:
        reflection = session.exec(
            select(ReflectionSession)
            .join(SessionNarrative, col(SessionNarrative.session_id) == ReflectionSession.id)
            .where(SessionNarrative.narrative_id == story.id)
            .order_by(col(ReflectionSession.held_on).desc())
        ).first()
        if reflection is not None:
            choose(
                session=session,
                reflection=reflection,
                domain_id=str(domain_id),
                narrative_id=str(story.id),
                reason="Dit verhaal laat het scherpst zien wat er voor mensen veranderde, "
                "in hun eigen woorden; het sprak de hele tafel aan.",
                user=editor,
            )
            return
