"""The server's own mail worker: every ``DUIDING_MAIL_INTERVAL_SECONDS`` it runs the
same delivery as ``duiding mail send``, in a thread so that requests never wait.

Several server processes may each run one: a message is claimed before it is sent,
so none is sent twice.
"""

import asyncio
import contextlib
import logging

from app.config import get_settings
from app.mail.delivery import deliver

log = logging.getLogger("duiding.mail")


async def _loop(interval: int) -> None:
    while True:
        try:
            await asyncio.to_thread(deliver)
        except Exception:  # a broken run must not end the loop: the next one retries
            log.exception("mail delivery failed")
        await asyncio.sleep(interval)


def start() -> asyncio.Task | None:
    """Start the loop when mail is on and the interval is not 0; None otherwise."""
    settings = get_settings()
    if not settings.mail_enabled or settings.mail_interval_seconds == 0:
        return None
    return asyncio.create_task(_loop(settings.mail_interval_seconds), name="duiding-mail")


async def stop(task: asyncio.Task | None) -> None:
    """End the loop (at shutdown); a run in progress finishes in its thread."""
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
