"""Helpers for HTML forms: CSRF checks, safe redirects, per-field error collection."""

from fastapi import HTTPException, Request

from app.config import get_settings
from app.i18n import N_
from app.security.tokens import csrf_valid

CSRF_FAILED = N_(
    "The form has expired or was sent from elsewhere. Please reload the page and try again."
)


def check_csrf(request: Request, submitted: str | None) -> None:
    """Refuse a form post whose CSRF token does not belong to this browser (403)."""
    if not csrf_valid(request.session.get("csrf"), get_settings().secret_key, submitted):
        raise HTTPException(status_code=403, detail=CSRF_FAILED)


def safe_next(target: str | None) -> str:
    """Return ``target`` if it is a path on this site, else ``/`` (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
