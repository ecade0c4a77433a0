"""One error path: pages get a friendly, translated page; ``/api`` gets ``{"detail": ...}``.

No stack trace or SQL ever reaches a user; unexpected errors are logged with a trace
for the operator and answered with a plain 500.
"""

import logging
from http import HTTPStatus
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response

from app.db import DISK_FULL, READ_ONLY, UNAVAILABLE, number_out_of_range, storage_failure
from app.i18n import N_
from app.problems import AuthRequired, Problem
from app.templating import render, say

log = logging.getLogger("duiding")

OUT_OF_RANGE = N_("A number in the request is too large.")
MESSAGES = {
    400: N_("The request could not be understood."),
    401: N_("Please sign in first."),
    403: N_("You do not have permission to do this."),
    404: N_("This page does not exist (any more)."),
    405: N_("This action is not possible here."),
    413: N_("What you sent is too large."),
    422: N_("Some of what you entered is not valid."),
    429: N_("Too many attempts in a short time. Please wait a while and try again."),
    500: N_("Something went wrong on our side. Nothing you did caused it."),
    503: N_("Duiding cannot reach its database right now. Please try again shortly."),
}
# When the database cannot store anything, the visitor learns that nothing was saved
# and whom to tell; the operator finds the full error in the log.
STORAGE_FAILURES = {
    DISK_FULL: (
        507,
        N_(
            "Duiding cannot save anything right now: the server's disk is full. "
            "Nothing was saved. Please tell the administrator."
        ),
    ),
    READ_ONLY: (
        503,
        N_(
            "Duiding cannot save anything right now: its database is read-only. "
            "Nothing was saved. Please tell the administrator."
        ),
    ),
    UNAVAILABLE: (503, MESSAGES[503]),
}


def wants_json(request: Request) -> bool:
    """Tell whether to answer in JSON: the API, or a client that asked for JSON only."""
    if request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_response(request: Request, status: int, detail=None) -> Response:
    """Answer ``status`` in the form the client expects.

    The API's one error shape: ``{"detail": ...}``; for a 422 a list of ``{loc, msg,
    type}`` as FastAPI gives for a bad request, for any other status one sentence.
    """
    if wants_json(request):
        detail = detail if detail is not None else MESSAGES.get(status, "Error")
        if status == 422 and isinstance(detail, str):
            detail = [{"loc": [], "msg": detail, "type": "value_error"}]
        return JSONResponse(jsonable_encoder({"detail": detail}), status_code=status)
    generic = not isinstance(detail, str) or detail == HTTPStatus(status).phrase
    message = MESSAGES.get(status, MESSAGES[400]) if generic else detail
    return render(request, "error.html", {"status": status, "message": message}, status_code=status)


def problem_detail(problem: Problem) -> str | list[dict]:
    """The API's ``detail`` for ``problem`` (English, as the rest of the API)."""
    if problem.status != 422:
        return problem.message.text()
    errors = problem.errors or []
    if not errors:
        return [{"loc": [], "msg": problem.message.text(), "type": "value_error"}]
    return [{"loc": e.loc, "msg": e.message.text(), "type": e.type} for e in errors]


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    response = error_response(request, exc.status_code, exc.detail)
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    """A bad request: the API's 422 with what was wrong; a page whose address holds no
    valid id (``/stories/abc``) does not exist, so its reader gets the 404 page."""
    if wants_json(request):
        return error_response(request, 422, exc.errors())
    in_path = all(error["loc"][:1] == ("path",) for error in exc.errors())
    return error_response(request, 404 if in_path else 422)


async def _problem(request: Request, exc: Problem) -> Response:
    """A domain problem: the API's one shape, a sign-in redirect, or a translated page."""
    if isinstance(exc, AuthRequired):
        if wants_json(request):
            return JSONResponse(
                {"detail": "Authentication required: send 'Authorization: Bearer <token>'."},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    if wants_json(request):
        return error_response(request, exc.status, problem_detail(exc))
    context = {
        "status": exc.status,
        "message": say(request, exc.message),
        "problems": [say(request, error.message) for error in exc.errors],
    }
    return render(request, "error.html", context, status_code=exc.status)


async def _unexpected(request: Request, exc: Exception) -> Response:
    """A bug (500), or a database that cannot store: a full disk, read-only, unreachable."""
    if number_out_of_range(exc):
        return error_response(request, 422, OUT_OF_RANGE)
    failure = storage_failure(exc)
    if failure is None:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(request, 500, MESSAGES[500])
    log.error("database %s on %s %s", failure, request.method, request.url.path, exc_info=exc)
    status, message = STORAGE_FAILURES[failure]
    return error_response(request, status, message)


def register_error_handlers(app: FastAPI) -> None:
    """Install the handlers on ``app``."""
    # Starlette types a handler as taking any Exception; each of these takes its own.
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(Problem, _problem)  # type: ignore[arg-type]
    # Database and OS errors are answered here, inside the app; the catch-all handler
    # (Starlette's last resort) still answers those raised in middleware.
    app.add_exception_handler(DBAPIError, _unexpected)
    app.add_exception_handler(OSError, _unexpected)
    app.add_exception_handler(Exception, _unexpected)
