"""Staff accounts and API tokens: create, authenticate, look up by token.

Problems are raised as ``app.problems`` (a bad field: ``Invalid``); functions flush and
record the audit, the caller's transaction (a request, a CLI command) commits.
"""

import logging
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, select

from app.audit import record
from app.db import impatient_write
from app.i18n import N_
from app.models import ApiToken, Role, User, utcnow
from app.problems import Conflict, FieldError, Invalid, NotFound
from app.security.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from app.security.tokens import new_api_token, token_digest

log = logging.getLogger("duiding")
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)
NOT_YOURSELF = N_("You cannot change your own role or deactivate your own account.")
BAD_EMAIL = N_("%(email)s is not a valid email address.")
TAKEN_EMAIL = N_("an account with email %(email)s already exists")
SHORT_PASSWORD = N_("The password must be at least %(length)s characters long.")
BAD_ROLE = N_("Choose a role.")


def normalise_email(email: str) -> str:
    """Return the canonical form of an email address (trimmed, lower case)."""
    return email.strip().lower()


def get_user(*, session: Session, user_id: int) -> User:
    """Return the account ``user_id``; raise NotFound otherwise."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(N_("There is no account %(id)s."), id=user_id)
    return user


def get_token(*, session: Session, user_id: int, token_id: int) -> ApiToken:
    """Return account ``user_id``'s token ``token_id``; raise NotFound otherwise."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user_id:
        raise NotFound(N_("Account %(user)s has no token %(id)s."), user=user_id, id=token_id)
    return token


def get_by_email(*, session: Session, email: str) -> User | None:
    """Return the user with ``email``, if any."""
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def _password_error(password: str) -> FieldError | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return FieldError("password", SHORT_PASSWORD, {"length": MIN_PASSWORD_LENGTH})
    return None


def create_user(*, session: Session, email: str, role: Role | str, password: str) -> User:
    """Create a staff account; Invalid (every bad field at once) for a malformed or taken
    email, an unknown role or a short password."""
    email = normalise_email(email)
    local, _, domain = email.partition("@")
    errors = []
    if not local or not domain or " " in email or len(email) > 254:
        errors.append(FieldError("email", BAD_EMAIL, {"email": email}))
    elif get_by_email(session=session, email=email):
        errors.append(FieldError("email", TAKEN_EMAIL, {"email": email}))
    if role not in Role.__members__:
        errors.append(FieldError("role", BAD_ROLE))
    if problem := _password_error(password):
        errors.append(problem)
    if errors:
        raise Invalid(*errors)
    user = User(email=email, role=Role(role), password_hash=hash_password(password))
    session.add(user)
    session.flush()
    return user


def set_password(*, session: Session, user: User, password: str, actor: str = "") -> None:
    """Give ``user`` a new password (accounts restored from an archive have none).

    Every session of the account ends: whoever knew the old password is signed out."""
    if problem := _password_error(password):
        raise Invalid(problem)
    user.password_hash = hash_password(password)
    end_sessions(user=user)
    session.add(user)
    record(session=session, action="set_password", entity="user", entity_id=user.id, actor=actor)


def end_sessions(*, user: User) -> None:
    """End every session of ``user`` on the server: their cookies no longer sign in."""
    user.session_generation = (user.session_generation or 0) + 1


def signed_in(*, session: Session, user_id: int, generation: object) -> User | None:
    """Return the active user a session cookie names, if its session has not ended."""
    user = session.get(User, user_id)
    if user is None or not user.is_active or generation != user.session_generation:
        return None
    return user


def authenticate(*, session: Session, email: str, password: str) -> User | None:
    """Return the active user with these credentials, or None (same cost either way)."""
    user = get_by_email(session=session, email=email)
    valid = verify_password(user.password_hash if user else None, password)
    if user and valid and user.is_active:
        return user
    return None


def create_token(*, session: Session, user: User, name: str = "") -> str:
    """Create an API token for ``user`` and return it; only its digest is stored."""
    token = new_api_token()
    session.add(ApiToken(user_id=user.id, token_hash=token_digest(token), name=name))
    session.flush()
    return token


def user_for_token(*, session: Session, token: str) -> User | None:
    """Return the active owner of a valid, unrevoked token and note when it was used."""
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == token_digest(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > TOKEN_TOUCH_INTERVAL:
        _note_use(engine=session.get_bind(), token_id=row.id, now=now)
    return user


def _note_use(*, engine, token_id: int, now: datetime) -> None:
    """Record that a token was used, at most once a minute, never failing the request.

    A conditional UPDATE in a transaction of its own, so workers that race write it
    once; when the write lock is taken (an import merging), it is skipped: a request
    a minute later records the use."""
    recent = col(ApiToken.last_used_at) >= now - TOKEN_TOUCH_INTERVAL
    try:
        with impatient_write(engine) as connection:
            connection.execute(
                update(ApiToken)
                .where(
                    col(ApiToken.id) == token_id, or_(col(ApiToken.last_used_at).is_(None), ~recent)
                )
                .values(last_used_at=now)
            )
    except DBAPIError:
        log.info("token use not recorded: the database is busy")


# Administration: every change is written to the audit log in the same transaction.


def list_users(*, session: Session) -> list[User]:
    """Return all staff accounts, active first, then by email."""
    return list(
        session.exec(select(User).order_by(col(User.is_active).desc(), col(User.email))).all()
    )


def list_tokens(*, session: Session, user: User) -> list[ApiToken]:
    """Return ``user``'s tokens, newest first (revoked ones too, for the record)."""
    query = select(ApiToken).where(ApiToken.user_id == user.id)
    return list(
        session.exec(query.order_by(col(ApiToken.created_at).desc(), col(ApiToken.id).desc())).all()
    )


def add_user(*, session: Session, by: User, email: str, role: Role | str, password: str) -> User:
    """Create an account on behalf of admin ``by`` and audit it."""
    user = create_user(session=session, email=email, role=role, password=password)
    record(
        session=session,
        action="create",
        entity="user",
        entity_id=user.id,
        user=by,
        detail={"email": user.email, "role": user.role.value},
    )
    return user


def _change_other(
    *, session: Session, by: User, user: User, action: str, detail: dict, **changes
) -> None:
    """Set ``changes`` on another user's account for admin ``by``, audited as ``action``.

    An admin cannot change their own account (no lock-out); a change to what is
    already there is not recorded."""
    if user.id == by.id:
        raise Conflict(NOT_YOURSELF)
    if all(getattr(user, name) == value for name, value in changes.items()):
        return
    record(session=session, action=action, entity="user", entity_id=user.id, user=by, detail=detail)
    for name, value in changes.items():
        setattr(user, name, value)
    session.add(user)
    session.flush()


def change_role(*, session: Session, by: User, user: User, role: Role) -> None:
    """Give ``user`` another role."""
    _change_other(
        session=session,
        by=by,
        user=user,
        action="update",
        detail={"role": [user.role.value, role.value]},
        role=role,
    )


def set_active(*, session: Session, by: User, user: User, active: bool) -> None:
    """Deactivate or reactivate ``user``; sessions and tokens stop working at once."""
    _change_other(
        session=session,
        by=by,
        user=user,
        action="reactivate" if active else "deactivate",
        detail={"email": user.email},
        is_active=active,
        session_generation=user.session_generation + (1 if user.is_active and not active else 0),
    )


def issue_token(*, session: Session, by: User, user: User, name: str) -> str:
    """Create a token for ``user`` on behalf of ``by``, audit it and return it (shown once)."""
    token = create_token(session=session, user=user, name=name)
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == token_digest(token))).one()
    detail = {"owner": user.email, "name": name}
    record(
        session=session,
        action="create",
        entity="api_token",
        entity_id=row.id,
        user=by,
        detail=detail,
    )
    return token


def revoke_token(*, session: Session, by: User, token: ApiToken) -> None:
    """Revoke ``token`` so that it no longer signs anyone in."""
    if token.revoked_at is not None:
        return
    token.revoked_at = utcnow()
    session.add(token)
    record(
        session=session,
        action="revoke",
        entity="api_token",
        entity_id=token.id,
        user=by,
        detail={"owner_id": token.user_id, "name": token.name},
    )
    session.flush()
