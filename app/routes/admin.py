"""Administration pages: staff accounts, their API tokens and the audit log (admins only)."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from sqlmodel import Session, col, func, select
from starlette.responses import RedirectResponse

from app import accounts
from app.deps import AdminUser, SessionDep, WriteSessionDep
from app.forms import check_csrf, refused
from app.i18n import N_, gettext
from app.models import AuditEntry, Role, User
from app.problems import Invalid
from app.templating import render, request_language

router = APIRouter(prefix="/admin", tags=["pages"], include_in_schema=False)

AUDIT_PAGE_SIZE = 50
ROLE_LABELS = {
    Role.viewer: N_("Viewer"),
    Role.editor: N_("Editor"),
    Role.admin: N_("Admin"),
    Role.council: N_("Council member"),
}


def _role_options(request: Request) -> list[tuple[str, str]]:
    """Return the roles as (value, label in the reader's language) for a select."""
    lang = request_language(request)
    return [(role.value, gettext(lang, label)) for role, label in ROLE_LABELS.items()]


def _users_page(request: Request, session: Session, form=None, errors=None, status_code=200):
    context = {
        "users": accounts.list_users(session=session),
        "roles": ROLE_LABELS,
        "role_options": _role_options(request),
        "form": form or {"email": "", "role": Role.viewer.value},
        "errors": errors or {},
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
    try:
        user = accounts.add_user(
            session=session, by=admin, email=email, role=role, password=password
        )
    except Invalid as problem:
        errors = refused(request, session, problem)
        return _users_page(request, session, {"email": email, "role": role}, errors, 422)
    return RedirectResponse(f"/admin/users/{user.id}", status_code=303)


@router.get("/users/{user_id}")
def user_page(request: Request, session: SessionDep, admin: AdminUser, user_id: int):
    """Show one account: its role, whether it is active, and its API tokens."""
    return _user_page(request, session, accounts.get_user(session=session, user_id=user_id))


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
    user = accounts.get_user(session=session, user_id=user_id)
    accounts.change_role(session=session, by=admin, user=user, role=role)
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
    user = accounts.get_user(session=session, user_id=user_id)
    accounts.set_active(session=session, by=admin, user=user, active=active)
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
    user = accounts.get_user(session=session, user_id=user_id)
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
    token = accounts.get_token(session=session, user_id=user_id, token_id=token_id)
    accounts.revoke_token(session=session, by=admin, token=token)
    return RedirectResponse(f"/admin/users/{user_id}", status_code=303)


@router.get("/audit")
def audit_page(request: Request, session: SessionDep, admin: AdminUser, page: int = 1):
    """Show the audit log, newest first, a page at a time."""
    total = session.exec(select(func.count()).select_from(AuditEntry)).one()
    pages = max(1, -(-total // AUDIT_PAGE_SIZE))
    page = min(max(page, 1), pages)
    query = select(AuditEntry).order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
    entries = session.exec(query.offset((page - 1) * AUDIT_PAGE_SIZE).limit(AUDIT_PAGE_SIZE)).all()
    context = {"entries": entries, "page": page, "pages": pages, "total": total}
    return render(request, "admin/audit.html", context)
