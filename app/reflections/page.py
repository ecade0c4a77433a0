"""The reflection session page (``/sessions/{id}``) as one typed object (``SessionPage``),
built by one function.

What a session recorded (its notes, frozen figures, published stories and actions) is
read once into a ``SessionRecord``: the page is built on it, and its JSON twin
(``GET /api/v1/sessions/{id}``, also the answer to ``POST /api/v1/sessions``) answers
the same record through ``SessionRecord.public``. The page adds what only it shows:
the notes as HTML, the frozen charts, what was revised since, the history and what
the session moved (``tests/test_session_page.py``).
"""

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from sqlmodel import Session, col, select

from app.figures.page_charts import Chart, chart_with_svg
from app.models import (
    Action,
    Area,
    ContextEvent,
    Indicator,
    LearningQuestion,
    Narrative,
    NarrativeStatus,
    QuestionStatusChange,
    ReflectionSession,
    SessionIndicator,
    SessionNarrative,
)
from app.models.reflection import ReflectionSessionPublic
from app.narratives import significance
from app.narratives.rendering import render_markdown
from app.reflections import learning, service, snapshot

#: The three questions of a session's notes, in the order the page shows them.
NOTES = ("see", "mean", "do")


def session_summary(reflection: ReflectionSession) -> dict[str, Any]:
    """A session as the API's list of sessions shows it."""
    return {
        "id": reflection.id,
        "held_on": reflection.held_on.isoformat(),
        "title": reflection.title,
        "facilitator": reflection.facilitator,
        "participants": reflection.participants,
    }


@dataclass
class SessionRecord:
    """What a session recorded: the page and its JSON twin read it alike."""

    reflection: ReflectionSession
    #: The figures discussed, each frozen that day, in the order they were added.
    figures: list[tuple[SessionIndicator, Indicator, Area | None]]
    #: The stories discussed that are still published (withdrawn ones never), latest first.
    narratives: list[Narrative]
    actions: list[Action]

    def public(self) -> ReflectionSessionPublic:
        """The session as ``GET /api/v1/sessions/{id}`` answers it."""
        return ReflectionSessionPublic.model_validate(
            {
                **session_summary(self.reflection),
                **{name: getattr(self.reflection, name) for name in NOTES},
                "snapshot": [
                    {
                        "indicator": indicator.slug,
                        "area": area.code if area else None,
                        "points": row.snapshot,
                    }
                    for row, indicator, area in self.figures
                ],
                "narratives": sorted(story.id for story in self.narratives),
                "actions": [
                    {
                        "id": action.id,
                        "description": action.description,
                        "owner": action.owner,
                        "due_on": action.due_on.isoformat() if action.due_on else None,
                        "status": str(action.status),
                        "closed_in_session": action.closed_in_session_id,
                    }
                    for action in self.actions
                ],
            }
        )


def read_session(*, session: Session, reflection: ReflectionSession) -> SessionRecord:
    """Read what ``reflection`` recorded."""
    figures = session.exec(
        select(SessionIndicator, Indicator, Area)
        .join(Indicator, col(Indicator.id) == col(SessionIndicator.indicator_id))
        .join(Area, col(Area.id) == col(SessionIndicator.area_id), isouter=True)
        .where(SessionIndicator.session_id == reflection.id)
        .order_by(col(SessionIndicator.id))
    ).all()
    narratives = session.exec(
        select(Narrative)
        .join(SessionNarrative)
        .where(SessionNarrative.session_id == reflection.id)
        .where(Narrative.status == NarrativeStatus.published)  # withdrawn ones never
        .order_by(col(Narrative.occurred_on).desc())
    ).all()
    actions = session.exec(
        select(Action).where(col(Action.session_id) == reflection.id).order_by(col(Action.id))
    ).all()
    return SessionRecord(reflection, list(figures), list(narratives), list(actions))


@dataclass
class SessionFigure:
    """One figure discussed: as frozen that day, and what reads differently now."""

    row: SessionIndicator
    indicator: Indicator
    area: Area | None
    revised: list[snapshot.Revision]
    #: The frozen chart with its SVG twin; None when there were no values yet.
    chart: Chart | None


@dataclass
class SessionPage:
    """What the session page shows: the notes first, the stories, the most significant
    changes, the actions, the questions and developments, the frozen figures and the
    edit history."""

    record: SessionRecord
    #: The notes (see, mean, do) as safe HTML; staff notes may hold tables.
    notes: dict[str, Markup]
    figures: list[SessionFigure]
    #: Actions of earlier sessions this one closed or dropped.
    closed_here: list[Action]
    #: Earlier versions of the text, newest first, with who replaced them.
    revisions: list[tuple]
    significant: list[significance.Choice]
    questions_moved: list[tuple[LearningQuestion, QuestionStatusChange]]
    events_noted: list[ContextEvent]

    @property
    def reflection(self) -> ReflectionSession:
        return self.record.reflection

    @property
    def narratives(self) -> list[Narrative]:
        return self.record.narratives

    @property
    def actions(self) -> list[Action]:
        return self.record.actions

    def public(self) -> ReflectionSessionPublic:
        """The session as the page's JSON twin answers it."""
        return self.record.public()


def _figure(
    session: Session,
    reflection: ReflectionSession,
    row: SessionIndicator,
    indicator: Indicator,
    area: Area | None,
    lang: str,
) -> SessionFigure:
    revised = snapshot.revisions_since(
        session=session, indicator=indicator, area=area, snapshot=row.snapshot
    )
    chart = None
    if row.snapshot:
        panel = snapshot.snapshot_panel(
            session=session, indicator=indicator, area=area, snapshot=row.snapshot
        )
        svg_url = f"/sessions/{reflection.id}/figures/{row.id}/chart.svg?lang={lang}"
        chart = chart_with_svg(panel, lang, svg_url)
    return SessionFigure(row, indicator, area, revised, chart)


def build_session_page(
    *, session: Session, reflection: ReflectionSession, lang: str
) -> SessionPage:
    """Build the page of ``reflection`` in ``lang`` (its charts' words)."""
    record = read_session(session=session, reflection=reflection)
    return SessionPage(
        record=record,
        notes={name: render_markdown(getattr(reflection, name), tables=True) for name in NOTES},
        figures=[
            _figure(session, reflection, row, indicator, area, lang)
            for row, indicator, area in record.figures
        ],
        closed_here=list(
            session.exec(
                select(Action)
                .where(col(Action.closed_in_session_id) == reflection.id)
                .order_by(col(Action.id))
            ).all()
        ),
        revisions=service.revisions_of(session=session, reflection=reflection),
        significant=significance.choices_of(session=session, reflection=reflection),
        questions_moved=learning.moved_in(session=session, session_id=reflection.id),
        events_noted=list(
            session.exec(
                select(ContextEvent)
                .where(ContextEvent.session_id == reflection.id)
                .order_by(col(ContextEvent.starts_on))
            ).all()
        ),
    )
