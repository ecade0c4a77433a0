"""Request middleware: language choice, the signed-in user, security headers, size limits,
text no database can take (NUL characters, lone surrogates).

Written as plain ASGI classes (not BaseHTTPMiddleware) so streaming bodies, such as
large CSV uploads, pass through without being buffered.
"""

import codecs
import json
import re
from http.cookies import SimpleCookie
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote_plus

from python_multipart.multipart import MultipartParser, parse_options_header
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import accounts
from app.config import get_settings
from app.db import get_engine
from app.errors import error_response
from app.i18n import N_, negotiate
from app.models import User
from app.routes.health import health

if TYPE_CHECKING:  # a typing-only name in python-multipart
    from python_multipart.multipart import MultipartCallbacks

LANG_COOKIE = "duiding_lang"
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}

# Paths that accept file uploads get the upload limit; everything else the small one.
UPLOAD_PATH_SUFFIXES = ("/import", "/upload")


class HttpMiddleware:
    """Plain ASGI middleware for HTTP requests; lifespan and other scopes pass through."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


# Sent only when cookies are Secure, i.e. the site is served over https: a browser
# then refuses plain http to it for a year.
HSTS = "max-age=31536000; includeSubDomains"


class SecurityHeadersMiddleware(HttpMiddleware):
    """Add the security headers to every response (HSTS too behind https)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        secure = get_settings().secure_cookies

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if secure:
                    headers.setdefault("strict-transport-security", HSTS)
            await send(message)

        await self.app(scope, receive, send_with_headers)


HEALTH_PATH = "/healthz"


class HealthMiddleware(HttpMiddleware):
    """Answer ``GET /healthz`` at once: no language, session, user or body to read.

    It sits just inside ``SecurityHeadersMiddleware``, so the answer has the same
    headers as every other one; the database check runs in the thread pool, as the
    route would (a pool checkout may wait)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"] != HEALTH_PATH or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        await JSONResponse(await run_in_threadpool(health))(scope, receive, send)


class LanguageMiddleware(HttpMiddleware):
    """Choose the language per request and remember an explicit ``?lang=`` in a cookie."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)
        query = parse_qs(scope.get("query_string", b"").decode()).get("lang", [None])[0]
        cookies = SimpleCookie(headers.get("cookie", ""))
        cookie = cookies[LANG_COOKIE].value if LANG_COOKIE in cookies else None
        lang = negotiate(
            query, cookie, headers.get("accept-language"), get_settings().default_language
        )
        scope.setdefault("state", {})["lang"] = lang

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and query == lang and cookie != lang:
                MutableHeaders(scope=message).append(
                    "set-cookie",
                    f"{LANG_COOKIE}={lang}; Path=/; Max-Age={LANG_COOKIE_MAX_AGE}; SameSite=Lax",
                )
            await send(message)

        await self.app(scope, receive, send_with_cookie)


#: Paths served alike to everyone, without looking up who asks.
ANONYMOUS_PREFIXES = ("/static/", "/favicon.ico")


class AuthMiddleware(HttpMiddleware):
    """Find the signed-in user: a bearer token, else the session cookie.

    Runs inside SessionMiddleware. The user is looked up on every request, so a
    deactivated account or a changed role takes effect at once; a cookie from a
    session that ended (a sign-out, a new password) signs no one in, even when copied.

    Static files (stylesheet, scripts, the Vega bundle, the favicon) are the same for
    everyone: a page's five or six of them would each cost a database lookup of the
    user for nothing, so they are served to no one in particular.
    """

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"].startswith(ANONYMOUS_PREFIXES):
            scope.setdefault("state", {})["user"] = None
            scope["state"]["auth_by_token"] = False
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        authorization = connection.headers.get("authorization", "")
        token = authorization[7:].strip() if authorization.lower().startswith("bearer ") else None
        cookie = connection.session if "session" in scope else {}
        user_id = cookie.get("user_id")
        user = None
        if token or user_id:
            user = await run_in_threadpool(_lookup_user, token, user_id, cookie.get("generation"))
        scope.setdefault("state", {})["user"] = user
        scope["state"]["auth_by_token"] = bool(token)
        await self.app(scope, receive, send)


def _lookup_user(token: str | None, user_id: int | None, generation: object) -> User | None:
    with Session(get_engine(), expire_on_commit=False) as session:
        if token:
            return accounts.user_for_token(session=session, token=token)
        if user_id is None:
            return None
        return accounts.signed_in(session=session, user_id=user_id, generation=generation)


class BodySizeLimitMiddleware(HttpMiddleware):
    """Refuse bodies above the configured limits with 413, before they are read."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        settings = get_settings()
        path: str = scope["path"]
        limit = (
            settings.max_upload_mb * 1024 * 1024
            if path.endswith(UPLOAD_PATH_SUFFIXES)
            else settings.max_request_kb * 1024
        )
        declared = Headers(scope=scope).get("content-length")
        if declared and declared.isascii() and declared.isdigit() and int(declared) > limit:
            await _refuse(scope, receive, send, 413)
            return
        received = 0
        too_large = False

        async def counting_receive() -> Message:
            # Past the limit the app is told the client left, so it stops reading;
            # raising here instead would be turned into a 400 by the form parser.
            nonlocal received, too_large
            if too_large:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_large = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not too_large:
                await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not too_large:
                raise
        if too_large:
            await _refuse(scope, receive, send, 413)


async def _refuse(
    scope: Scope, receive: Receive, send: Send, status: int, detail: str | None = None
) -> None:
    """Answer with the error page (or JSON detail) before the app sees the request.

    These middlewares sit outside the session middleware; the error page needs a
    session for its CSRF token, so it gets an empty one when there is none yet."""
    response = error_response(Request({"session": {}, **scope}, receive), status, detail)
    await response(scope, receive, send)


NUL_MESSAGE = N_("Text may not contain NUL characters (\\u0000).")
SURROGATE_MESSAGE = N_("Text may not contain unpaired surrogate characters (\\ud800 to \\udfff).")
_SURROGATES = re.compile("[\ud800-\udfff]")


def text_problem(text: str) -> str | None:
    """The message for text no database can take: a NUL character (PostgreSQL cannot
    store or compare it) or a lone surrogate (not Unicode text: neither engine can
    encode it); None when the text is fine."""
    if "\x00" in text:
        return NUL_MESSAGE
    if _SURROGATES.search(text):
        return SURROGATE_MESSAGE
    return None


def _json_problem(value: object) -> str | None:
    """The first text problem in a parsed JSON document, keys included."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if problem := text_problem(item):
                return problem
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def _is_json(kind: str) -> bool:
    """Whether a body of this content type is JSON text: application/json and
    application/*+json (as FastAPI reads them), and, to be safe, a body without one."""
    if not kind:
        return True
    main, _, sub = kind.partition("/")
    return main == "application" and (sub == "json" or sub.endswith("+json"))


def _body_problem(kind: str, body: bytes) -> str | None:
    """The text problem of a JSON or form-urlencoded body, read as the app reads it."""
    if kind == "application/x-www-form-urlencoded":
        # As Starlette's form parser: each name and value from latin-1, then unquoted.
        for pair in body.decode("latin-1").replace(";", "&").split("&"):
            for part in pair.split("=", 1):
                if problem := text_problem(unquote_plus(part)):
                    return problem
        return None
    if not body.strip():
        return None
    try:
        document = json.loads(body)
    except ValueError:  # not JSON (or not UTF-8): FastAPI answers that itself
        return None
    return _json_problem(document)


class _MultipartChecker:
    """Check a multipart body as it streams past: every text field, every field name
    and file name, decoded with the body's charset as Starlette decodes them. The
    content of a file is not text here (a workbook holds NUL bytes); the import that
    reads it refuses what it cannot read."""

    def __init__(self, content_type: str) -> None:
        _, params = parse_options_header(content_type)
        raw = params.get(b"charset", b"utf-8")
        charset = raw.decode("latin-1") if isinstance(raw, bytes) else str(raw)
        try:
            self.charset = codecs.lookup(charset).name
        except LookupError:
            self.charset = "latin-1"
        self.problem: str | None = None
        self._header = b""
        self._value = b""
        self._disposition = b""
        self._data = bytearray()
        self._is_file = False
        boundary = params.get(b"boundary")
        callbacks: MultipartCallbacks = {
            "on_part_begin": self._begin,
            "on_part_data": self._part_data,
            "on_part_end": self._end,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
        }
        self._parser = MultipartParser(boundary, callbacks) if boundary else None

    def write(self, chunk: bytes) -> None:
        if self._parser is None or self.problem or not chunk:
            return
        try:
            self._parser.write(chunk)
        except Exception:  # malformed: Starlette's own parser answers for that
            self._parser = None

    def _decode(self, raw: bytes) -> str:
        try:
            return raw.decode(self.charset)
        except (UnicodeDecodeError, LookupError):
            return raw.decode("latin-1")

    def _check(self, raw: bytes) -> None:
        self.problem = self.problem or text_problem(self._decode(raw))

    def _begin(self) -> None:
        self._disposition, self._data, self._is_file = b"", bytearray(), False

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        if self._header.lower() == b"content-disposition":
            self._disposition = self._value
        self._header, self._value = b"", b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        for name in (b"name", b"filename"):
            if name in options:
                self._check(options[name])
        self._is_file = b"filename" in options

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if not self._is_file:
            self._data += data[start:end]

    def _end(self) -> None:
        if not self._is_file:
            self._check(bytes(self._data))


class TextInputMiddleware(HttpMiddleware):
    """Refuse text no database can take, NUL characters and lone surrogates, with 422:
    in the path and query, and in every body the app reads as text (JSON of any JSON
    content type, form-urlencoded, multipart fields and file names), on both engines
    alike, before any of it is stored.

    JSON and form bodies are small (the size limit outside bounds them): they are read
    here and replayed. Multipart bodies (uploads) stream through, checked on the way;
    on a problem the app is told the client left and the 422 goes out instead."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        query: bytes = scope.get("query_string", b"")
        path_problem = text_problem(scope["path"]) or text_problem(
            unquote_plus(query.decode("latin-1"))
        )
        if path_problem or b"\x00" in query:
            await _refuse(scope, receive, send, 422, path_problem or NUL_MESSAGE)
            return
        content_type = Headers(scope=scope).get("content-type", "")
        kind = content_type.split(";")[0].strip().lower()
        if kind == "multipart/form-data":
            await self._multipart(scope, receive, send, content_type)
            return
        if not (_is_json(kind) or kind == "application/x-www-form-urlencoded"):
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request" or not message.get("more_body", False):
                break
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")
        if problem := _body_problem(kind, body):
            await _refuse(scope, receive, send, 422, problem)
            return
        replay = iter(messages)

        async def replayed() -> Message:
            return next(replay, None) or await receive()

        await self.app(scope, replayed, send)

    async def _multipart(self, scope: Scope, receive: Receive, send: Send, content_type: str):
        checker = _MultipartChecker(content_type)

        async def checked_receive() -> Message:
            if checker.problem:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                checker.write(message.get("body", b""))
                if checker.problem:
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not checker.problem:
                await send(message)

        try:
            await self.app(scope, checked_receive, guarded_send)
        except Exception:
            if not checker.problem:
                raise
        if checker.problem:
            await _refuse(scope, receive, send, 422, checker.problem)


#: The name main.py and older code know it by.
NulTextMiddleware = TextInputMiddleware
