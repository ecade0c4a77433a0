"""Known XSS payloads sent through the story form and the API never execute anywhere."""

from html.parser import HTMLParser

import pytest
from sqlmodel import select

from app.models import Narrative
from tests.factories import bearer, login
from tests.test_stories import form_data

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=http://evil.example/xss.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    '<a href="javascript:alert(1)">klik</a>',
    "[klik](javascript:alert(1))",
    "[klik](JaVaScRiPt:alert(1))",
    "[klik](  javascript:alert(1))",
    "[klik](java\tscript:alert(1))",
    "[klik](&#106;avascript:alert(1))",
    "[klik](javascript&#58;alert(1))",
    "[klik](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[klik](vbscript:msgbox(1))",
    "[klik](file:///etc/passwd)",
    "![x](javascript:alert(1))",
    '![x" onerror="alert(1)](http://evil.example/x.png)',
    "![tracker](https://evil.example/pixel.gif)",
    '[x](https://example.org "title\\" onmouseover=\\"alert(1)")',
    '<https://example.org" onmouseover="alert(1)>',
    "<javascript:alert(1)>",
    "[a]: javascript:alert(1)\n\n[klik][a]",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    "<base href=javascript:alert(1)//>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<input autofocus onfocus=alert(1)>",
    "{{ 7*7 }}<x onclick=alert(1)>",
]

FORBIDDEN_TAGS = {"script", "iframe", "object", "embed", "svg", "math", "base", "meta", "img"}
URL_ATTRS = {"href", "src", "action", "formaction", "data", "xlink:href"}


class InjectionFinder(HTMLParser):
    """Collect anything in a page that a browser would execute or fetch from a payload."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag in FORBIDDEN_TAGS and not self._own_asset(tag, values):
            self.problems.append(f"<{tag} {attrs}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}={value}")
            if name in URL_ATTRS and value:
                url = "".join(value.split()).lower()
                if url.startswith(("javascript:", "vbscript:", "data:", "file:")):
                    self.problems.append(f"{tag} {name}={value}")
                if url.startswith(("http://evil", "https://evil")):
                    self.problems.append(f"{tag} {name}={value}")

    def handle_data(self, data):
        if self.lasttag == "script" and data.strip():
            self.problems.append(f"inline script: {data[:60]}")

    @staticmethod
    def _own_asset(tag: str, attrs: dict) -> bool:
        """The layout's own scripts and metadata are local files, not story output."""
        if tag == "script":
            return (attrs.get("src") or "").startswith("/static/")
        return tag == "meta" and "http-equiv" not in attrs


def injections(html: str) -> list[str]:
    finder = InjectionFinder()
    finder.feed(html)
    return finder.problems


def test_checker_catches_injection():
    assert injections('<p><a href="javascript:alert(1)">x</a><img src=x onerror=y></p>')
    assert injections("<script>alert(1)</script>")


def test_payloads_never_execute(client, session, settings):
    assert len(PAYLOADS) >= 30
    settings(public_stories=True, story_rate_limit=1000)
    for payload in PAYLOADS:
        data = form_data(client.get("/stories/new").text, title=payload[:200], body=payload)
        assert client.post("/stories/new", data=data, follow_redirects=False).status_code == 303
    editor = bearer(session, "editor")
    for payload in PAYLOADS:
        story = {"title": payload[:200], "body": payload, "occurred": "2024-03"}
        response = client.post(
            "/api/v1/narratives", json={**story, "author_role": "staff"}, headers=editor
        )
        assert response.status_code == 201, response.text
    session.rollback()
    ids = list(session.exec(select(Narrative.id)))
    assert len(ids) == 2 * len(PAYLOADS)

    login(client, session, "editor")
    pages = ["/moderation"] + [f"/moderation/{i}" for i in ids]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert injections(response.text) == [], path

    for narrative_id in ids:
        patch = client.patch(
            f"/api/v1/narratives/{narrative_id}", json={"status": "published"}, headers=editor
        )
        assert patch.status_code == 200, patch.text
    for path in ["/"] + [f"/stories/{i}" for i in ids]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert injections(response.text) == [], path


@pytest.mark.parametrize("payload", PAYLOADS)
def test_rendered_body_is_inert(payload):
    from app.narratives.rendering import render_markdown

    assert injections(str(render_markdown(payload))) == []
