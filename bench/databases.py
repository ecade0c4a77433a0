"""The benchmark's databases on SQLite and PostgreSQL, and the cache of the large dataset.

Each run works on fresh databases; the generated municipality is made once per
generator version and kept (a file under ``bench/out/`` on SQLite, a template
database on PostgreSQL), so repeated runs skip the generation. The cache key covers
``bench/generate.py``, the migrations and the scale: any change to them regenerates.
"""

import hashlib
import shutil
import sqlite3
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from app.db import make_engine
from app.migrate import ROOT, upgrade
from app.models import Area, Indicator, Narrative, Observation, ReflectionSession, Theme
from bench import generate

CACHE_DIR = Path(__file__).parent / "out"
PREFIX = "duiding_bench"


def dataset_key(scale: float) -> str:
    """A short hash of what decides the generated data: generator, schema, scale."""
    digest = hashlib.sha256(repr(scale).encode())
    for path in [Path(generate.__file__), *sorted((ROOT / "migrations").rglob("*.py"))]:
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def dataset_counts(url: str) -> dict:
    """How many rows of each kind the database holds (the dataset's summary)."""
    engine = make_engine(url)
    with engine.connect() as connection:
        counts = {
            name: connection.execute(select(func.count()).select_from(model)).scalar_one()
            for name, model in (
                ("themes", Theme),
                ("areas", Area),
                ("indicators", Indicator),
                ("observations", Observation),
                ("stories", Narrative),
                ("sessions", ReflectionSession),
            )
        }
    engine.dispose()
    return counts


#: Scales whose cached datasets a new one does not replace (--scale and --compare-scale).
KEPT_SCALES = (1.0, 0.1)


def _kept_keys(scale: float) -> set[str]:
    return {dataset_key(s) for s in (*KEPT_SCALES, scale)}


class SqliteDatabases:
    """SQLite files in the run's folder; the dataset cached as a file in ``bench/out``."""

    engine = "sqlite"

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir

    def fresh(self, name: str) -> str:
        """A new, migrated, empty database; return its URL."""
        url = f"sqlite:///{self.workdir / name}.db"
        upgrade(url)
        return url

    def dataset(self, scale: float, name: str = "duiding") -> tuple[str, bool]:
        """A copy ``name`` of the large municipality at ``scale``; return its URL and if
        it was cached."""
        cached = CACHE_DIR / f"sqlite-{dataset_key(scale)}.db"
        hit = cached.exists()
        if not hit:
            made = f"generate-{dataset_key(scale)}"  # one per scale: --compare-scale
            url = self.fresh(made)
            generate.generate(url, scale, self.workdir)
            CACHE_DIR.mkdir(exist_ok=True)
            for old in CACHE_DIR.glob("sqlite-*.db"):
                if old.stem.removeprefix("sqlite-") not in _kept_keys(scale):
                    old.unlink()
            partial = cached.with_suffix(".partial")
            # The online backup API copies a consistent file, WAL included.
            with (
                sqlite3.connect(self.workdir / f"{made}.db") as source,
                sqlite3.connect(partial) as target,
            ):
                source.backup(target)
            partial.rename(cached)
        target = self.workdir / f"{name}.db"
        shutil.copyfile(cached, target)
        return f"sqlite:///{target}", hit

    def close(self) -> None:
        """Nothing to drop: the run's folder is removed with its files."""


class PostgresDatabases:
    """Databases ``duiding_bench_*`` on one server; the dataset cached as a template."""

    engine = "postgresql"

    def __init__(self, admin_url: str, workdir: Path) -> None:
        self.workdir = workdir
        self.base = make_url(admin_url)
        self.admin = create_engine(self.base, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []

    def _url(self, database: str) -> str:
        return self.base.set(database=database).render_as_string(hide_password=False)

    def _exec(self, sql: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(sql))

    def _create(self, database: str, template: str | None = None) -> str:
        self._exec(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        self._exec(
            f'CREATE DATABASE "{database}"' + (f' TEMPLATE "{template}"' if template else "")
        )
        return self._url(database)

    def fresh(self, name: str) -> str:
        """A new, migrated, empty database; return its URL."""
        database = f"{PREFIX}_{name}"
        url = self._create(database)
        self.created.append(database)
        upgrade(url)
        return url

    def _cached_templates(self) -> list[str]:
        with self.admin.connect() as connection:
            return list(
                connection.execute(
                    text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
                    {"p": f"{PREFIX}_cache_%"},
                ).scalars()
            )

    def dataset(self, scale: float, name: str = "run") -> tuple[str, bool]:
        """A copy ``name`` of the large municipality at ``scale``; return its URL and if
        it was cached."""
        template = f"{PREFIX}_cache_{dataset_key(scale)}"
        existing = self._cached_templates()
        hit = template in existing
        if not hit:
            for old in existing:
                if old.removeprefix(f"{PREFIX}_cache_") in _kept_keys(scale):
                    continue
                self._exec(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)')
            url = self.fresh("generate")
            generate.generate(url, scale, self.workdir)
            self._exec(f'ALTER DATABASE "{PREFIX}_generate" RENAME TO "{template}"')
            self.created.remove(f"{PREFIX}_generate")
        database = f"{PREFIX}_{name}"
        url = self._create(database, template=template)
        self.created.append(database)
        return url, hit

    def close(self) -> None:
        """Drop the run's databases; the cached template stays for the next run."""
        for database in self.created:
            self._exec(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        self.admin.dispose()


def reachable(url: str) -> bool:
    """Whether a PostgreSQL server answers at ``url``."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:  # any failure means: not reachable for the benchmark
        return False
    finally:
        engine.dispose()
