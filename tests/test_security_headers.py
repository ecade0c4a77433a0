"""Security hardening seen from outside: headers, CSRF, cookie flags, size limits, errors."""

import pytest

from tests.factories import PASSWORD, csrf, login, make_user


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/login", 200),
        ("/healthz", 200),
        ("/no-such-page", 404),
        ("/", 303),
        ("/static/duiding.css", 200),
    ],
)
def test_security_headers_on_every_kind_of_response(client, path, status):
    response = client.get(path, follow_redirects=False)
    assert response.status_code == status
    policy = dict(
        part.strip().split(" ", 1)
        for part in response.headers["content-security-policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert "'unsafe-inline'" not in policy["script-src"]
    assert policy["frame-ancestors"] == "'none'"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


def test_headers_also_on_api_errors(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.headers["x-content-type-options"] == "nosniff"


def test_state_changing_form_without_csrf_token_is_refused(client, session):
    user = login(client, session, "viewer")
    response = client.post("/logout", data={})
    assert response.status_code == 403
    assert "Het formulier is verlopen of kwam van elders." in response.text
    assert client.get("/", follow_redirects=False).status_code == 200  # still signed in
    response = client.post("/logout", data={"csrf_token": "forged"})
    assert response.status_code == 403
    assert user.email in client.get("/").text


def test_csrf_token_of_another_browser_is_refused(client, session, app):
    user = make_user(session)
    other = client.__class__(app)
    foreign = csrf(other)
    data = {"email": user.email, "password": PASSWORD, "csrf_token": foreign}
    assert client.post("/login", data=data).status_code == 403


def test_session_cookie_is_httponly_and_samesite_lax(client, session):
    user = make_user(session)
    data = {"email": user.email, "password": PASSWORD, "csrf_token": csrf(client)}
    response = client.post("/login", data=data, follow_redirects=False)
    cookie = next(
        value
        for value in response.headers.get_list("set-cookie")
        if value.startswith("duiding_session=")
    ).lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "secure" not in cookie


def test_session_cookie_is_secure_when_configured(settings, env):
    settings(secure_cookies=True)
    from fastapi.testclient import TestClient

    from app.main import create_app

    with TestClient(create_app(), base_url="https://testserver") as client:
        response = client.get("/login")
    cookie = next(
        v for v in response.headers.get_list("set-cookie") if v.startswith("duiding_session=")
    )
    assert "secure" in cookie.lower()


def test_oversized_body_is_refused_with_413(client):
    body = b"email=" + b"a" * (300 * 1024)
    response = client.post(
        "/login", content=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 413
    assert "Wat u stuurde is te groot." in response.text


def test_oversized_chunked_body_is_refused_with_413(client):
    def chunks():
        for _ in range(300):
            yield b"a" * 1024

    response = client.post(
        "/login", content=chunks(), headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 413


def test_unexpected_error_shows_no_stack_trace_or_sql(app, client):
    def explode():
        raise RuntimeError("SELECT secret FROM user -- Traceback detail")

    app.add_api_route("/test-only/explode", explode)
    app.add_api_route("/api/v1/test-only/explode", explode)
    response = client.get("/test-only/explode")
    assert response.status_code == 500
    assert "Er ging bij ons iets mis." in response.text
    for leak in ("Traceback", "RuntimeError", "SELECT", "explode"):
        assert leak not in response.text
    api = client.get("/api/v1/test-only/explode")
    assert api.status_code == 500
    assert api.json() == {"detail": "Something went wrong on our side. Nothing you did caused it."}
