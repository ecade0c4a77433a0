"""Every page in the NL Design System look (issue 21, items 1 and 8), in a real browser.

The crawl opens every HTML page the app has: the GET routes of the authorisation table
(tests/test_authorization_table.py), so a new page is crawled as soon as it exists, on
the demo municipality plus one of each thing the table needs, signed in as an admin who
may open them all. Each page, at 1280 and 360 px, in Dutch and in English, must have
(and at 360 px without JavaScript, the charts then server-rendered SVG, all but the last):

- no <button> or submit input without the design system's class (utrecht-button), so no
  browser-grey control is left;
- no notice (a shown role=alert, status or note with text) outside the design system's
  alert (utrecht-alert);
- no table outside the design system's table (utrecht-table), Vega's tooltip and charts
  aside;
- no sideways scrolling of the document;
- no word broken mid-word in a table cell, nor a word wider than its cell;
- no WCAG 2.1 A/AA violation axe-core finds.

A keyboard-only walk (Tab, Space, Enter) fills in and sends the story form and the
session form. DUIDING_SCREENSHOTS=/some/folder keeps a picture of every page checked.
"""

import os
import re
from pathlib import Path

import pytest
from sqlmodel import select

from app.demo import load_demo
from app.main import create_app
from app.models import Narrative, Partner, ReflectionSession
from app.narratives.invites import create_invite
from tests.browser.conftest import axe_violations, sign_in
from tests.test_authorization_table import concrete, get_routes, sample_values

SCREENSHOTS = os.environ.get("DUIDING_SCREENSHOTS")
#: Not pages of ours: downloads, images, JSON, and Swagger UI (its own look, /api/docs).
NOT_PAGES = re.compile(
    r"^/(api/|static/|openapi\.json|docs/|healthz|favicon\.ico|admin/export)|"
    r"\.(svg|csv|xlsx|md|pdf|docx)$"
)

UNSTYLED_BUTTONS = """() => [...document.querySelectorAll(
    'button, input[type=submit], input[type=button], input[type=reset], input[type=image]')]
  .filter(el => !el.classList.contains('utrecht-button'))
  .map(el => el.outerHTML.slice(0, 120))"""
#: Buttons and links drawn as buttons whose text has the colour of their own background:
#: axe-core files a 1:1 contrast as "incomplete", not as a violation, so it passes them.
INVISIBLE_TEXT = """() => [...document.querySelectorAll('.utrecht-button, .utrecht-button-link')]
  .filter(el => el.getClientRects().length)
  .filter(el => { const s = getComputedStyle(el);
    return s.backgroundColor !== 'rgba(0, 0, 0, 0)' && s.color === s.backgroundColor; })
  .map(el => el.textContent.trim().slice(0, 40))"""
#: Notices drawn outside the design system's alert (the ``notice`` macro of _macros.html).
UNSTYLED_NOTICES = """() => [...document.querySelectorAll(
    '[role=alert], [role=status], [role=note]')]
  .filter(el => el.getClientRects().length && el.textContent.trim())
  .filter(el => !el.classList.contains('utrecht-alert'))
  .map(el => 'notice ' + el.outerHTML.slice(0, 80))"""
#: Tables drawn outside the design system's table (utrecht-table utrecht-table--html-table
#: in the templates, and on staff Markdown tables by app/narratives/rendering.py). A table
#: folded in a closed <details> counts: it has client rects. Vega's tooltip table and
#: whatever a Vega chart draws are not ours.
UNSTYLED_TABLES = """() => [...document.querySelectorAll('table')]
  .filter(el => el.getClientRects().length)
  .filter(el => !el.closest('#vg-tooltip-element, .vega-embed'))
  .filter(el => !el.classList.contains('utrecht-table'))
  .map(el => 'table ' + el.outerHTML.slice(0, 80))"""
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
WIDE = """() => [...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .filter(el => el.parentElement.getBoundingClientRect().right
    <= document.documentElement.clientWidth + 1)
  .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''))
  .slice(0, 5)"""
#: Words in table cells, measured: a word laid out on more than one line was broken
#: mid-word (overflow-wrap, word-break or hyphens), one reaching past its cell's edge
#: sticks out. Words may wrap at spaces, hyphens and slashes, never inside.
BROKEN_WORDS = """() => {
  const found = [];
  const unseen = '.visually-hidden, svg, details:not([open]) > :not(summary)';
  const word = /[^\\s\\-\\u2010-\\u2014\\/\\u00ad\\u200b]+/g;
  for (const cell of document.querySelectorAll('main td, main th')) {
    // hidden cells (a table head kept for screen readers only) show no words
    const group = cell.closest('thead, tbody, tfoot, table').getBoundingClientRect();
    if (!cell.getClientRects().length || group.width <= 2 || group.height <= 2) continue;
    const style = getComputedStyle(cell);
    const anywhere = ['break-all', 'break-word'].includes(style.wordBreak);
    if (style.overflowWrap === 'anywhere' || anywhere) {
      found.push(`breaks words anywhere: ${cell.textContent.trim().slice(0, 40)}`);
      continue;
    }
    const box = cell.getBoundingClientRect();
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest(unseen)) continue;
      for (const match of node.textContent.matchAll(word)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const rects = [...range.getClientRects()].filter(r => r.width > 0);
        if (!rects.length) continue;
        if (new Set(rects.map(r => Math.round(r.bottom))).size > 1) {
          found.push(`broken mid-word: ${match[0]}`);
        } else if (rects.some(r => r.right > box.right + 1 || r.left < box.left - 1)) {
          found.push(`wider than its cell: ${match[0]}`);
        }
      }
    }
  }
  return found.slice(0, 10);
}"""


@pytest.fixture
def crawl(session) -> list[str]:
    """Return the URL of every HTML page, with data behind each."""
    load_demo(session=session)
    session.commit()
    values = sample_values(session)
    partner = session.exec(select(Partner)).first()
    invite = create_invite(session=session, partner=partner, expires_at=None)
    session.commit()
    values["*"] |= {"partner_id": str(partner.id), "invite_id": str(invite.id)}
    urls = [concrete(pattern, values) for pattern in get_routes(create_app())]
    return [url for url in urls if not NOT_PAGES.search(url)]


def _problems(page, url: str, *, axe: bool = True) -> list[str]:
    """Return what is wrong with the page at ``url``, each saying where (``axe``: with
    what axe-core finds)."""
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    if response is None or response.status >= 500:
        return [f"{url}: answered {response.status if response else 'nothing'}"]
    if SCREENSHOTS:
        name = re.sub(r"[^\w]+", "_", url.strip("/")) or "dashboard"
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SCREENSHOTS}/{name}-{page.size_name}.png", full_page=True)
    found = [f"{url}: unstyled {html}" for html in page.evaluate(UNSTYLED_BUTTONS)]
    found += [f"{url}: text the colour of its button: {t}" for t in page.evaluate(INVISIBLE_TEXT)]
    found += [f"{url}: unstyled {html}" for html in page.evaluate(UNSTYLED_NOTICES)]
    found += [f"{url}: unstyled {html}" for html in page.evaluate(UNSTYLED_TABLES)]
    if page.evaluate(OVERFLOW) > 0:
        found.append(f"{url}: wider than the screen by {page.evaluate(WIDE)}")
    found += [f"{url}: {word}" for word in page.evaluate(BROKEN_WORDS)]
    if axe:
        found += [f"{url}: axe {v['id']} {v['nodes']}" for v in axe_violations(page)]
    return found


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_page_uses_the_design_system(sized_page, session, crawl, lang):
    sign_in(sized_page, session, "admin")
    sized_page.goto(f"/?lang={lang}")  # the language cookie holds for the whole crawl
    problems = []
    for url in crawl:
        problems += _problems(sized_page, url)
    assert len(crawl) > 40, crawl  # the crawl found the pages
    assert problems == [], "\n".join(problems)


def test_every_page_reads_without_javascript_on_a_phone(phone_without_js, session, crawl):
    """The same checks but axe-core's: it waits on timers, which never fire with the
    page's scripts off (the crawls above run it on the same templates)."""
    sign_in(phone_without_js, session, "admin")
    problems = []
    for url in crawl:
        problems += _problems(phone_without_js, url, axe=False)
    assert len(crawl) > 40, crawl
    assert problems == [], "\n".join(problems)


def test_the_crawl_fails_on_a_grey_button_and_a_broken_word(page, session):
    """The checks can fail: a plain button, a word split by overflow-wrap and a button
    whose text has its background's colour are found."""
    sign_in(page, session, "viewer")
    page.goto("/")
    # styles set through the CSSOM: the Content-Security-Policy refuses style attributes
    page.evaluate(
        """() => {
          const main = document.querySelector('main');
          main.insertAdjacentHTML('beforeend', '<button type="button">Toon</button>' +
            '<table><tr><td><span>Schuldhulpverlening</span></td></tr></table>');
          const word = main.querySelector('table:last-child span');
          Object.assign(word.style,
            {display: 'inline-block', width: '3rem', overflowWrap: 'break-word'});
        }"""
    )
    assert page.evaluate(UNSTYLED_BUTTONS) == ['<button type="button">Toon</button>']
    assert page.evaluate(BROKEN_WORDS) == ["broken mid-word: Schuldhulpverlening"]
    page.evaluate(
        """() => {
          const main = document.querySelector('main');
          main.insertAdjacentHTML('beforeend',
            '<a class="utrecht-button-link utrecht-button-link--primary-action">Nieuw</a>');
          main.lastElementChild.style.color = 'rgb(21, 66, 115)';
          main.lastElementChild.style.backgroundColor = 'rgb(21, 66, 115)';
        }"""
    )
    assert page.evaluate(INVISIBLE_TEXT) == ["Nieuw"]


def test_the_crawl_fails_on_a_plain_notice(page, session):
    """A notice written without the design system's alert is found; the notices the
    templates write (the ``notice`` macro) are not."""
    sign_in(page, session, "viewer")
    page.goto("/search?q=2024-13&day_from=2024-13")  # an error summary of the macro
    assert page.locator(".utrecht-alert--error[role=alert]").is_visible()
    assert page.evaluate(UNSTYLED_NOTICES) == []
    page.evaluate(
        """() => document.querySelector('main').insertAdjacentHTML('beforeend',
          '<div role="alert">Fout</div><table><tr><td>1</td></tr></table>')"""
    )
    assert page.evaluate(UNSTYLED_NOTICES) == ['notice <div role="alert">Fout</div>']


def test_the_crawl_fails_on_a_plain_table(page, session):
    """A table written without the design system's table is found; one with it, Vega's
    tooltip table and a table inside a Vega chart are not."""
    sign_in(page, session, "viewer")
    page.goto("/")
    assert page.evaluate(UNSTYLED_TABLES) == []
    page.evaluate(
        """() => document.querySelector('main').insertAdjacentHTML('beforeend',
          '<table class="utrecht-table utrecht-table--html-table"><tr><td>1</td></tr></table>' +
          '<div class="vega-embed"><table><tr><td>2</td></tr></table></div>' +
          '<div id="vg-tooltip-element"><table><tr><td>3</td></tr></table></div>' +
          '<details><summary>Tabel</summary><table class="periods"><tr><td>4</td></tr>' +
          '</table></details>' +
          '<table class="table"><tr><td>5</td></tr></table>')"""
    )
    assert page.evaluate(UNSTYLED_TABLES) == [
        'table <table class="periods"><tbody><tr><td>4</td></tr></tbody></table>',
        'table <table class="table"><tbody><tr><td>5</td></tr></tbody></table>',
    ]


def _tab_to(page, selector: str, limit: int = 400) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


@pytest.fixture
def editor(page, session):
    """The desktop page, signed in as an editor of the demo municipality."""
    load_demo(session=session)
    session.commit()
    sign_in(page, session, "editor")
    return page


def test_the_story_form_by_keyboard_alone(editor, session):
    page = editor
    page.goto("/stories/new")
    _tab_to(page, "#title")
    page.keyboard.type("Wachtlijst bij de schuldhulp")
    _tab_to(page, "#body")
    page.keyboard.type("Gezinnen wachten weer langer op een eerste gesprek.")
    _tab_to(page, "#occurred")
    page.keyboard.press("Control+A")
    page.keyboard.type("2025-03")
    _tab_to(page, "#author_role")
    page.keyboard.press("ArrowDown")  # a closed select moves to its next option
    _tab_to(page, "#consent")
    page.keyboard.press("Space")
    _tab_to(page, "[name=consent_reach]")
    page.keyboard.press("Space")
    _tab_to(page, "main form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Bedankt voor uw verhaal"
    session.rollback()
    titles = session.exec(select(Narrative.title)).all()
    assert "Wachtlijst bij de schuldhulp" in titles


def test_the_session_form_by_keyboard_alone(editor, session):
    page = editor
    page.goto("/sessions/new")
    _tab_to(page, "#held_on")
    page.keyboard.type("12032025")  # a Dutch date field takes day, month, year
    _tab_to(page, "#title")
    page.keyboard.type("Reflectie schuldhulp maart")
    _tab_to(page, "#see")
    page.keyboard.type("Meer aanmeldingen na de energierekening.")
    _tab_to(page, "main form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    session.rollback()
    held = session.exec(
        select(ReflectionSession).where(ReflectionSession.title == "Reflectie schuldhulp maart")
    ).one()
    assert held.see.startswith("Meer aanmeldingen")
    assert page.locator("h1").inner_text() == "Reflectie schuldhulp maart"
