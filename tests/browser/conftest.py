"""Browser fixtures: a live uvicorn server on loopback and Debian's chromium via Playwright.

Every page is checked for requests that leave localhost; ``axe_violations(page)`` runs
axe-core (installed from the npm registry by ``make browser-deps``) for WCAG 2.1 A/AA.
"""

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            if not Path(CHROMIUM).exists():
                item.add_marker(
                    pytest.mark.skip(
                        reason="chromium not found: install Debian's chromium "
                        "(apt-get install chromium) to run the browser tests"
                    )
                )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live_server(env) -> Iterator[str]:
    """Serve the app for this test's database on a free loopback port; yield its URL."""
    from app.cli.server import KEEP_ALIVE_SECONDS
    from app.main import create_app

    port = _free_port()
    # as `duiding serve` runs: with uvicorn's 5 s keep-alive a loaded server closes idle
    # connections as clients reuse them (a reset, seen in test_faults on PostgreSQL)
    config = uvicorn.Config(
        create_app(),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("live server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def _guarded_page(browser, live_server, **options) -> Iterator:
    """A fresh page in its own context; fails the test if anything left localhost."""
    context = browser.new_context(base_url=live_server, locale="nl-NL", **options)
    outside: list[str] = []

    def guard(route):
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.console_errors = console_errors
    yield page
    context.close()
    assert outside == [], f"requests left localhost: {outside}"


@pytest.fixture
def page(browser, live_server):
    """A desktop-sized browser page."""
    yield from _guarded_page(browser, live_server)


@pytest.fixture
def page_without_js(browser, live_server):
    """A desktop-sized page with JavaScript turned off, as some readers browse."""
    yield from _guarded_page(browser, live_server, java_script_enabled=False)


#: The two widths every page is checked at: a desktop and a small phone.
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 360, "height": 740}}


@pytest.fixture(params=list(SIZES))
def sized_page(request, browser, live_server):
    """A page at each of SIZES in turn (the phone with touch); ``page.size_name`` says which."""
    options = {"viewport": SIZES[request.param]}
    if request.param == "phone":
        options.update(is_mobile=True, has_touch=True)
    pages = _guarded_page(browser, live_server, **options)
    page = next(pages)
    page.size_name = request.param
    yield page
    next(pages, None)


@pytest.fixture
def phone_without_js(browser, live_server):
    """A small phone with JavaScript turned off: pages must read as well without it."""
    pages = _guarded_page(
        browser,
        live_server,
        viewport=SIZES["phone"],
        is_mobile=True,
        has_touch=True,
        java_script_enabled=False,
    )
    page = next(pages)
    page.size_name = "phone-without-js"
    yield page
    next(pages, None)


@pytest.fixture
def phone(browser, live_server):
    """A page the size of a common phone, with touch, as partners often use the form."""
    yield from _guarded_page(
        browser,
        live_server,
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )


def axe_violations(page) -> list[dict]:
    """Run axe-core on the current page and return WCAG 2.1 A/AA violations."""
    if not AXE.exists():
        pytest.skip("axe-core not installed: run `make browser-deps` (needs npm)")
    # page.evaluate is not subject to the page's Content-Security-Policy.
    page.evaluate(AXE.read_text() + "\n;undefined")
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def sign_in(page, session, role: str = "editor"):
    """Create a user with ``role`` and sign in through the login page."""
    from tests.factories import PASSWORD, make_user

    user = make_user(session, role=role)
    page.goto("/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    return user
