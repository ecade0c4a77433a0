"""Work done once when the server starts (after migrations, before the first request)."""

import gc
import logging

from app.narratives.retention import purge_expired_contacts
from app.settings_audit import audit_settings

log = logging.getLogger("duiding")

STARTUP_TASKS: list = [purge_expired_contacts, audit_settings]


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
