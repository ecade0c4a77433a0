"""The report as PDF, written with fpdf2 from the report's own Markdown.

fpdf2 is pure Python (with Pillow and fontTools wheels), so it installs from PyPI on a
fresh machine without system libraries, unlike HTML-to-PDF engines that need Pango
or a browser. The Markdown download is parsed with markdown-it and laid out block by
block; each ``![name](chart:slug)`` image becomes that indicator's chart, converted
from its SVG to PNG by vl-convert. The built-in PDF fonts cover Latin-1 only, which
holds Dutch; other characters are replaced by their closest Latin-1 form.
"""

from io import BytesIO

from fpdf import FPDF
from markdown_it import MarkdownIt
from markdown_it.token import Token

from app.reports.content import Report

FONT = "Helvetica"
HEADING_SIZES = {"h1": 18, "h2": 15, "h3": 12.5, "h4": 11}
BODY_SIZE = 10
LINE = 5.2
CHART_WIDTH_MM = 110
PUNCTUATION = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u2022": "-",
        "\u2192": "->",
        "\u00a0": " ",
        "\u202f": " ",
    }
)

_markdown = MarkdownIt("commonmark", {"html": False})


def latin1(text: str) -> str:
    """``text`` in the characters the built-in PDF fonts can show."""
    return text.translate(PUNCTUATION).encode("latin-1", "replace").decode("latin-1")


def _chart_png(svg: str) -> BytesIO:
    import vl_convert

    return BytesIO(vl_convert.svg_to_png(svg, scale=2))


def _inline(pdf: FPDF, token: Token, charts: dict[str, str]) -> str:
    """The text of an inline token; chart images are drawn and leave no text."""
    text = []
    for child in token.children or []:
        if child.type == "image":
            source = str(child.attrs.get("src", ""))
            svg = charts.get(source.removeprefix("chart:"))
            if svg:
                pdf.image(_chart_png(svg), w=CHART_WIDTH_MM)
                pdf.ln(2)
        elif child.type in ("softbreak", "hardbreak"):
            text.append("\n" if child.type == "hardbreak" else " ")
        else:
            text.append(child.content)
    return "".join(text).strip()


def report_pdf(report: Report, markdown: str) -> bytes:
    """Lay out the report's Markdown as an A4 PDF with its charts."""
    charts = {part.slug: part.svg for theme in report.themes for part in theme.indicators}
    pdf = FPDF(format="A4")
    pdf.set_title(latin1(markdown.splitlines()[0].lstrip("# ")) if markdown else "")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_margins(18, 15, 18)
    pdf.add_page()
    heading: str | None = None
    indent = 0
    bullet = False  # the next paragraph opens a list item
    seen_h2 = False
    for token in _markdown.parse(markdown):
        if token.type == "heading_open":
            heading = token.tag
            if heading == "h2":
                if seen_h2:
                    pdf.add_page()
                seen_h2 = True
        elif token.type == "heading_close":
            heading = None
        elif token.type in ("bullet_list_open", "ordered_list_open", "blockquote_open"):
            indent += 1
        elif token.type in ("bullet_list_close", "ordered_list_close", "blockquote_close"):
            indent -= 1
        elif token.type == "list_item_open":
            bullet = True
        elif token.type == "inline":
            text = _inline(pdf, token, charts)
            if not text:
                continue
            if heading:
                pdf.set_font(FONT, style="B", size=HEADING_SIZES.get(heading, BODY_SIZE))
                pdf.ln(2)
                pdf.multi_cell(0, LINE * 1.4, latin1(text), new_x="LMARGIN", new_y="NEXT")
            else:
                pdf.set_font(FONT, size=BODY_SIZE)
                prefix = "- " if bullet else ""
                bullet = False
                pdf.set_x(pdf.l_margin + 5 * indent)
                pdf.multi_cell(0, LINE, latin1(prefix + text), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        elif token.type == "hr":
            pdf.ln(3)
    return bytes(pdf.output())
