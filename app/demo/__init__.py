"""The demo municipality Wadderveen, generated deterministically and loaded in one go.

Everything comes from one seeded ``random.Random`` and fixed dates, so every load
produces the same rows; ``make run`` calls it on every start, hence the idempotence.
"""

import random

from sqlalchemy import delete, func
from sqlmodel import Session, SQLModel, col, select

from app import audit
from app.accounts import create_user, get_by_email
from app.demo.context import add_context
from app.demo.experiments import add_experiments
from app.demo.figures import add_figures
from app.demo.municipality import MUNICIPALITY_CODE, MUNICIPALITY_NAME, add_skeleton
from app.demo.sessions import add_sessions
from app.demo.significance import add_significance
from app.demo.stories import add_stories
from app.models import Area, Indicator, Narrative, ReflectionSession, Role, Theme

SEED = 9901
PASSWORD = "wadderveen-demo"  # noqa: S105 - the documented, public demo password
USERS: list[tuple[str, Role]] = [
    ("admin@wadderveen.example", Role.admin),
    ("redacteur@wadderveen.example", Role.editor),
    ("lezer@wadderveen.example", Role.viewer),
]
# Tables whose rows mean "somebody already put real data here".
CONTENT_TABLES = (Area, Theme, Indicator, Narrative)


def load_demo(*, session: Session, reset: bool = False) -> str:
    """Load Wadderveen and return a message with the demo sign-in details.

    Without ``reset`` a loaded demo is left alone and a database with other data is
    refused (ValueError), so a restart never duplicates or mixes data. With ``reset``
    every row of every table is deleted first.
    """
    if reset:
        delete_everything(session)
    elif session.exec(select(Area).where(Area.code == MUNICIPALITY_CODE)).first():
        return f"The demo municipality {MUNICIPALITY_NAME} is already loaded; nothing changed."
    elif has_content(session):
        raise ValueError(
            "the database already holds other data; the demo is only loaded into an "
            "empty database (use --reset to delete everything and load the demo)"
        )
    for email, role in USERS:
        if get_by_email(session=session, email=email) is None:
            create_user(session=session, email=email, role=role, password=PASSWORD)
    rng = random.Random(SEED)
    skeleton = add_skeleton(session)
    figures = add_figures(session, skeleton)
    stories = add_stories(session, skeleton, figures, rng)
    add_sessions(session, skeleton, figures, stories)
    held = list(session.exec(select(ReflectionSession).order_by(col(ReflectionSession.id))).all())
    add_context(session, skeleton, figures, held)
    editor = get_by_email(session=session, email=USERS[1][0])
    assert editor is not None
    add_experiments(session, skeleton, figures, editor)
    add_significance(session, skeleton, editor)
    audit.record(session=session, action="create", entity="demo", actor="cli")
    session.commit()
    accounts = ", ".join(f"{email} ({role})" for email, role in USERS)
    return (
        f"Loaded the demo municipality {MUNICIPALITY_NAME}. "
        f"Sign in with {accounts}; password: {PASSWORD}"
    )


def has_content(session: Session) -> bool:
    return any(
        session.exec(select(func.count()).select_from(model)).one() for model in CONTENT_TABLES
    )


def delete_everything(session: Session) -> None:
    """Delete all rows of all tables, children before parents (SQLite and PostgreSQL)."""
    for table in reversed(SQLModel.metadata.sorted_tables):
        session.execute(delete(table))
    session.commit()
