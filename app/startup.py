"""Work done once when the server starts (after migrations, before the first request)."""

import logging

from app.narratives.retention import purge_expired_contacts
from app.settings_audit import audit_settings

log = logging.getLogger("duiding")

STARTUP_TASKS: list = [purge_expired_contacts, audit_settings]


def on_startup() -> None:
    """Run each registered start-up task; one failing task must not stop the server."""
    for task in STARTUP_TASKS:
        try:
            task()
        except Exception:
            log.exception("start-up task %s failed", getattr(task, "__name__", task))
