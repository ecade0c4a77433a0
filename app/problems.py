"""Problems: what a domain function raises when it cannot do what was asked.

Plain Python (no web framework), so the domain, the CLI and the web share one error
type. Messages are English message ids with ``%(name)s`` placeholders and their values,
never finished sentences, so that each caller can say them in its reader's language:
``app.errors`` turns a problem into the status and ``{"detail": ...}`` of the API or a
translated page, ``app.forms.refused`` into messages at the fields of a form, the CLI
into an English line.

- ``NotFound`` (404): something named does not exist.
- ``Conflict`` (409): it exists already, or conflicts with what is stored.
- ``Gone`` (410): it existed, but is no more (a revoked or expired link).
- ``Invalid`` (422): bad input, one ``FieldError`` per bad field (and item of a list).
- ``AuthRequired`` (401) and ``Forbidden`` (403): who asks may not do this.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as default
from typing import Protocol, TypeVar

from app.i18n import N_

Translate = Callable[[str], str]


def _same(message_id: str) -> str:
    return message_id


@dataclass(frozen=True)
class Message:
    """A message id and its values; a value may be a ``Message`` (or a list of them) too.

    Values that are strings stay as they are (a slug, a code, what was typed); names
    that need translating themselves ("a month", "stories") are passed as ``Message``.
    """

    id: str
    values: Mapping[str, object] = default(default_factory=dict)

    def text(self, translate: Translate = _same) -> str:
        """Say the message with ``translate`` (a gettext; the identity gives English)."""
        said = translate(self.id)
        if not self.values:
            return said
        return said % {name: _say(value, translate) for name, value in self.values.items()}


def _say(value: object, translate: Translate) -> object:
    if isinstance(value, Message):
        return value.text(translate)
    if isinstance(value, list | tuple):
        return ", ".join(str(_say(item, translate)) for item in value)
    return value


@dataclass(frozen=True)
class FieldError:
    """One bad field: ``field`` as the API names it (dotted for nested: ``breaks.0.period``),
    ``index`` the item of a list body it belongs to (None for a single body), ``part``
    where the field was sent ("body", or "query" for a filter)."""

    field: str
    message_id: str
    values: Mapping[str, object] = default(default_factory=dict)
    index: int | None = None
    type: str = "value_error"
    part: str = "body"

    @property
    def message(self) -> Message:
        return Message(self.message_id, self.values)

    @property
    def loc(self) -> list[str | int]:
        """Where it is, as FastAPI says it: ``["body", index?, *field parts]``."""
        parts = [int(p) if p.isdigit() else p for p in self.field.split(".") if p]
        return [self.part, *([] if self.index is None else [self.index]), *parts]


class Problem(Exception):
    """Something a caller asked for cannot be done; nothing was changed.

    ``status`` is the HTTP status the web answers with; ``message`` says why, in
    English until translated; ``errors`` holds field errors (for forms and 422s).
    """

    status = 400

    def __init__(
        self, message_id: str, /, *, errors: Iterable[FieldError] = (), **values: object
    ) -> None:
        self.message = Message(message_id, values)
        self.errors = list(errors)
        super().__init__(self.message.text())


class NotFound(Problem):
    """Something named in the request (a slug, a code, an id) does not exist."""

    status = 404


class Conflict(Problem):
    """It exists already, or is still in use; ``field`` names the form field, if one."""

    status = 409

    def __init__(self, message_id: str, /, *, field: str | None = None, **values: object) -> None:
        errors = [FieldError(field, message_id, values)] if field else []
        super().__init__(message_id, errors=errors, **values)


class Gone(Problem):
    """What was asked for existed but is withdrawn for good: a revoked or expired link."""

    status = 410


INVALID = N_("Some of what you entered is not valid.")


class Invalid(Problem):
    """Bad input: one ``FieldError`` per bad field; nothing was stored."""

    status = 422

    def __init__(self, *errors: FieldError) -> None:
        super().__init__(INVALID, errors=errors)
        if errors:  # the first problem says what went wrong in logs and the CLI
            Exception.__init__(self, "; ".join(_line(error) for error in errors))

    @classmethod
    def at(
        cls,
        name: str,
        message_id: str,
        /,
        *,
        index: int | None = None,
        part: str = "body",
        **values: object,
    ) -> "Invalid":
        """One bad field (``index``: which item of a list body; ``part``: body or query)."""
        return cls(FieldError(name, message_id, values, index, part=part))


def _line(error: FieldError) -> str:
    where = ".".join(str(part) for part in error.loc[1:])
    return f"{where}: {error.message.text()}" if where else error.message.text()


class Unavailable(Problem):
    """This part needs something the machine lacks (a system library); the rest works."""

    status = 503


class AuthRequired(Problem):
    """Nobody is signed in where an account is needed (pages: to /login; API: 401)."""

    status = 401

    def __init__(self) -> None:
        super().__init__(N_("Please sign in first."))


class Forbidden(Problem):
    """The signed-in user's role does not allow this (403)."""

    status = 403

    def __init__(self, message_id: str = N_("You do not have permission to do this.")) -> None:
        super().__init__(message_id)


T = TypeVar("T")


class Filters(Protocol):
    """How a domain function reads a page's filters: ``STRICT`` raises a bad one (the
    API's 422 or 404); a page passes ``app.forms.FilterErrors``, which keeps the problem
    for its field and goes on with ``fallback`` (the filter left out)."""

    def read(self, parse: Callable[[], T], fallback: T, *, field: str = "") -> T: ...


class _Strict:
    def read(self, parse: Callable[[], T], fallback: T, *, field: str = "") -> T:
        return parse()


#: Filters that raise their problems.
STRICT: Filters = _Strict()
