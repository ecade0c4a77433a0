"""The report as an accessible PDF (PDF/UA-1), written by WeasyPrint.

Dutch public bodies must publish accessible documents, so the PDF is tagged: headings,
paragraphs, lists and figures are in its structure tree, each chart has alternative
text, and the document states its language and title. WeasyPrint's ``pdf/ua-1`` variant
writes all of that from plain HTML, which is why it replaced a hand-laid-out fpdf2 file
that held none of it.

The HTML is made from the same Markdown as the download and the .docx, so the three
never disagree; each ``![name](chart:slug)`` becomes that indicator's chart (with its
legend, drawn inside the image by app/reports/charts.py) as a picture whose
alternative text is its name.

WeasyPrint lays text out with Pango, a system library (Debian: ``libpango-1.0-0`` and
``libpangoft2-1.0-0``). Where it is missing, the PDF answers with a message saying so
and the rest of Duiding works as before.
"""

import base64
from html import escape

from markdown_it import MarkdownIt
from markdown_it.token import Token

from app.i18n import N_
from app.problems import Unavailable
from app.reports.content import Report
from app.reports.pictures import chart_png

NO_PANGO = N_(
    "The PDF cannot be made on this server: it needs the Pango library "
    "(Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0). "
    "The Markdown and Word downloads work without it."
)

#: A4 with room to bind; headings keep their text; a chart never splits over pages.
STYLE = """
@page { size: A4; margin: 18mm 18mm 20mm;
        @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt;
                        font-family: "Liberation Sans", "DejaVu Sans", Arial, sans-serif; } }
body { font-family: "Liberation Sans", "DejaVu Sans", Arial, sans-serif; font-size: 10pt;
       line-height: 1.45; color: #1a1a1a; }
h1 { font-size: 18pt; margin: 0 0 6pt; }
h2 { font-size: 14pt; margin: 18pt 0 4pt; break-before: page; }
h1 + p + h2, h1 + h2 { break-before: auto; }
h3 { font-size: 12pt; margin: 12pt 0 3pt; }
h4 { font-size: 10.5pt; margin: 10pt 0 2pt; }
h2, h3, h4 { break-after: avoid; }
img { width: 150mm; max-width: 100%; break-inside: avoid; }
ul { padding-left: 14pt; }
li { margin: 2pt 0; }
blockquote { margin: 4pt 0 4pt 10pt; }
"""

_markdown = MarkdownIt("commonmark", {"html": False})


def _with_charts(tokens: list[Token], charts: dict[str, str]) -> None:
    """Point each ``chart:slug`` image at its chart as a PNG; drop those without one."""
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        kept = []
        for child in token.children:
            source = str(child.attrs.get("src", "")) if child.type == "image" else ""
            if source.startswith("chart:"):
                svg = charts.get(source.removeprefix("chart:"))
                if not svg:
                    continue
                png = base64.b64encode(chart_png(svg).getvalue()).decode()
                child.attrs["src"] = f"data:image/png;base64,{png}"
            kept.append(child)
        token.children = kept


def report_html(report: Report, markdown: str, lang: str) -> str:
    """The report's Markdown as one HTML document, charts included."""
    tokens = _markdown.parse(markdown)
    _with_charts(tokens, {p.slug: p.svg for t in report.themes for p in t.indicators if p.svg})
    body = _markdown.renderer.render(tokens, _markdown.options, {})
    title = markdown.splitlines()[0].lstrip("# ").strip() if markdown else ""
    return (
        f'<!doctype html><html lang="{escape(lang)}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body>{body}</body></html>"
    )


def report_pdf(report: Report, markdown: str, lang: str) -> bytes:
    """The report as a tagged A4 PDF (PDF/UA-1) in ``lang``, with its charts."""
    try:
        from weasyprint import HTML  # Pango through cffi: loaded on first use
    except OSError as missing:  # the system library, not the Python package
        raise Unavailable(NO_PANGO) from missing
    document = HTML(string=report_html(report, markdown, lang))
    return document.write_pdf(pdf_variant="pdf/ua-1") or b""
