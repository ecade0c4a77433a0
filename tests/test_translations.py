"""Both languages: every UI string has Dutch, and language and numbers follow the reader."""

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from app.i18n import catalog_files, format_number, negotiate

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None}


def extracted_messages(plural: bool = False) -> dict:
    """Return every msgid in templates and Python under app/, with where it was found;
    with ``plural``, the (singular, plural) pairs of ngettext only."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS
    ):
        if plural:
            if isinstance(message, tuple) and len(message) > 1 and message[1]:
                found.setdefault(tuple(message[:2]), f"{filename}:{lineno}")
            continue
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def dutch_translations() -> dict[str, str]:
    """Return msgid -> Dutch text merged from all catalogs (empty ones count as missing)."""
    merged: dict[str, str] = {}
    for path in catalog_files("nl"):
        with path.open("rb") as handle:
            for entry in read_po(handle, locale="nl"):
                msgid = entry.id[0] if isinstance(entry.id, tuple) else entry.id
                text = entry.string[0] if isinstance(entry.string, tuple) else entry.string
                if msgid and text:
                    merged[msgid] = text
    return merged


def test_every_message_has_a_dutch_translation():
    messages = extracted_messages()
    assert len(messages) > 50  # the extraction itself works
    dutch = dutch_translations()
    missing = [f"{where}: {msgid!r}" for msgid, where in messages.items() if msgid not in dutch]
    assert missing == [], "no Dutch translation for:\n" + "\n".join(sorted(missing))


def test_every_plural_message_has_dutch_plural_forms():
    """ngettext finds only a plural entry (msgid_plural): a Dutch singular entry of the
    same text does not count, and the page would say "1 story"."""
    pairs = extracted_messages(plural=True)
    assert pairs  # the extraction finds ngettext calls
    have = set()
    for path in catalog_files("nl"):
        with path.open("rb") as handle:
            for entry in read_po(handle, locale="nl"):
                if isinstance(entry.id, tuple) and all(entry.string):
                    have.add(tuple(entry.id[:2]))
    missing = [f"{where}: {pair!r}" for pair, where in pairs.items() if pair not in have]
    assert missing == [], "no Dutch plural forms for:\n" + "\n".join(sorted(missing))


def test_dutch_number_format():
    assert format_number(1234.5, "nl") == "1.234,5"
    assert format_number(1234.5, "en") == "1,234.5"
    assert format_number(1000000, "nl") == "1.000.000"


def test_language_order_query_then_cookie_then_accept_language_then_default():
    assert negotiate("en", "nl", "nl", "nl") == "en"
    assert negotiate(None, "en", "nl", "nl") == "en"
    assert negotiate("fr", "en", "nl", "nl") == "en"
    assert negotiate(None, None, "de-DE,en;q=0.8", "nl") == "en"
    assert negotiate(None, None, "de-DE", "nl") == "nl"
    assert negotiate(None, None, None, "en") == "en"


def test_pages_follow_the_language_order(client, settings):
    assert '<html lang="nl">' in client.get("/login").text
    english = client.get("/login?lang=en")
    assert '<html lang="en">' in english.text
    assert "<h1>Sign in</h1>" in english.text
    assert "duiding_lang=en" in english.headers["set-cookie"]
    # the cookie now set wins over Accept-Language
    assert "<h1>Sign in</h1>" in client.get("/login", headers={"accept-language": "nl"}).text
    # ?lang= wins over the cookie
    assert "<h1>Inloggen</h1>" in client.get("/login?lang=nl").text
    client.cookies.clear()
    assert "<h1>Sign in</h1>" in client.get("/login", headers={"accept-language": "en-GB"}).text
    settings(default_language="en")
    client.cookies.clear()
    assert "<h1>Sign in</h1>" in client.get("/login").text
