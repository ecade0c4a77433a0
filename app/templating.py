"""Jinja2 environment and the one ``render`` function every page goes through.

``render`` adds what every template needs: the language and its gettext, the signed-in
user, the CSRF token and number/date formatting in the reader's language.
"""

import contextlib
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.bccache import Bucket, FileSystemBytecodeCache
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from starlette.responses import HTMLResponse

from app.attention import Attention, attention
from app.audience import has_role, is_staff
from app.config import get_settings
from app.context.events import event_period
from app.db import get_engine
from app.figures.charts import BANDS
from app.figures.icons import variation_icon
from app.figures.periods import Period, parse_period
from app.figures.summary import period_words
from app.i18n import LANGUAGES, format_day, translations
from app.models import Role
from app.problems import Message
from app.security.small_numbers import display
from app.security.tokens import csrf_token, new_csrf_secret

TEMPLATES_DIR = Path(__file__).parent / "templates"

templates = Jinja2Templates(directory=TEMPLATES_DIR)
templates.env.add_extension("jinja2.ext.i18n")
templates.env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]  # by jinja2.ext.i18n
# ``tojson`` writes chart specs of tens of kilobytes (an indicator page some 600 kB):
# Jinja sorts their keys by default, a third of the cost, for an order nobody reads.
templates.env.policies["json.dumps_kwargs"] = {"sort_keys": False}


class _CompiledTemplates(FileSystemBytecodeCache):
    """Jinja's folder of compiled templates, where a failed write (a full disk, a removed
    folder) costs one compile, never the page being rendered."""

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def keep_compiled_templates(folder: Path) -> None:
    """Keep compiled templates in ``folder`` across restarts (Jinja checks each against
    its source): compiling the pages a first visitor opens took about half a second of
    that visitor's wait after every start. Without a writable folder they are compiled
    in memory, as before."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return
    templates.env.bytecode_cache = _CompiledTemplates(str(folder))


@pass_context
def _number(context, value, digits: int = 1) -> str:
    """A number in the reader's language; a masked small number reads "minder dan 5"."""
    return display(value, context["lang"], digits)


@pass_context
def _day(context, value, style: str = "medium") -> str:
    return format_day(value, context["lang"], style)


@pass_context
def _variation_icon(context, kind: str | None, label: bool = True) -> str:
    """The variation icon of ``kind`` with its label in the reader's language."""
    return variation_icon(kind, context["lang"], label=label) if kind else ""


@pass_context
def _period(context, period) -> str:
    """A period in the reader's words ("maart 2024"), never a bare code where words exist;
    ``period`` may be its notation ("2024-H1"), as stored reports keep it."""
    if isinstance(period, str):
        period = parse_period(period)
    return period_words(period, context["lang"])


def occurred_words(story, lang: str) -> str:
    """When a story happened, as the period it is about ("oktober 2025"), as its own page
    says it: a story about a month never reads as the first day of that month."""
    return period_words(Period(story.occurred_on, story.occurred_frequency), lang)


@pass_context
def _occurred(context, story) -> str:
    return occurred_words(story, context["lang"])


@pass_context
def _event_period(context, event) -> str:
    return event_period(event, context["lang"])


templates.env.filters["number"] = _number
templates.env.filters["occurred"] = _occurred
templates.env.filters["period"] = _period
templates.env.filters["day"] = _day
templates.env.filters["event_period"] = _event_period
templates.env.globals["variation_icon"] = _variation_icon
templates.env.globals["chart_bands"] = BANDS


def request_language(request: Request) -> str:
    """Return the language the language middleware chose for this request."""
    return getattr(request.state, "lang", get_settings().default_language)


def say(request: Request, message: Message) -> str:
    """Say ``message`` (a Problem's, for instance) in this request's language."""
    return message.text(translations(request_language(request)).gettext)


def csrf_for(request: Request) -> str:
    """Return this browser's CSRF form token, creating its secret on first use."""
    secret = request.session.get("csrf")
    if not secret:
        secret = new_csrf_secret()
        request.session["csrf"] = secret
    return csrf_token(secret, get_settings().secret_key)


def _attention(user) -> Attention | None:
    """The navigation's counts for editors; None for others (or when the database is
    unreachable: an error page must still render)."""
    if not has_role(user, Role.editor):
        return None
    try:
        with Session(get_engine()) as session:
            return attention(session=session, today=date.today())
    except SQLAlchemyError:
        return None


def page_context(request: Request, context: dict[str, Any] | None = None) -> dict[str, Any]:
    """What every template gets for this request, plus ``context``."""
    lang = request_language(request)
    trans = translations(lang)

    def gettext(message: str, **values: Any) -> str:
        text = trans.gettext(message)
        return text % values if values else text

    def ngettext(singular: str, plural: str, n: int, **values: Any) -> str:
        text = trans.ngettext(singular, plural, n)
        return text % {"num": n, **values}

    user = getattr(request.state, "user", None)
    return {
        "lang": lang,
        "languages": LANGUAGES,
        "gettext": gettext,
        "ngettext": ngettext,
        "_": gettext,
        "user": user,
        # Staff (viewer and up) see the work pages; a council member reads reports.
        "staff": is_staff(user),
        "attention": _attention(user),
        "csrf_token": csrf_for(request),
        "settings": get_settings(),
        "request": request,
        **(context or {}),
    }


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    """Render ``template`` for this request with the shared page context."""
    return templates.TemplateResponse(
        request, template, page_context(request, context), status_code=status_code
    )


def render_text(request: Request, template: str, context: dict[str, Any] | None = None) -> str:
    """Render a non-HTML template (Markdown) to a string with the shared page context."""
    return templates.get_template(template).render(page_context(request, context))
