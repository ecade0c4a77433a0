"""/api/docs in a real browser: Swagger UI from the app itself renders the API under
our CSP, with no request leaving localhost and no console error."""


def test_the_api_docs_render_from_the_app_alone(page):
    page.goto("/api/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=15000)
    assert page.locator(".swagger-ui .title").first.inner_text().startswith("Duiding")
    assert page.locator(".opblock-summary-path", has_text="/api/v1/narratives").count() >= 1
    assert page.console_errors == []
