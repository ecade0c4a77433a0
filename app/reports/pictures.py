"""A report chart as a picture, for the documents that cannot hold SVG as such.

The PDF and the .docx draw each chart as a PNG at twice its size (sharp on paper and
on a zoomed screen); vl-convert turns the stored SVG into one, in its child process
(app/figures/renderer.py).
"""

from io import BytesIO


def chart_png(svg: str) -> BytesIO:
    """``svg`` as a PNG at twice its size."""
    from app.figures import renderer

    return BytesIO(renderer.png(svg, scale=2))
