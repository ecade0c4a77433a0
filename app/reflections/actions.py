"""Follow-up of agreed actions across sessions."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from app import audit
from app.i18n import N_
from app.models import Action, ActionStatus, ReflectionSession, User, utcnow
from app.problems import Invalid, NotFound

NO_ACTION = N_("There is no action %(id)s.")
STATUS_INVALID = N_("Choose done or dropped.")
NO_LATER_SESSION = N_("There is no reflection session %(id)s.")
CLOSED_BEFORE_AGREED = N_(
    "An action can only be closed in a session on or after the one that agreed it."
)


@dataclass(frozen=True)
class OpenAction:
    action: Action
    agreed_in: ReflectionSession
    overdue: bool


def open_actions(*, session: Session, today: date) -> list[OpenAction]:
    """Return every open action, earliest due first; past due dates are overdue."""
    query = (
        select(Action, ReflectionSession)
        .join(ReflectionSession, col(ReflectionSession.id) == col(Action.session_id))
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
    action_id: int,
    status: str,
    closed_in: int | None,
    user: User,
) -> Action:
    """Mark an action done or dropped, linked to the session (``closed_in``, on or after
    the one that agreed it) that decided so."""
    action = session.get(Action, action_id)
    if action is None:
        raise NotFound(NO_ACTION, id=action_id)
    if status not in (ActionStatus.done, ActionStatus.dropped):
        raise Invalid.at("status", STATUS_INVALID)
    later = session.get(ReflectionSession, closed_in) if closed_in else None
    if closed_in and later is None:
        raise Invalid.at("closed_in", NO_LATER_SESSION, id=closed_in)
    agreed = session.get(ReflectionSession, action.session_id)
    if later is not None and agreed is not None and later.held_on < agreed.held_on:
        raise Invalid.at("closed_in", CLOSED_BEFORE_AGREED)
    action.status = ActionStatus(status)
    action.closed_in_session_id = later.id if later else None
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
    session.flush()
    return action
