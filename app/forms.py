"""Helpers for HTML forms: CSRF checks, safe redirects, messages at their fields.

A form that cannot be saved is shown again with what was typed and each message at
its field: ``validated`` turns pydantic's refusal into an ``Invalid`` with a readable
hint per field, ``refused`` undoes the request's writes and says a Problem's messages
in the reader's language, keyed by field.
"""

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError
from sqlmodel import Session
from starlette.datastructures import FormData

from app.config import get_settings
from app.figures.periods import PeriodError, filter_range, parse_period
from app.i18n import N_, gettext
from app.models import Frequency
from app.models.days import OUT_OF_RANGE, out_of_years
from app.problems import FieldError, Forbidden, Invalid, NotFound, Problem
from app.security.tokens import csrf_valid
from app.templating import say

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")
NOT_VALID = N_("This value is not valid.")
DATE_INVALID = N_("Enter a date as YYYY-MM-DD.")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

CSRF_FAILED = N_(
    "The form has expired or was sent from elsewhere. Please reload the page and try again."
)


def check_csrf(request: Request, submitted: object) -> None:
    """Refuse a form post whose CSRF token does not belong to this browser (Forbidden).

    ``submitted`` is the posted value as it comes (a file field is never a token)."""
    token = submitted if isinstance(submitted, str) else None
    if not csrf_valid(request.session.get("csrf"), get_settings().secret_key, token):
        raise Forbidden(CSRF_FAILED)


def choices(lang: str, labels: Mapping) -> list[tuple[str, str]]:
    """Return (value, translated label) pairs for a select (``labels``: enum -> msgid)."""
    return [(key.value, gettext(lang, label)) for key, label in labels.items()]


def validated(model: type[M], hints: Mapping[str, str], /, **values: object) -> M:
    """Build ``model`` from posted ``values``; raise Invalid with ``hints[field]`` (a
    msgid) at each field it refuses, since pydantic's own messages are technical English."""
    try:
        return model(**values)
    except ValidationError as error:
        found: dict[str, FieldError] = {}
        for e in error.errors():
            if e["loc"] and (field := str(e["loc"][0])) not in found:
                text = out_of_years(e)  # a date outside 1900-2100 says so, not the hint
                found[field] = FieldError(
                    field,
                    hints.get(field, NOT_VALID) if text is None else OUT_OF_RANGE,
                    {} if text is None else {"text": text},
                )
        raise Invalid(*found.values()) from None


def refused(request: Request, session: Session, problem: Problem) -> dict[str, str]:
    """Undo what this request wrote (nothing is stored) and say ``problem`` per form field.

    Nested fields (``breaks.0.period``) show at their input (``breaks``); a problem
    without fields (a theme still in use) is keyed "".
    """
    session.rollback()
    return field_messages(request, problem)


def field_messages(request: Request, problem: Problem, field: str = "") -> dict[str, str]:
    """Say ``problem`` in the reader's language per field; one without fields (an
    unknown area) is keyed ``field``."""
    errors = problem.errors or [FieldError(field, problem.message.id, problem.message.values)]
    messages: dict[str, str] = {}
    for error in errors:
        messages.setdefault(error.field.split(".")[0], say(request, error.message))
    return messages


class FilterErrors(dict[str, str]):
    """The messages at a page's filter fields, keyed by query parameter.

    A bad query parameter of an HTML page is a mistake in a form like any other: the
    page comes back (``status`` 422) with what was typed in its field and the message
    beside it, the bad filter left out, instead of a dead-end error page. The API
    keeps its 422 ``{"detail": ...}``: made without a request (``FilterErrors(None)``,
    for a page's API twin sharing its filter code) it lets every problem through.
    """

    def __init__(self, request: Request | None) -> None:
        super().__init__()
        self.request = request

    def read(self, parse: Callable[[], T], fallback: T, *, field: str = "") -> T:
        """Return ``parse()``, or ``fallback`` with the problem's messages kept (at
        ``field`` when the problem names none, as an unknown slug does)."""
        if self.request is None:
            return parse()
        try:
            return parse()
        except (Invalid, NotFound) as problem:
            for name, message in field_messages(self.request, problem, field).items():
                self.setdefault(name, message)
            return fallback

    def period_range(
        self, start: str | None, end: str | None, names: tuple[str, str] = ("from", "to")
    ) -> tuple[date | None, date | None]:
        """The days a pair of period filters covers, open where a bound was refused."""
        return filter_range(start, end, filters=self, names=names)

    def day(self, text: str | None, field: str) -> date | None:
        """The day a date filter names (None when empty), refused at its field when it
        is no date or lies outside the years 1900-2100, like every other date."""
        return self.read(lambda: query_day(text, field), None)

    @property
    def status(self) -> int:
        """422 when a filter was refused, else 200."""
        return 422 if self else 200


def query_day(text: str | None, field: str) -> date | None:
    """A date query parameter (YYYY-MM-DD, as a date input sends it) read; Invalid at
    ``field`` otherwise. It is read as a period of a day, so that year 0 or 9999 says
    the years and 2024-02-30 the calendar, as a period field does."""
    text = (text or "").strip()
    if not text:
        return None
    if not _ISO_DAY.fullmatch(text):
        raise Invalid.at(field, DATE_INVALID, part="query")
    try:
        return parse_period(text, Frequency.day).start
    except PeriodError as error:
        raise error.at(field, part="query") from None


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
