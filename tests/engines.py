"""Which database engine the tests run on, and per-test PostgreSQL databases."""

import atexit
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.migrate import upgrade

# One template per test process: xdist workers (and parallel runs) must not drop
# each other's template while it is being copied.
TEMPLATE_NAME = f"duiding_tpl_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"
_template_ready = False


def test_database_url() -> str | None:
    """The PostgreSQL URL given for testing, if any (SQLite otherwise)."""
    return os.environ.get("DUIDING_TEST_DATABASE_URL") or None


def _admin_engine(url: str):
    return create_engine(make_url(url), isolation_level="AUTOCOMMIT")


def _drop_template(base) -> None:
    admin = _admin_engine(base)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{TEMPLATE_NAME}" WITH (FORCE)'))
    admin.dispose()


@contextmanager
def postgres_database_for_test(name: str) -> Iterator[str]:
    """Create a database for one test from a migrated template, drop it afterwards."""
    global _template_ready
    base = make_url(test_database_url())
    admin = _admin_engine(base)
    try:
        if not _template_ready:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{TEMPLATE_NAME}" WITH (FORCE)'))
                connection.execute(text(f'CREATE DATABASE "{TEMPLATE_NAME}"'))
            upgrade(base.set(database=TEMPLATE_NAME).render_as_string(hide_password=False))
            atexit.register(_drop_template, base)
            _template_ready = True
        slug = re.sub(r"[^a-z0-9]", "_", name.lower())[:30]
        database = f"t_{slug}_{uuid.uuid4().hex[:8]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{database}" TEMPLATE "{TEMPLATE_NAME}"'))
        try:
            yield base.set(database=database).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
    finally:
        admin.dispose()
