"""Test data factories (plain functions) and helpers to act as a user would.

Each ``make_*`` takes the session and keyword overrides and returns the stored row.
"""

import itertools
import re
from datetime import date

from fastapi.testclient import TestClient
from sqlmodel import Session

from app import accounts
from app.models import (
    Area,
    AreaKind,
    Indicator,
    IndicatorTheme,
    Narrative,
    NarrativeStatus,
    Role,
    Theme,
    User,
)

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def _save(session: Session, row):
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def make_user(session: Session, role: Role | str = Role.editor, **overrides) -> User:
    email = overrides.pop("email", f"user{next(_counter)}@gemeente.example")
    user = accounts.create_user(
        session=session, email=email, role=Role(role), password=overrides.pop("password", PASSWORD)
    )
    session.commit()
    return user


def make_theme(session: Session, **overrides) -> Theme:
    n = next(_counter)
    values = {"slug": f"theme-{n}", "name": f"Thema {n}", **overrides}
    return _save(session, Theme(**values))


def make_area(session: Session, **overrides) -> Area:
    n = next(_counter)
    values = {"code": f"WK9999{n:02d}", "name": f"Wijk {n}", "kind": AreaKind.district}
    return _save(session, Area(**{**values, **overrides}))


def make_indicator(session: Session, themes: list[Theme] = (), **overrides) -> Indicator:
    n = next(_counter)
    values = {"slug": f"indicator-{n}", "name": f"Indicator {n}", "unit": "aantal", **overrides}
    indicator = _save(session, Indicator(**values))
    for theme in themes:
        session.add(IndicatorTheme(indicator_id=indicator.id, theme_id=theme.id))
    session.commit()
    return indicator


def make_narrative(session: Session, **overrides) -> Narrative:
    n = next(_counter)
    values = {
        "title": f"Verhaal {n}",
        "body": "Wij zien meer gezinnen aan de keukentafel.",
        "occurred_on": date(2024, 3, 1),
        "author_role": "partner",
        "status": NarrativeStatus.published,
        "consent": True,
        **overrides,
    }
    return _save(session, Narrative(**values))


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    """Return the CSRF token from a rendered form."""
    match = CSRF_RE.search(html)
    assert match, "page has no csrf_token field"
    return match.group(1)


def csrf(client: TestClient, path: str = "/login") -> str:
    """Fetch ``path`` and return the CSRF token of its form."""
    return csrf_from(client.get(path).text)


def login(client: TestClient, session: Session, role: Role | str = Role.editor) -> User:
    """Create a user with ``role`` and sign ``client`` in through the login form."""
    user = make_user(session, role=role)
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": csrf(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return user


def bearer(session: Session, role: Role | str = Role.editor) -> dict[str, str]:
    """Return an Authorization header for a new user with ``role``."""
    user = make_user(session, role=role)
    token = accounts.create_token(session=session, user=user)
    session.commit()
    return {"Authorization": f"Bearer {token}"}


def story_form(token: str, n: int, body: str = "Tijdens de partnerbijeenkomst verstuurd.") -> dict:
    """The public story form as a browser sends it; ``n`` makes title and key unique."""
    return {
        "csrf_token": token,
        "submission_key": f"fault-key-{n}",
        "title": f"Gelijktijdig verhaal {n}",
        "body": body,
        "occurred": "2025-06",
        "author_role": "partner",
        "consent": "on",
        "consent_reach": "internal",
    }
