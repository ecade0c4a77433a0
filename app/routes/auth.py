"""Signing in and out of staff accounts."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse

from app import accounts
from app.deps import WriteSessionDep
from app.forms import check_csrf, safe_next
from app.i18n import N_
from app.models import utcnow
from app.templating import render

router = APIRouter(tags=["pages"], include_in_schema=False)

LOGIN_FAILED = N_("Unknown email address or wrong password.")


@router.get("/login")
def login_page(request: Request, next: str = "/"):
    """Show the sign-in form."""
    return render(request, "auth/login.html", {"next": safe_next(next), "email": ""})


@router.post("/login")
def login(
    request: Request,
    session: WriteSessionDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
):
    """Sign in; the same message for an unknown email and a wrong password."""
    check_csrf(request, csrf_token)
    user = accounts.authenticate(session=session, email=email, password=password)
    if user is None:
        context = {"next": safe_next(next), "email": email, "error": LOGIN_FAILED}
        return render(request, "auth/login.html", context, status_code=400)
    user.last_login_at = utcnow()
    session.add(user)
    session.commit()
    request.session.clear()
    request.session["user_id"] = user.id
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form()] = ""):
    """Sign out and forget the session."""
    check_csrf(request, csrf_token)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
