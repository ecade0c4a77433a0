"""Ideas and experiments in a real browser: propose an idea, start an experiment (a bad
review date is refused with what was typed kept), read its pilot-against-comparison chart
with and without JavaScript, record a decision to scale; axe-clean at 1280 and 360 px."""

from pathlib import Path

from app.figures.observations import ObservationInput, upsert_observations
from app.figures.periods import parse_period
from app.models import AreaKind
from tests.browser.conftest import axe_violations, sign_in
from tests.factories import make_area, make_indicator, make_theme

SHOTS = Path("/tmp/duiding-shots")


def _shoot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} overflows by {overflow}px at {width}px"
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def _figures(session):
    youth = make_theme(session, slug="jeugd", name="Jeugd")
    town = make_area(session, code="GM9901", name="Wadderveen", kind=AreaKind.municipality)
    pilot = make_area(session, code="WK990101", name="Centrum", parent_id=town.id)
    other = make_area(session, code="WK990102", name="De Hoven", parent_id=town.id)
    make_area(session, code="WK990103", name="Esch", parent_id=town.id)
    indicator = make_indicator(
        session, themes=[youth], slug="verzuim", name="Meldingen schoolverzuim"
    )
    values = []
    for month in range(1, 13):
        period = parse_period(f"2025-{month:02d}", indicator.frequency)
        values.append(ObservationInput(period, 20 - month * (month > 6), pilot))
        values.append(ObservationInput(period, 19, other))
    upsert_observations(session=session, indicator=indicator, items=values, source="test")
    session.commit()


def test_an_editor_runs_the_cycle_from_idea_to_a_decision_to_scale(page, session):
    _figures(session)
    sign_in(page, session, "editor")

    page.goto("/ideas/new")
    page.fill("#title", "Hulp op school")
    page.fill("#description", "Een jeugdprofessional houdt spreekuur op de basisschool.")
    page.locator("#themes").get_by_label("Jeugd").check()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Idee versturen").click()
    page.wait_for_url("**/ideas/*")
    assert "Hulp op school" in page.get_by_role("heading", level=1).inner_text()
    assert axe_violations(page) == []

    page.goto("/experiments/new")
    page.fill("#title", "Schoolmaatschappelijk werk")
    page.fill("#hypothesis", "Als we op school hulp bieden, verwachten we minder verzuim.")
    page.locator("#areas").get_by_label("Centrum").check()
    page.locator("#comparison_areas").get_by_label("De Hoven").check()
    page.fill("#starts_on", "2025-07-01")
    page.fill("#review_on", "2025-06-01")
    page.get_by_role("checkbox", name="Meldingen schoolverzuim").check()
    page.get_by_role("button", name="Experiment opslaan").click()
    assert "De evaluatiedatum moet na de startdatum liggen." in page.content()
    assert page.locator("#title").input_value() == "Schoolmaatschappelijk werk"
    assert page.locator("#areas").get_by_label("Centrum").is_checked()
    assert axe_violations(page) == []

    page.fill("#review_on", "2026-01-01")
    page.get_by_role("button", name="Experiment opslaan").click()
    page.wait_for_url("**/experiments/*")
    page.wait_for_selector(".chart-ready svg")
    chart = page.locator(".chart-ready svg").first
    assert "Meldingen schoolverzuim" in chart.get_attribute("aria-label")
    axis = page.locator(".chart-ready svg text").all_text_contents()
    assert "jul 2025" in axis and not any("Jul" in text for text in axis)
    legend = page.locator(".chart-legend").first.inner_text()
    assert "pilotwijken (gemiddelde)" in legend and "looptijd van het experiment" in legend
    assert axe_violations(page) == []
    _shoot(page, "experiment")

    page.get_by_label("Opschalen").check()
    page.fill("#reason", "Verzuim daalde in Centrum en niet in De Hoven.")
    page.locator("#areas").get_by_label("Esch").check()
    page.get_by_role("button", name="Besluit vastleggen").click()
    page.wait_for_url("**/experiments/*#decisions")
    decisions = page.locator("#decisions ~ .card").first.inner_text()
    assert "Verzuim daalde in Centrum" in decisions and "Esch" in decisions

    page.goto("/experiments")
    assert "Schoolmaatschappelijk werk" in page.content()
    assert axe_violations(page) == []
    _shoot(page, "portfolio")
    # the refused form answered 422 on purpose; no script failed
    assert [e for e in page.console_errors if not e.startswith("Failed to load resource")] == []


def test_without_javascript_the_comparison_is_an_image_with_its_sentence(page_without_js, session):
    _figures(session)
    sign_in(page_without_js, session, "editor")
    page_without_js.goto("/experiments/new")
    page_without_js.fill("#title", "Schoolmaatschappelijk werk")
    page_without_js.fill("#hypothesis", "Als we op school hulp bieden, verwachten we minder.")
    page_without_js.locator("#areas").get_by_label("Centrum").check()
    page_without_js.locator("#comparison_areas").get_by_label("De Hoven").check()
    page_without_js.fill("#starts_on", "2025-07-01")
    page_without_js.fill("#review_on", "2026-01-01")
    page_without_js.get_by_role("checkbox", name="Meldingen schoolverzuim").check()
    page_without_js.get_by_role("button", name="Experiment opslaan").click()
    page_without_js.wait_for_url("**/experiments/*")
    image = page_without_js.locator("img.chart-svg").first
    image.wait_for()
    assert page_without_js.evaluate(
        "(img) => img.complete && img.naturalWidth > 0", image.element_handle()
    )
    assert "Sinds de start bewoog de pilot" in image.get_attribute("alt")
