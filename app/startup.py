"""Work done once when the server starts (after migrations, before the first request)."""

import gc
import logging

from app.config import get_settings
from app.db import get_engine
from app.figures import staging, uploads
from app.narratives.retention import purge_expired_contacts
from app.settings_audit import audit_settings

log = logging.getLogger("duiding")


def clean_up_imports() -> None:
    """Remove what a crashed or abandoned import left: upload previews older than a day
    (``app.figures.uploads``) and the rows of an import killed before it committed (one
    killed after it is settled); committed values stay as they are."""
    uploads.prune(data_dir=get_settings().data_dir)
    staging.clean_up_imports(get_engine())


STARTUP_TASKS: list = [purge_expired_contacts, audit_settings, clean_up_imports]


def on_startup() -> None:
    """Run each registered start-up task; one failing task must not stop the server.

    Then move everything loaded so far (the app, Altair's schema, templates: some
    200,000 objects) out of the garbage collector's reach. They live as long as the
    process, and scanning them in every full collection added 100-150 ms pauses to
    whichever request happened to trigger one.
    """
    for task in STARTUP_TASKS:
        try:
            task()
        except Exception:
            log.exception("start-up task %s failed", getattr(task, "__name__", task))
    gc.collect()
    gc.freeze()
