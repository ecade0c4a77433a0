"""Safe Markdown for stories and for staff text (session notes, report introductions,
indicator descriptions): bodies from outside are untrusted, and staff text follows the
same policy so that no page of ours fetches from elsewhere or passes on its readers.

Raw HTML is never passed through, links are limited to http, https and mailto and
carry ``rel="nofollow noopener"``, and images render as their alt text only, so a
story can neither run script nor make a reader's browser fetch anything from outside.
"""

from markdown_it import MarkdownIt
from markupsafe import Markup, escape

ALLOWED_SCHEMES = ("http://", "https://", "mailto:")
# A pipe table in staff text is drawn as every other table of ours: the NL Design System
# table, whose html-table modifier styles the plain thead, th and td markdown-it writes.
TABLE_CLASS = "utrecht-table utrecht-table--html-table"


def _validate_link(url: str) -> bool:
    return url.strip().lower().startswith(ALLOWED_SCHEMES)


def _link_open(self, tokens, idx, options, env) -> str:
    tokens[idx].attrSet("rel", "nofollow noopener")
    return self.renderToken(tokens, idx, options, env)


def _table_open(self, tokens, idx, options, env) -> str:
    tokens[idx].attrSet("class", TABLE_CLASS)
    return self.renderToken(tokens, idx, options, env)


def _cell_open(self, tokens, idx, options, env) -> str:
    """A column's alignment (``|--:|``) as a class: markdown-it writes it as a style
    attribute, which the Content-Security-Policy (style-src 'self') refuses."""
    token = tokens[idx]
    style = str(token.attrGet("style") or "")
    if style.startswith("text-align:"):
        del token.attrs["style"]
        token.attrSet("class", "align-" + style.removeprefix("text-align:"))
    return self.renderToken(tokens, idx, options, env)


def _image(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    return str(escape(self.renderInlineAsText(token.children or [], options, env)))


def _build(*, tables: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    if tables:
        md.enable("table")
    md.validateLink = _validate_link  # type: ignore[method-assign]  # markdown-it's own hook
    md.add_render_rule("link_open", _link_open)
    md.add_render_rule("image", _image)
    md.add_render_rule("table_open", _table_open)
    md.add_render_rule("th_open", _cell_open)
    md.add_render_rule("td_open", _cell_open)
    return md


_MARKDOWN = {tables: _build(tables=tables) for tables in (False, True)}


def render_markdown(text: str, *, tables: bool = False) -> Markup:
    """Render untrusted Markdown to HTML that is safe to place in a page; ``tables``
    allows pipe tables (staff notes use them)."""
    html = _MARKDOWN[tables].render(text or "")
    return Markup(html)  # noqa: S704 - html is off, links are checked
