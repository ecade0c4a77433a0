"""Uploaded files kept between the preview of an import and its confirmation.

A preview stores the file under the data folder with a random name; it is deleted
when the import is confirmed (whatever the outcome), cancelled or refused, and any
left behind (a preview nobody confirmed) is deleted once it is a day old: at the next
upload, and when the server starts (``app.startup``).
"""

import re
import secrets
import shutil
import time
from pathlib import Path
from typing import BinaryIO

NAME = re.compile(r"^[A-Za-z0-9_-]{20,40}$")
KEEP_SECONDS = 24 * 3600


def folder(data_dir: Path) -> Path:
    """Return the private folder of kept uploads, creating it."""
    path = Path(data_dir) / "uploads"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def keep(*, data_dir: Path, stream: BinaryIO) -> tuple[str, Path]:
    """Store an upload under a new random name; return the name and the file.

    Uploads older than a day are deleted first, so the folder never keeps growing.
    """
    prune(data_dir=data_dir)
    name = secrets.token_urlsafe(24)
    path = folder(data_dir) / name
    with path.open("xb") as target:
        path.chmod(0o600)
        shutil.copyfileobj(stream, target)
    return name, path


def find(*, data_dir: Path, name: str) -> Path | None:
    """Return the kept upload called ``name``, or None when there is no such file."""
    if not NAME.fullmatch(name):
        return None
    path = folder(data_dir) / name
    return path if path.is_file() else None


def discard(*, data_dir: Path, name: str) -> None:
    """Delete a kept upload (nothing happens when it is already gone)."""
    if path := find(data_dir=data_dir, name=name):
        path.unlink(missing_ok=True)


def prune(*, data_dir: Path, now: float | None = None) -> int:
    """Delete uploads kept longer than a day; return how many."""
    cutoff = (now if now is not None else time.time()) - KEEP_SECONDS
    removed = 0
    for path in folder(data_dir).iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
