"""Password hashing with argon2 (argon2-cffi's recommended parameters)."""

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 10


@cache
def _dummy_hash() -> str:
    """The hash verified against when the account does not exist, so an unknown email
    costs as much time as a wrong password and the two cannot be told apart. Made on
    the first login rather than at import: hashing costs a tenth of a second that every
    start and CLI command would pay."""
    return _hasher.hash("duiding-timing-equaliser")


def hash_password(password: str) -> str:
    """Return an argon2 hash of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Tell whether ``password`` matches; spends the same time when there is no hash."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False
