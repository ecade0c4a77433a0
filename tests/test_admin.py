"""Admin pages: accounts, roles, deactivation, API tokens and the audit log."""

import re

from sqlmodel import func, select

from app.models import ApiToken, AuditEntry, Role, User
from app.security.tokens import token_digest
from tests.factories import csrf, login, make_user


def sign_in(client, session, role):
    """Sign in after ending the session's read snapshot, which the app's writes made stale."""
    session.rollback()
    return login(client, session, role)


def post(client, path, data, form_page="/admin/users"):
    data = {"csrf_token": csrf(client, form_page), **data}
    return client.post(path, data=data, follow_redirects=False)


def count(session, model) -> int:
    session.rollback()  # end the read snapshot taken before the requests
    return session.exec(select(func.count()).select_from(model)).one()


def audit(session) -> list[tuple[str, str]]:
    """The audit entries the requests made (the start-up's settings entry left out)."""
    session.rollback()
    entries = session.exec(
        select(AuditEntry).where(AuditEntry.entity != "settings").order_by(AuditEntry.id)
    ).all()
    return [(entry.action, entry.entity) for entry in entries]


def test_users_page_lists_accounts_for_admins_only(client, session):
    other = make_user(session, role="viewer")
    sign_in(client, session, "editor")
    assert client.get("/admin/users").status_code == 403
    client.cookies.clear()
    sign_in(client, session, "admin")
    page = client.get("/admin/users")
    assert page.status_code == 200
    assert other.email in page.text
    assert "Kijker" in page.text


def test_anonymous_is_sent_to_login(client):
    response = client.get("/admin/users", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/admin/users"


def test_admin_adds_a_user_who_can_then_sign_in(client, session):
    admin = sign_in(client, session, "admin")
    data = {"email": " New@Gemeente.example ", "role": "editor", "password": "long enough pw"}
    response = post(client, "/admin/users", data)
    assert response.status_code == 303
    session.rollback()
    user = session.exec(select(User).where(User.email == "new@gemeente.example")).one()
    assert user.role == Role.editor
    assert response.headers["location"] == f"/admin/users/{user.id}"
    entry = session.exec(select(AuditEntry).where(AuditEntry.entity == "user")).one()
    assert (entry.action, entry.entity_id, entry.user_id) == ("create", str(user.id), admin.id)
    assert entry.detail == {"email": "new@gemeente.example", "role": "editor"}


def test_bad_new_user_is_refused_with_messages_and_nothing_stored(client, session):
    existing = make_user(session)
    sign_in(client, session, "admin")
    before = count(session, User)
    response = post(client, "/admin/users", {"email": "nope", "role": "boss", "password": "short"})
    assert response.status_code == 422
    assert "Vul een geldig e-mailadres in." in response.text
    assert "Kies een rol." in response.text
    assert "Het wachtwoord moet minstens 10 tekens lang zijn." in response.text
    data = {"email": existing.email, "role": "viewer", "password": "long enough pw"}
    response = post(client, "/admin/users", data)
    assert response.status_code == 422
    assert "Er is al een account met dit e-mailadres." in response.text
    assert count(session, User) == before
    assert audit(session) == []


def test_change_role_and_deactivate_take_effect_at_once(client, session):
    sign_in(client, session, "admin")
    other_client = client.__class__(client.app)
    target = sign_in(other_client, session, "viewer")
    path = f"/admin/users/{target.id}"
    assert post(client, f"{path}/role", {"role": "editor"}, path).status_code == 303
    assert post(client, f"{path}/active", {"active": "false"}, path).status_code == 303
    session.rollback()
    target = session.get(User, target.id)
    assert (target.role, target.is_active) == (Role.editor, False)
    assert other_client.get("/", follow_redirects=False).status_code == 303
    assert post(client, f"{path}/active", {"active": "true"}, path).status_code == 303
    assert audit(session) == [
        ("update", "user"),
        ("deactivate", "user"),
        ("reactivate", "user"),
    ]


def test_admin_cannot_demote_or_deactivate_themselves(client, session):
    admin = sign_in(client, session, "admin")
    path = f"/admin/users/{admin.id}"
    response = post(client, f"{path}/role", {"role": "viewer"}, path)
    assert response.status_code == 409
    assert "U kunt uw eigen rol niet wijzigen" in response.text
    assert post(client, f"{path}/active", {"active": "false"}, path).status_code == 409
    session.rollback()
    assert session.get(User, admin.id).role == Role.admin
    assert audit(session) == []


def test_forms_without_csrf_token_change_nothing(client, session):
    sign_in(client, session, "admin")
    session.rollback()
    target = make_user(session, role="viewer")
    for path, data in [
        ("/admin/users", {"email": "x@y.example", "role": "viewer", "password": "long enough pw"}),
        (f"/admin/users/{target.id}/role", {"role": "admin"}),
        (f"/admin/users/{target.id}/active", {"active": "false"}),
        (f"/admin/users/{target.id}/tokens", {"name": "x"}),
    ]:
        assert client.post(path, data=data).status_code == 403
    session.rollback()
    assert session.get(User, target.id).role == Role.viewer
    assert count(session, ApiToken) == 0


def test_token_is_shown_once_works_and_can_be_revoked(client, session):
    sign_in(client, session, "admin")
    session.rollback()
    owner = make_user(session, role="editor")
    path = f"/admin/users/{owner.id}"
    response = post(client, f"{path}/tokens", {"name": "Power BI"}, path)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    token = re.search(r"<code>(dui_[^<]+)</code>", response.text).group(1)
    session.rollback()
    row = session.exec(select(ApiToken)).one()
    assert row.token_hash == token_digest(token)
    assert row.name == "Power BI"
    page = client.get(path).text
    assert token not in page
    assert "nooit" in page  # not used yet

    api = client.__class__(client.app)
    headers = {"Authorization": f"Bearer {token}"}
    assert api.get("/", headers=headers).status_code == 200
    session.rollback()
    assert session.get(ApiToken, row.id).last_used_at is not None

    response = post(client, f"{path}/tokens/{row.id}/revoke", {}, path)
    assert response.status_code == 303
    assert api.get("/", headers=headers, follow_redirects=False).status_code == 303
    assert "Ingetrokken" in client.get(path).text
    assert audit(session) == [("create", "api_token"), ("revoke", "api_token")]


def test_revoking_another_users_token_through_the_wrong_path_is_404(client, session):
    sign_in(client, session, "admin")
    session.rollback()
    owner, stranger = make_user(session), make_user(session)
    path = f"/admin/users/{owner.id}"
    post(client, f"{path}/tokens", {"name": "t"}, path)
    session.rollback()
    token_id = session.exec(select(ApiToken.id)).one()
    response = post(client, f"/admin/users/{stranger.id}/tokens/{token_id}/revoke", {}, path)
    assert response.status_code == 404
    session.rollback()
    assert session.get(ApiToken, token_id).revoked_at is None


def test_unknown_user_page_is_404(client, session):
    sign_in(client, session, "admin")
    assert client.get("/admin/users/9999").status_code == 404


def test_audit_log_newest_first_and_paginated(client, session):
    from app.audit import record

    for n in range(55):
        record(session=session, action="update", entity="observation", entity_id=n, actor="cli")
    session.commit()
    sign_in(client, session, "viewer")
    assert client.get("/admin/audit").status_code == 403
    client.cookies.clear()
    sign_in(client, session, "admin")
    first = client.get("/admin/audit").text
    assert first.count("<td>observation 54</td>") == 1
    assert "<td>observation 4</td>" not in first
    assert "Pagina 1 van 2" in first
    # The date and time stay on one line (duiding.css .nowrap): "03-12-2026, 13:02".
    assert re.search(r'<td class="nowrap">\d\d-\d\d-\d{4}, \d\d:\d\d</td>', first)
    second = client.get("/admin/audit?page=2").text
    assert "<td>observation 4</td>" in second
    assert "<td>observation 5</td>" not in second
    assert first.index("observation 54") < first.index("observation 53")


def test_settings_changes_between_restarts_are_in_the_audit_log(client, session, settings):
    from fastapi.testclient import TestClient

    from app.main import create_app

    def settings_entries():
        session.rollback()
        query = select(AuditEntry).where(AuditEntry.entity == "settings").order_by(AuditEntry.id)
        return session.exec(query).all()

    assert settings_entries() == []  # an instance without accounts is not in use yet
    make_user(session, role="admin")
    with TestClient(create_app()):
        pass
    [first] = settings_entries()
    assert (first.action, first.actor) == ("create", "environment")
    assert first.detail["values"]["public_read"] is False
    assert "secret_key" not in first.detail["values"]
    assert "database_url" not in first.detail["values"]

    with TestClient(create_app()):
        pass
    assert len(settings_entries()) == 1  # a restart with the same settings records nothing

    settings(public_read=True, small_numbers_threshold=10)
    with TestClient(create_app()) as restarted:
        [_, change] = settings_entries()
        assert change.action == "update"
        assert change.detail["changed"] == {
            "public_read": [False, True],
            "small_numbers_threshold": [5, 10],
        }
        login(restarted, session, "admin")
        page = restarted.get("/admin/audit").text
    assert "environment" in page
    assert "public_read" in page
