"""The overview and the districts of a figure in a real browser, on a desktop (1280 px)
and a small phone (360 px): nothing scrolls sideways, every chart is drawn, axe-core
finds nothing, the console stays quiet and no request leaves localhost (the fixture)."""

import os
from pathlib import Path

import pytest

from app.demo import load_demo
from tests.browser.conftest import axe_violations, sign_in

OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
WIDE = """() => [...document.querySelectorAll('main *')]
  .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''))
  .slice(0, 5)"""
#: Table cells whose text sticks out of them: with words kept whole on a phone (no
#: break mid-word), a word too long for its cell shows here.
SPILLING = """() => [...document.querySelectorAll('main table tbody th, main table tbody td')]
  .filter(el => el.scrollWidth > el.clientWidth + 1)
  .map(el => el.textContent.trim().slice(0, 40))"""
#: Set DUIDING_SCREENSHOTS=/some/folder to keep a picture of every page checked.
SCREENSHOTS = os.environ.get("DUIDING_SCREENSHOTS")


@pytest.fixture
def demo(session):
    load_demo(session=session)
    session.commit()


def _check(page, path: str, charts: int, name: str) -> None:
    page.goto(path)
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        "n => document.querySelectorAll('.chart-ready svg').length >= n", arg=charts
    )
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SCREENSHOTS}/{name}-{page.size_name}.png", full_page=True)
    assert page.evaluate(OVERFLOW) <= 0, f"{path} is too wide: {page.evaluate(WIDE)}"
    assert page.evaluate(SPILLING) == []
    assert page.evaluate("getComputedStyle(document.querySelector('main td')).overflowWrap") in (
        "normal",
        "break-word",
    )
    assert page.console_errors == []
    assert axe_violations(page) == []


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_districts_side_by_side(sized_page, session, demo, lang):
    sign_in(sized_page, session, "viewer")
    _check(
        sized_page,
        f"/indicators/inzet-lichte-ondersteuning/districts?lang={lang}",
        12,
        f"districts-{lang}",
    )
    panels = sized_page.locator(".district-panel .chart-ready svg[role=img]")
    assert panels.count() == 12
    label = panels.first.get_attribute("aria-label")
    assert label.startswith("Inzet lichte ondersteuning jeugd")
    heading = "per wijk" if lang == "nl" else "by district"
    assert heading in sized_page.locator("h1").inner_text()


def test_districts_without_values_say_so(sized_page, session, demo):
    sign_in(sized_page, session, "viewer")
    sized_page.goto("/indicators/wachttijd-specialistische-jeugdhulp/districts")
    sized_page.wait_for_load_state("networkidle")
    first = sized_page.locator(".district-panel").first
    assert first.locator(".no-values").inner_text() == "nog geen waarden"
    assert sized_page.locator(".district-panel .chart").count() == 0
    assert sized_page.evaluate(OVERFLOW) <= 0
    assert axe_violations(sized_page) == []


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_overview(sized_page, session, demo, lang):
    sign_in(sized_page, session, "viewer")
    _check(sized_page, f"/indicators?lang={lang}", 14, f"overview-{lang}")
    spark = sized_page.locator(".sparkline.chart-ready svg[role=img]").first
    assert "24" in spark.get_attribute("aria-label")


def test_the_overview_filtered_by_district(sized_page, session, demo):
    sign_in(sized_page, session, "viewer")
    sized_page.goto("/indicators")
    sized_page.select_option("#theme", "jeugd")
    sized_page.select_option("#area", "WK990102")
    with sized_page.expect_navigation():
        sized_page.locator("main form button[type=submit]").click()
    assert "theme=jeugd" in sized_page.url and "area=WK990102" in sized_page.url
    assert "Cijfers van De Hoven." in sized_page.locator("main").inner_text()
    _check(sized_page, sized_page.url, 2, "overview-district")
