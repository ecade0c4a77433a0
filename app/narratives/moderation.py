"""Moderation: editors publish or hide pending stories, after redacting them.

An edit replaces the submitted text; the original is not kept, so a redacted name is
really gone. Every decision is written to the audit log in the same transaction. Hiding a story
that was published withdraws it from the frozen reports that hold it.
"""

from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session, col, delete, select

from app.audit import record
from app.figures.periods import Period, period_of
from app.i18n import N_
from app.mail import notices
from app.models import Area, Indicator, Narrative, Theme, User, utcnow
from app.models.narrative import (
    LinkRelation,
    NarrativeContact,
    NarrativeIndicator,
    NarrativeStatus,
    NarrativeTheme,
)
from app.narratives.significance import domain_labels
from app.narratives.submission import StoryInput
from app.reports.service import withdraw_story

NOTE_LONG = N_("The note to the submitter can be at most 2,000 characters.")
NOTE_MAX = 2_000
#: Waiting stories shown with their figures' charts on the moderation list; the
#: others show theirs on their own review page.
CHARTS_LISTED = 20


class Decision(StrEnum):
    publish = "publish"
    hide = "hide"


DECISION_STATUS = {
    Decision.publish: NarrativeStatus.published,
    Decision.hide: NarrativeStatus.hidden,
}


@dataclass
class PendingStory:
    """A story as an editor sees it: with its links and the contact details."""

    story: Narrative
    contact: str
    theme_slugs: list[str]
    indicator_slugs: list[str]
    relation: LinkRelation
    area_code: str
    domain: str = ""
    period_label: Period | None = None


def pending_stories(session: Session) -> list[PendingStory]:
    """Return the stories awaiting a decision, oldest first."""
    stories = session.exec(
        select(Narrative)
        .where(Narrative.status == NarrativeStatus.pending)
        .order_by(col(Narrative.submitted_at), col(Narrative.id))
    ).all()
    return [pending_story(session, story) for story in stories]


def pending_story(session: Session, story: Narrative) -> PendingStory:
    """Gather what an editor needs to decide on ``story``."""
    contact = session.get(NarrativeContact, story.id)
    links = session.exec(
        select(NarrativeIndicator, Indicator.slug)
        .join(Indicator, col(Indicator.id) == NarrativeIndicator.indicator_id)
        .where(NarrativeIndicator.narrative_id == story.id)
    ).all()
    themes = session.exec(
        select(Theme.slug)
        .join(NarrativeTheme, col(NarrativeTheme.theme_id) == Theme.id)
        .where(NarrativeTheme.narrative_id == story.id)
    ).all()
    area = session.get(Area, story.area_id) if story.area_id else None
    domain = domain_labels(session, [story.domain_id]).get(story.domain_id or 0)
    return PendingStory(
        story=story,
        contact=contact.contact if contact else "",
        theme_slugs=list(themes),
        indicator_slugs=[slug for _, slug in links],
        relation=links[0][0].relation if links else LinkRelation.context,
        area_code=area.code if area else "",
        domain=domain.label if domain else "",
        period_label=period_of(story.occurred_on, story.occurred_frequency),
    )


def linked_figures(session: Session, story: Narrative) -> list[tuple[Indicator, LinkRelation]]:
    """Return the figures a story is linked to, each with its relation."""
    rows = session.exec(
        select(Indicator, col(NarrativeIndicator.relation))
        .join(NarrativeIndicator, col(NarrativeIndicator.indicator_id) == Indicator.id)
        .where(NarrativeIndicator.narrative_id == story.id)
        .order_by(Indicator.name)
    ).all()
    return list(rows)


def linked_themes(session: Session, story: Narrative) -> list[Theme]:
    """Return the themes a story is about, by name (pages show names, never slugs)."""
    return list(
        session.exec(
            select(Theme)
            .join(NarrativeTheme, col(NarrativeTheme.theme_id) == Theme.id)
            .where(NarrativeTheme.narrative_id == story.id)
            .order_by(Theme.name)
        ).all()
    )


def set_links(
    *,
    session: Session,
    story: Narrative,
    theme_ids: list[int],
    indicator_ids: list[int],
    relation: LinkRelation,
) -> None:
    """Replace the story's themes and figures (each figure with ``relation``)."""
    session.exec(delete(NarrativeTheme).where(col(NarrativeTheme.narrative_id) == story.id))
    session.exec(delete(NarrativeIndicator).where(col(NarrativeIndicator.narrative_id) == story.id))
    for theme_id in theme_ids:
        session.add(NarrativeTheme(narrative_id=story.id, theme_id=theme_id))
    for indicator_id in indicator_ids:
        session.add(
            NarrativeIndicator(narrative_id=story.id, indicator_id=indicator_id, relation=relation)
        )


def moderate(
    *,
    session: Session,
    story: Narrative,
    decision: Decision,
    edited: StoryInput,
    relation: LinkRelation,
    user: User,
    note: str | None = None,
) -> None:
    """Apply the editor's redaction and links, then publish or hide; audited; the caller
    commits. ``note`` is the editor's word to the submitter (why it was or was not
    published), shown on the partner's page; None keeps the one there was."""
    changed = [
        name
        for name, old, new in (
            ("title", story.title, edited.title),
            ("body", story.body, edited.body),
        )
        if old != new
    ]
    story.title = edited.title
    story.body = edited.body
    story.occurred_on = edited.occurred_on
    story.occurred_frequency = edited.occurred_frequency
    story.area_id = edited.area_id
    story.status = DECISION_STATUS[decision]
    if note is not None:
        story.moderation_note = note.strip()
    story.moderated_at = utcnow()
    story.moderated_by_id = user.id
    session.add(story)
    set_links(
        session=session,
        story=story,
        theme_ids=edited.theme_ids,
        indicator_ids=edited.indicator_ids,
        relation=relation,
    )
    if decision is Decision.hide:
        withdraw_story(session=session, story_id=story.id)
    record(
        session=session,
        action=decision.value,
        entity="narrative",
        entity_id=story.id,
        user=user,
        detail={"edited": changed, "indicators": len(edited.indicator_ids), "relation": relation},
    )
    session.flush()
    notices.story_moderated(session=session, story=story)  # the partner hears of it
