"""The half-year report of the demo municipality in a real browser: SVG charts, print, axe."""

from app.demo import load_demo
from tests.browser.conftest import axe_violations, sign_in


def test_demo_report_has_svg_charts_prints_and_passes_axe(page, session):
    load_demo(session=session)
    sign_in(page, session, "editor")
    page.goto("/reports/2025-H1")
    charts = page.locator(".report-svg > svg")
    assert charts.count() >= 10
    assert page.locator(".report-figures canvas").count() == 0
    assert page.locator("section.report-theme").count() == 4
    assert page.console_errors == []
    assert axe_violations(page) == []

    page.locator("#theme-jeugd summary").click()  # the editor's form, opened
    assert page.locator("#intro-jeugd").is_visible()
    assert axe_violations(page) == []

    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".report-tools").is_visible()
    assert charts.first.is_visible()
    page.emulate_media(media="screen")

    page.get_by_role("button", name="Deze rapportage bevriezen").click()
    page.wait_for_url("**/reports/2025-H1?version=*")
    assert "Bevroren versie" in page.locator(".lead").inner_text()
    assert page.locator(".report-svg > svg").count() == charts.count()
    assert axe_violations(page) == []
