"""What a partner gets back: their own page, opened with their invite link.

It holds the stories their organisation sent and what became of each (waiting,
published or not with the editor's note, discussed in which reflection session with
the actions agreed there, chosen as most significant change and why, used in which
half-year report with that report's words), the open story requests addressed to them
and the ideas they proposed with their state.

Only what that partner may see: never contact details, never another partner's story,
and a story that is not (or no longer) published never with its title or text.
"""

from dataclasses import dataclass, field
from datetime import date

from markupsafe import Markup
from sqlmodel import Session, col, select

from app.experiments import ideas
from app.experiments.ideas import IdeaView
from app.figures.periods import Period, parse_period, period_of
from app.models import (
    Action,
    FrozenReport,
    Narrative,
    NarrativeStatus,
    Partner,
    ReflectionSession,
    ReportIntro,
    ReportStory,
    SessionNarrative,
    Theme,
)
from app.narratives.rendering import render_markdown
from app.narratives.requests import RequestView, open_requests_for
from app.narratives.significance import Choice, choices_for_stories

#: How much of a report's introduction the partner's page quotes.
INTRO_QUOTED = 600


@dataclass
class SessionUse:
    """A reflection session that discussed the story, with the actions it agreed."""

    reflection: ReflectionSession
    actions: list[Action]
    choices: list[Choice] = field(default_factory=list)


@dataclass
class ReportUse:
    """A half-year report that used the story for a theme, in that report's words."""

    half: Period
    theme: Theme
    words: str
    frozen_on: date | None


@dataclass
class StoryFeedback:
    """One story as its partner reads it back.

    ``state`` is ``pending``, ``published`` or ``hidden``; for a hidden story the page
    shows only its dates and the editor's note, never its title or text."""

    story: Narrative
    state: str
    period: Period
    note: str
    body_html: Markup | str = ""
    sessions: list[SessionUse] = field(default_factory=list)
    reports: list[ReportUse] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)

    @property
    def title(self) -> str:
        return "" if self.state == "hidden" else self.story.title


@dataclass
class PartnerPage:
    partner: Partner
    stories: list[StoryFeedback]
    requests: list[RequestView]
    ideas: list[IdeaView]


def _excerpt(text: str, limit: int = INTRO_QUOTED) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


def _sessions(session: Session, ids: list[int]) -> dict[int, list[SessionUse]]:
    rows = session.exec(
        select(SessionNarrative.narrative_id, ReflectionSession)
        .join(ReflectionSession, col(ReflectionSession.id) == SessionNarrative.session_id)
        .where(col(SessionNarrative.narrative_id).in_(ids))
        .order_by(col(ReflectionSession.held_on), col(ReflectionSession.id))
    ).all()
    session_ids = {reflection.id for _, reflection in rows}
    actions: dict[int, list[Action]] = {}
    if session_ids:
        for action in session.exec(
            select(Action).where(col(Action.session_id).in_(session_ids)).order_by(col(Action.id))
        ):
            actions.setdefault(action.session_id, []).append(action)
    found: dict[int, list[SessionUse]] = {}
    for narrative_id, reflection in rows:
        use = SessionUse(reflection, actions.get(reflection.id or 0, []))
        found.setdefault(narrative_id, []).append(use)
    return found


def _reports(session: Session, ids: list[int]) -> dict[int, list[ReportUse]]:
    rows = session.exec(
        select(ReportStory, Theme)
        .join(Theme, col(Theme.id) == ReportStory.theme_id)
        .where(col(ReportStory.narrative_id).in_(ids))
        .order_by(col(ReportStory.period), col(Theme.name))
    ).all()
    periods = {link.period for link, _ in rows}
    intros = {}
    frozen: dict[str, date] = {}
    if periods:
        for intro in session.exec(select(ReportIntro).where(col(ReportIntro.period).in_(periods))):
            intros[(intro.period, intro.theme_id)] = intro.text
        for report in session.exec(
            select(FrozenReport).where(col(FrozenReport.period).in_(periods))
        ):
            day = report.frozen_at.date()
            frozen[report.period] = max(frozen.get(report.period, day), day)
    found: dict[int, list[ReportUse]] = {}
    for link, theme in rows:
        words = _excerpt(intros.get((link.period, theme.id), ""))
        half = parse_period(link.period)
        use = ReportUse(half, theme, words, frozen.get(link.period))
        found.setdefault(link.narrative_id, []).append(use)
    return found


def story_feedback(*, session: Session, partner: Partner) -> list[StoryFeedback]:
    """The stories ``partner`` sent (newest first), each with what became of it."""
    stories = session.exec(
        select(Narrative)
        .where(Narrative.partner_id == partner.id)
        .order_by(col(Narrative.submitted_at).desc(), col(Narrative.id).desc())
    ).all()
    published = [s.id or 0 for s in stories if s.status == NarrativeStatus.published]
    sessions = _sessions(session, published) if published else {}
    reports = _reports(session, published) if published else {}
    choices = choices_for_stories(session=session, story_ids=published)
    result = []
    for story in stories:
        item = StoryFeedback(
            story=story,
            state=story.status.value,
            period=period_of(story.occurred_on, story.occurred_frequency),
            note=story.moderation_note,
        )
        if story.status == NarrativeStatus.published:
            mine = choices.get(story.id or 0, [])
            item.body_html = render_markdown(story.body)
            item.sessions = sessions.get(story.id or 0, [])
            for use in item.sessions:
                use.choices = [c for c in mine if c.reflection.id == use.reflection.id]
            item.reports = reports.get(story.id or 0, [])
            item.choices = mine
        result.append(item)
    return result


def partner_page(*, session: Session, partner: Partner) -> PartnerPage:
    """Everything the partner's own page shows, and nothing more."""
    proposed = ideas.proposed_from_outside(session=session, partner_id=partner.id)
    return PartnerPage(
        partner=partner,
        stories=story_feedback(session=session, partner=partner),
        requests=open_requests_for(session=session, partner=partner, public=False),
        ideas=ideas.views(session=session, ideas=proposed),
    )
