"""``duiding maintenance``: periodic clean-up (run it daily, e.g. from a systemd timer)."""

from app.cli.console import ok


def maintenance() -> None:
    """Delete contact details older than ``DUIDING_CONTACT_RETENTION_DAYS``."""
    from app.config import get_settings
    from app.narratives.retention import purge_expired_contacts

    count = purge_expired_contacts()
    days = get_settings().contact_retention_days
    ok(f"deleted {count} contact detail(s) older than {days} days")
