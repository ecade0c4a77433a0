"""Administration pages: staff accounts, their API tokens and the audit log (admins only)."""

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from sqlmodel import Session, func, select
from starlette.responses import RedirectResponse

from app import accounts
from app.deps import AdminUser, SessionDep, WriteSessionDep
from app.forms import check_csrf
from app.i18n import N_, gettext
from app.models import ApiToken, AuditEntry, Role, User
from app.security.passwords import MIN_PASSWORD_LENGTH
from app.templating import render, request_language

router = APIRouter(prefix="/admin", tags=["pages"], include_in_schema=False)

AUDIT_PAGE_SIZE = 50
ROLE_LABELS = {Role.viewer: N_("Viewer"), Role.editor: N_("Editor"), Role.admin: N_("Admin")}
BAD_EMAIL = N_("Enter a valid email address.")
SHORT_PASSWORD = N_("The password must be at least 10 characters long.")
TAKEN_EMAIL = N_("There already is an account with this email address.")
BAD_ROLE = N_("Choose a role.")


def _user_or_404(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise HTTPException(status_code=404, detail=f"no user with id {user_id}")
    return user


def _role_options(request: Request) -> list[tuple[str, str]]:
    """Return the roles as (value, label in the reader's language) for a select."""
    lang = request_language(request)
    return [(role.value, gettext(lang, label)) for role, label in ROLE_LABELS.items()]


def _users_page(request: Request, session: Session, form=None, errors=None, status_code=200):
    lang = request_language(request)
    context = {
        "users": accounts.list_users(session=session),
        "roles": ROLE_LABELS,
        "role_options": _role_options(request),
        "form": form or {"email": "", "role": Role.viewer.value},
        "errors": {name: gettext(lang, message) for name, message in (errors or {}).items()},
    }
    return render(request, "admin/users.html", context, status_code=status_code)


def _user_page(request: Request, session: Session, user: User, new_token: str | None = None):
    context = {
        "account": user,
        "roles": ROLE_LABELS,
        "role_options": _role_options(request),
        "tokens": accounts.list_tokens(session=session, user=user),
        "new_token": new_token,
    }
    return render(request, "admin/user.html", context)


def _user_errors(session: Session, email: str, role: str, password: str) -> dict[str, str]:
    """Check the add-user form; each message names what to fix."""
    errors = {}
    normal = accounts.normalise_email(email)
    local, _, domain = normal.partition("@")
    if not local or not domain or " " in normal or len(normal) > 254:
        errors["email"] = BAD_EMAIL
    elif accounts.get_by_email(session=session, email=normal):
        errors["email"] = TAKEN_EMAIL
    if role not in Role.__members__:
        errors["role"] = BAD_ROLE
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = SHORT_PASSWORD
    return errors


@router.get("/users")
def users_page(request: Request, session: SessionDep, admin: AdminUser):
    """List the staff accounts, with a form to add one."""
    return _users_page(request, session)


@router.post("/users")
def add_user(
    request: Request,
    session: WriteSessionDep,
    admin: AdminUser,
    email: Annotated[str, Form(max_length=300)] = "",
    role: Annotated[str, Form(max_length=20)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str, Form()] = "",
):
    """Add a staff account; nothing is stored when a field is wrong."""
    check_csrf(request, csrf_token)
    errors = _user_errors(session, email, role, password)
    if errors:
        form = {"email": email, "role": role}
        return _users_page(request, session, form, errors, status_code=422)
    user = accounts.add_user(
        session=session, by=admin, email=email, role=Role(role), password=password
    )
    return RedirectResponse(f"/admin/users/{user.id}", status_code=303)


@router.get("/users/{user_id}")
def user_page(request: Request, session: SessionDep, admin: AdminUser, user_id: int):
    """Show one account: its role, whether it is active, and its API tokens."""
    return _user_page(request, session, _user_or_404(session, user_id))


def _refused(error: accounts.AccountError) -> HTTPException:
    return HTTPException(status_code=409, detail=str(error))


@router.post("/users/{user_id}/role")
def change_role(
    request: Request,
    session: WriteSessionDep,
    admin: AdminUser,
    user_id: int,
    role: Annotated[Role, Form()],
    csrf_token: Annotated[str, Form()] = "",
):
    """Give an account another role (not one's own)."""
    check_csrf(request, csrf_token)
    user = _user_or_404(session, user_id)
    try:
        accounts.change_role(session=session, by=admin, user=user, role=role)
    except accounts.AccountError as error:
        raise _refused(error) from error
    return RedirectResponse(f"/admin/users/{user.id}", status_code=303)


@router.post("/users/{user_id}/active")
def set_active(
    request: Request,
    session: WriteSessionDep,
    admin: AdminUser,
    user_id: int,
    active: Annotated[bool, Form()],
    csrf_token: Annotated[str, Form()] = "",
):
    """Deactivate or reactivate an account (not one's own)."""
    check_csrf(request, csrf_token)
    user = _user_or_404(session, user_id)
    try:
        accounts.set_active(session=session, by=admin, user=user, active=active)
    except accounts.AccountError as error:
        raise _refused(error) from error
    return RedirectResponse(f"/admin/users/{user.id}", status_code=303)


@router.post("/users/{user_id}/tokens")
def create_token(
    request: Request,
    session: WriteSessionDep,
    admin: AdminUser,
    user_id: int,
    name: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form()] = "",
):
    """Create an API token and show it on this response only; it is never shown again."""
    check_csrf(request, csrf_token)
    user = _user_or_404(session, user_id)
    token = accounts.issue_token(session=session, by=admin, user=user, name=name.strip())
    response = _user_page(request, session, user, new_token=token)
    response.headers["cache-control"] = "no-store"
    return response


@router.post("/users/{user_id}/tokens/{token_id}/revoke")
def revoke_token(
    request: Request,
    session: WriteSessionDep,
    admin: AdminUser,
    user_id: int,
    token_id: int,
    csrf_token: Annotated[str, Form()] = "",
):
    """Revoke one of the account's API tokens."""
    check_csrf(request, csrf_token)
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user_id:
        raise HTTPException(status_code=404, detail=f"user {user_id} has no token {token_id}")
    accounts.revoke_token(session=session, by=admin, token=token)
    return RedirectResponse(f"/admin/users/{user_id}", status_code=303)


@router.get("/audit")
def audit_page(request: Request, session: SessionDep, admin: AdminUser, page: int = 1):
    """Show the audit log, newest first, a page at a time."""
    total = session.exec(select(func.count()).select_from(AuditEntry)).one()
    pages = max(1, -(-total // AUDIT_PAGE_SIZE))
    page = min(max(page, 1), pages)
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    entries = session.exec(query.offset((page - 1) * AUDIT_PAGE_SIZE).limit(AUDIT_PAGE_SIZE)).all()
    context = {"entries": entries, "page": page, "pages": pages, "total": total}
    return render(request, "admin/audit.html", context)
