"""Helpers for HTML forms: CSRF checks, safe redirects, per-field error collection."""

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from starlette.datastructures import FormData

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


#: The largest id a database integer column holds (BIGINT); anything above is no id.
MAX_ID = 2**63 - 1


def posted_id(value: object) -> int | None:
    """A posted id as an int, or None when the text is not one.

    Only ASCII digits count: ``str.isdigit`` also accepts "²", which ``int`` refuses.
    A number beyond what the database stores is no id either, rather than an error."""
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def safe_next(target: str | None) -> str:
    """Return ``target`` if it is a path on this site, else ``/`` (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


async def read_form(request: Request) -> FormData:
    """Read the posted form, so that handlers using it can stay synchronous.

    A handler that touches the database must not be ``async``: its blocking SQLite
    calls (a write waits up to the busy timeout) would stall the event loop and, with it,
    every other request, including the one holding the lock.
    """
    return await request.form()


FormDep = Annotated[FormData, Depends(read_form)]
