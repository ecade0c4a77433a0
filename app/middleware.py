"""Request middleware: language choice, the signed-in user, security headers, size limits,
NUL characters.

Written as plain ASGI classes (not BaseHTTPMiddleware) so streaming bodies, such as
large CSV uploads, pass through without being buffered.
"""

from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import accounts
from app.config import get_settings
from app.db import get_engine
from app.errors import error_response
from app.i18n import N_, negotiate
from app.models import User

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


class AuthMiddleware(HttpMiddleware):
    """Find the signed-in user: a bearer token, else the session cookie.

    Runs inside SessionMiddleware. The user is looked up on every request, so a
    deactivated account or a changed role takes effect at once; a cookie from a
    session that ended (a sign-out, a new password) signs no one in, even when copied.
    """

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
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


#: How a NUL character arrives, per body type; other bodies (uploads) pass untouched.
NUL_MARKERS = {
    "application/json": (b"\\u0000", b"\x00"),
    "application/x-www-form-urlencoded": (b"%00", b"\x00"),
}
NUL_MESSAGE = N_("Text may not contain NUL characters (\\u0000).")


class NulTextMiddleware(HttpMiddleware):
    """Refuse text with NUL characters in the path, query or body with 422.

    PostgreSQL cannot store or even compare them (a query with one fails), SQLite can:
    refusing them up front gives the same clear answer on both engines, with nothing
    stored. The body is read here (the size limit outside bounds it) and replayed."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        query: bytes = scope.get("query_string", b"")
        if "\x00" in scope["path"] or b"%00" in query or b"\x00" in query:
            await _refuse(scope, receive, send, 422, NUL_MESSAGE)
            return
        kind = Headers(scope=scope).get("content-type", "").split(";")[0].strip().lower()
        markers = NUL_MARKERS.get(kind)
        if markers is None:
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request" or not message.get("more_body", False):
                break
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")
        if any(marker in body for marker in markers):
            await _refuse(scope, receive, send, 422, NUL_MESSAGE)
            return
        replay = iter(messages)

        async def replayed() -> Message:
            return next(replay, None) or await receive()

        await self.app(scope, replayed, send)
