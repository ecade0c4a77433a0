"""API tokens and CSRF tokens.

API tokens are random and stored only as SHA-256 digests: a stolen database does not
reveal them, and a fast digest is enough because the token has 256 bits of entropy.
"""

import hashlib
import hmac
import secrets

TOKEN_PREFIX = "dui_"  # noqa: S105  (a recognisable prefix, not a secret)


def new_api_token() -> str:
    """Return a fresh API token, to be shown to its owner exactly once."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """Return the stored form of an API token."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_csrf_secret() -> str:
    """Return a per-browser secret kept in the signed session cookie."""
    return secrets.token_urlsafe(24)


def csrf_token(secret: str, key: str) -> str:
    """Return the form token derived from the browser's secret and the app key."""
    return hmac.new(key.encode(), secret.encode(), hashlib.sha256).hexdigest()


def csrf_valid(secret: str | None, key: str, submitted: str | None) -> bool:
    """Tell whether a submitted form token belongs to this browser."""
    if not secret or not submitted:
        return False
    return hmac.compare_digest(csrf_token(secret, key), submitted)
