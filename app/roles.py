"""Staff roles as a plain enumeration, importable without the database layer.

``app.models`` re-exports it (tables store it); the command line names it in
``duiding users add --role`` and must not load SQLModel just to print its help.
"""

from enum import StrEnum


class Role(StrEnum):
    """Staff roles, from least to most rights."""

    council = "council"  # raadslid: reads reports, figures and council-reach stories
    viewer = "viewer"
    editor = "editor"
    admin = "admin"
