"""The report as an editable Word document (.docx), for the clerk's P&C documents.

Written with python-docx from the same Markdown as the download and the PDF, so the
three never disagree: headings become Word headings (the document's outline and its
table of contents), list items Word list paragraphs, bold and italic stay runs, and each
``![name](chart:slug)`` becomes that indicator's chart as a picture with its name as
alternative text. The document language is set to the reader's, so a spelling checker
and a screen reader read it as Dutch.
"""

from io import BytesIO

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm
from markdown_it import MarkdownIt
from markdown_it.token import Token

from app.reports.content import Report
from app.reports.pictures import chart_png

CHART_WIDTH = Cm(15)
LANGUAGE_TAGS = {"nl": "nl-NL", "en": "en-GB"}

_markdown = MarkdownIt("commonmark", {"html": False})


def _set_language(document, lang: str) -> None:
    """Mark the default text of ``document`` as written in ``lang``."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    run = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    language = run.find(qn("w:lang"))
    if language is None:
        language = run.makeelement(qn("w:lang"), {})
        run.append(language)
    language.set(qn("w:val"), LANGUAGE_TAGS.get(lang, lang))


def _picture(paragraph, svg: str, name: str) -> None:
    """The chart as a picture whose alternative text is its name."""
    shape = paragraph.add_run().add_picture(chart_png(svg), width=CHART_WIDTH)
    properties = shape._inline.docPr  # python-docx has no API for alt text yet
    properties.set("descr", name)
    properties.set("title", name)


def _inline(paragraph, token: Token, charts: dict[str, str]) -> None:
    """The runs of an inline token: text with its bold and italic, and chart pictures."""
    bold = italic = False
    for child in token.children or []:
        if child.type == "strong_open":
            bold = True
        elif child.type == "strong_close":
            bold = False
        elif child.type == "em_open":
            italic = True
        elif child.type == "em_close":
            italic = False
        elif child.type == "image":
            svg = charts.get(str(child.attrs.get("src", "")).removeprefix("chart:"))
            if svg:
                _picture(paragraph, svg, child.content)
        elif child.type in ("softbreak", "hardbreak"):
            run = paragraph.add_run()
            if child.type == "hardbreak":
                run.add_break()
            else:
                run.text = " "
        elif child.content:
            run = paragraph.add_run(child.content)
            run.bold, run.italic = bold or None, italic or None


def report_docx(report: Report, markdown: str, lang: str) -> bytes:
    """Lay out the report's Markdown as a Word document with its charts."""
    charts = {part.slug: part.svg for theme in report.themes for part in theme.indicators}
    document = Document()
    _set_language(document, lang)
    first = markdown.splitlines()[0].lstrip("# ") if markdown else ""
    document.core_properties.title = first
    document.core_properties.language = LANGUAGE_TAGS.get(lang, lang)
    heading: int | None = None
    lists: list[str] = []
    fresh = False  # the next paragraph opens a list item; later ones continue it
    for token in _markdown.parse(markdown):
        if token.type == "heading_open":
            heading = int(token.tag[1])
        elif token.type == "heading_close":
            heading = None
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            lists.append("List Bullet" if token.type == "bullet_list_open" else "List Number")
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif token.type == "list_item_open":
            fresh = True
        elif token.type == "inline":
            if heading is not None:
                paragraph = document.add_heading(level=min(heading - 1, 4) or 0)
            elif lists:
                depth = len(lists)
                style = lists[-1] if fresh else "List Continue"
                paragraph = document.add_paragraph(style=style + (f" {depth}" if depth > 1 else ""))
                fresh = False
            else:
                paragraph = document.add_paragraph()
            _inline(paragraph, token, charts)
    out = BytesIO()
    document.save(out)
    return out.getvalue()
