"""Signing in and out of staff accounts."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse

from app import accounts
from app.deps import SettingsDep, WriteSessionDep
from app.forms import check_csrf, safe_next
from app.i18n import N_
from app.models import User, utcnow
from app.security import throttle
from app.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)

LOGIN_FAILED = N_("Unknown email address or wrong password.")
LOGIN_LOCKED = throttle.LOCKED


def client_address(request: Request) -> str:
    """Return the address failures are counted against (the direct peer)."""
    return request.client.host if request.client else "unknown"


@router.get("/login")
def login_page(request: Request, next: str = "/"):
    """Show the sign-in form."""
    return render(request, "auth/login.html", {"next": safe_next(next), "email": ""})


@router.post("/login")
def login(
    request: Request,
    session: WriteSessionDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
):
    """Sign in; the same message for an unknown email and a wrong password.

    Throttled by ``app.security.throttle``: after ``login_max_failures`` failures of
    this account from this address (or from this address for any account) within
    ``login_lockout_minutes``, further attempts are refused (429) without checking the
    password; an account guessed from many addresses is slowed, never locked.
    """
    check_csrf(request, csrf_token)
    client = client_address(request)
    context = {"next": safe_next(next), "email": email}
    refused = throttle.refusal(session=session, settings=settings, email=email, client=client)
    if refused is not None:
        error = {"error": refused.message, "error_values": refused.values}
        return render(request, "auth/login.html", context | error, status_code=429)
    user = accounts.authenticate(session=session, email=email, password=password)
    if user is None:
        # Answered normally (400), so the request's transaction stores the failure.
        throttle.record_failure(session=session, email=email, client=client)
        context["error"] = LOGIN_FAILED
        return render(request, "auth/login.html", context, status_code=400)
    throttle.clear_failures(session=session, settings=settings, email=email)
    user.last_login_at = utcnow()
    session.add(user)
    request.session.clear()
    request.session["user_id"] = user.id
    request.session["generation"] = user.session_generation
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, session: WriteSessionDep, csrf_token: Annotated[str, Form()] = ""):
    """Sign out: end every session of this account on the server and forget the cookie."""
    check_csrf(request, csrf_token)
    signed_in = request.state.user
    if signed_in is not None and not request.state.auth_by_token:
        user = session.get(User, signed_in.id)
        if user is not None:
            accounts.end_sessions(user=user)
            session.add(user)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
