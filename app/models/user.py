"""Staff accounts, their API tokens and the login-failure log used for throttling."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models._base import UtcDateTime, enum_type, utcnow
from app.roles import Role


class User(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    role: Role = Field(sa_type=enum_type(Role), default=Role.viewer)
    password_hash: str = Field(max_length=300)
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    # Every session cookie carries the generation it was signed in under; raising it
    # (sign-out, a new password, deactivation) ends every session of the account.
    session_generation: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class ApiToken(SQLModel, table=True):
    """A bearer token; only its SHA-256 is stored, the token itself is shown once."""

    __tablename__ = "api_token"

    id: int = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class LoginFailure(SQLModel, table=True):
    """A failed login, kept briefly so that guessing can be throttled across workers."""

    __tablename__ = "login_failure"

    id: int = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    client: str = Field(max_length=100, index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, index=True)
