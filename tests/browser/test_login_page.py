"""The login page and dashboard in a real browser: sign in, accessible, nothing external."""

from tests.browser.conftest import axe_violations, sign_in


def test_sign_in_reaches_the_dashboard_without_accessibility_violations(page, session):
    page.goto("/login")
    assert axe_violations(page) == []
    sign_in(page, session, "viewer")
    assert page.url.endswith("/")
    assert page.locator("h1").inner_text() == "Overzicht"
    assert axe_violations(page) == []
