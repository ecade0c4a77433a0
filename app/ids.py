"""Ids as they arrive from outside (form fields, query strings): text to a row id or nothing.

A plain module, so that domain code reading posted ids needs no web framework.
"""

#: The largest id a database integer column holds (BIGINT); anything above is no id.
MAX_ID = 2**63 - 1


def posted_id(value: object) -> int | None:
    """A posted id as an int, or None when the text is not one.

    Only ASCII digits count: ``str.isdigit`` also accepts "²", which ``int`` refuses.
    A number beyond what the database stores is no id either, rather than an error."""
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None
