"""Follow-up of agreed actions across sessions."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from app import audit
from app.models import Action, ActionStatus, ReflectionSession, User, utcnow


@dataclass(frozen=True)
class OpenAction:
    action: Action
    agreed_in: ReflectionSession
    overdue: bool


def open_actions(*, session: Session, today: date) -> list[OpenAction]:
    """Return every open action, earliest due first; past due dates are overdue."""
    query = (
        select(Action, ReflectionSession)
        .join(ReflectionSession, ReflectionSession.id == Action.session_id)
        .where(Action.status == ActionStatus.open)
        .order_by(col(Action.due_on).is_(None), col(Action.due_on), col(Action.id))
    )
    return [
        OpenAction(action, agreed_in, action.due_on is not None and action.due_on < today)
        for action, agreed_in in session.exec(query)
    ]


def close_action(
    *,
    session: Session,
    action: Action,
    status: ActionStatus,
    closed_in: ReflectionSession | None,
    user: User,
) -> Action:
    """Mark an action done or dropped, linked to the session that decided so."""
    action.status = status
    action.closed_in_session_id = closed_in.id if closed_in else None
    action.closed_at = utcnow()
    session.add(action)
    audit.record(
        session=session,
        action="update",
        entity="action",
        entity_id=action.id,
        user=user,
        detail={"status": str(status), "closed_in": action.closed_in_session_id},
    )
    session.commit()
    session.refresh(action)
    return action
