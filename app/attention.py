"""What asks for an editor's attention, counted for the navigation: stories waiting for
moderation and open actions past their due date. Two counts over indexed columns
(``narrative.status``, ``action.status``), cheap enough for every editor's page."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, func, select

from app.models import Action, ActionStatus, Narrative, NarrativeStatus


@dataclass(frozen=True)
class Attention:
    waiting_stories: int = 0
    overdue_actions: int = 0


def attention(*, session: Session, today: date) -> Attention:
    """Count the stories waiting for moderation and the open actions due before ``today``."""
    waiting = session.exec(
        select(func.count())
        .select_from(Narrative)
        .where(Narrative.status == NarrativeStatus.pending)
    ).one()
    overdue = session.exec(
        select(func.count())
        .select_from(Action)
        .where(
            Action.status == ActionStatus.open,
            col(Action.due_on).is_not(None),
            col(Action.due_on) < today,
        )
    ).one()
    return Attention(waiting_stories=waiting, overdue_actions=overdue)
