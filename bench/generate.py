"""A deterministic large municipality: a regional deployment's worth of data.

At ``--scale 1``: 6 themes, 25 districts, 200 monthly indicators over 10 years
for the municipality and each district (624,000 observations), 50,000 published
stories (a quarter of them public) and 1,000 reflection sessions.
Every run with the same seed and scale writes the same rows, so benchmark numbers
from different days compare like with like.

Observations go through the project's own ``duiding import observations`` when that
command exists (the path users take); otherwise they are bulk-inserted and the summary
says so. Stories and sessions are bulk-inserted as rows: there is no bulk story import.
"""

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine

from app.db import make_engine
from app.models import (
    Area,
    AreaKind,
    Indicator,
    IndicatorTheme,
    Narrative,
    NarrativeStatus,
    Observation,
    ReflectionSession,
    Theme,
)
from app.models.narrative import NarrativeIndicator, NarrativeTheme
from app.models.reflection import SessionIndicator

SEED = 20260101
BATCH = 10_000
YEARS = 10
FIRST_YEAR = 2016
DISTRICTS = 25
#: Every indicator has a series for the municipality and one per district.
SERIES_PER_INDICATOR = DISTRICTS + 1
#: Consent reaches of the generated stories: anonymous readers see only the public ones.
REACHES = ("internal", "council", "council", "public")
CREATED = datetime(2026, 1, 1, tzinfo=UTC)
THEMES = [
    ("jeugd", "Jeugd"),
    ("wmo", "Wmo en ondersteuning thuis"),
    ("werk-inkomen", "Werk en inkomen"),
    ("schulden", "Schulden"),
    ("wonen", "Wonen en zorg"),
    ("veiligheid", "Veiligheid en welzijn"),
]
WORDS = [
    "gezinnen",
    "wijkteam",
    "keukentafel",
    "wachtlijst",
    "jongeren",
    "huisbezoek",
    "schulden",
    "budgetcoach",
    "mantelzorg",
    "buurthuis",
    "voedselbank",
    "school",
    "leerplicht",
    "thuiszorg",
    "vrijwilligers",
    "werkgever",
    "uitkering",
    "aanvraag",
    "jeugdhulp",
    "huisarts",
    "wijkagent",
    "corporatie",
    "eenzaamheid",
    "ouderen",
    "inloop",
    "spreekuur",
    "armoede",
    "energiekosten",
    "beschermd",
    "wonen",
    "dagbesteding",
    "toegang",
]


@dataclass
class Summary:
    themes: int
    districts: int
    indicators: int
    observations: int
    stories: int
    sessions: int
    observations_via: str

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def months(years: int = YEARS) -> list[date]:
    """The first day of every month in the benchmark's ten years."""
    return [date(FIRST_YEAR + m // 12, m % 12 + 1, 1) for m in range(years * 12)]


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _bulk(engine: Engine, table, rows) -> int:
    """Insert ``rows`` (an iterable of dicts) in batches; return how many."""
    count = 0
    batch: list[dict] = []
    with engine.begin() as connection:
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                connection.execute(insert(table), batch)
                count += len(batch)
                batch = []
        if batch:
            connection.execute(insert(table), batch)
            count += len(batch)
    return count


def write_reference(engine: Engine, indicators: int, prefix: str = "bench") -> None:
    """Themes, the municipality with its districts, and ``indicators`` monthly indicators."""
    _bulk(engine, Theme.__table__, ({"slug": s, "name": n, "description": ""} for s, n in THEMES))
    _bulk(
        engine,
        Area.__table__,
        [{"code": "GM9999", "name": "Benchmarkstad", "kind": AreaKind.municipality}]
        + [
            {"code": f"WK9999{d:02d}", "name": f"Wijk {d}", "kind": AreaKind.district}
            for d in range(1, DISTRICTS + 1)
        ],
    )
    _bulk(
        engine,
        Indicator.__table__,
        (
            {
                "slug": f"{prefix}-{i:04d}",
                "name": f"Indicator {i}",
                "unit": "aantal",
                "description": "Aantal per maand, gegenereerd voor de benchmark.",
                "source": "benchmark",
                "created_at": CREATED,
                "updated_at": CREATED,
            }
            for i in range(1, indicators + 1)
        ),
    )
    with engine.connect() as connection:
        theme_ids = [row[0] for row in connection.execute(select(Theme.id).order_by(Theme.id))]
        indicator_ids = [row[0] for row in connection.execute(select(Indicator.id))]
    _bulk(
        engine,
        IndicatorTheme.__table__,
        (
            {"indicator_id": i, "theme_id": theme_ids[n % len(theme_ids)]}
            for n, i in enumerate(indicator_ids)
        ),
    )


def observation_rows(indicators: int, prefix: str = "bench", limit: int | None = None):
    """Yield (indicator slug, period, area code, value) in a fixed order: per indicator
    the whole municipality (area "") and then each district, as municipalities publish."""
    rng = random.Random(SEED)
    written = 0
    periods = months()
    areas = ["", *(f"WK9999{d:02d}" for d in range(1, DISTRICTS + 1))]
    for i in range(1, indicators + 1):
        for area in areas:
            level = rng.uniform(20, 400) * (DISTRICTS if not area else 1)
            for month in periods:
                if limit is not None and written >= limit:
                    return
                value = round(max(0.0, level + rng.gauss(0, level * 0.08)), 1)
                yield f"{prefix}-{i:04d}", f"{month:%Y-%m}", area, value
                written += 1


def write_observations_csv(path: Path, indicators: int, limit: int | None = None) -> int:
    """Write observations as the CSV ``duiding import observations`` reads; return rows."""
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["indicator", "period", "area", "value"])
        for row in observation_rows(indicators, limit=limit):
            writer.writerow(row)
            count += 1
    return count


def import_cli_available() -> bool:
    """Whether ``duiding import observations`` exists yet in this checkout."""
    result = subprocess.run(
        [_duiding(), "import", "observations", "--help"],
        capture_output=True,
        check=False,
        timeout=60,
    )
    return result.returncode == 0


def _duiding() -> str:
    return shutil.which("duiding", path=str(Path(sys.executable).parent)) or "duiding"


def _bulk_observations(engine: Engine, indicators: int) -> int:
    with engine.connect() as connection:
        slug_ids = dict(connection.execute(select(Indicator.slug, Indicator.id)).all())
        area_ids = dict(connection.execute(select(Area.code, Area.id)).all())
    return _bulk(
        engine,
        Observation.__table__,
        (
            {
                "indicator_id": slug_ids[slug],
                "area_id": area_ids[area] if area else None,
                "period_start": date.fromisoformat(period + "-01"),
                "value": value,
                "recorded_at": CREATED,
                "source": "benchmark",
            }
            for slug, period, area, value in observation_rows(indicators)
        ),
    )


def write_stories(engine: Engine, count: int) -> int:
    """Published stories spread over the ten years, each linked to a theme and an indicator."""
    rng = random.Random(SEED + 1)
    periods = months()
    with engine.connect() as connection:
        area_ids = [
            r[0] for r in connection.execute(select(Area.id).where(Area.kind == "district"))
        ]
        theme_ids = [r[0] for r in connection.execute(select(Theme.id))]
        indicator_ids = [r[0] for r in connection.execute(select(Indicator.id))]
        last = connection.execute(select(func.max(Narrative.id))).scalar_one() or 0
    roles = ["resident", "partner", "professional", "staff"]
    assessments = ["better", "worse", "mixed", "unclear"]
    _bulk(
        engine,
        Narrative.__table__,
        (
            {
                "title": _text(rng, 6)[:200],
                "body": " ".join(_text(rng, 14) for _ in range(4)),
                "occurred_on": rng.choice(periods),
                "author_role": rng.choice(roles),
                "area_id": rng.choice(area_ids),
                "assessment": rng.choice(assessments),
                "status": NarrativeStatus.published,
                "source": "import",
                "consent": True,
                "consent_reach": rng.choice(REACHES),
                "consent_version": "2026-1",
                "consent_at": CREATED,
                "submitted_at": CREATED,
                "moderated_at": CREATED,
            }
            for _ in range(count)
        ),
    )
    # The database numbers the stories (explicit ids would leave PostgreSQL's sequence
    # behind, and the next story submitted would collide with one of these).
    with engine.connect() as connection:
        ids = list(
            connection.execute(
                select(Narrative.id).where(Narrative.id > last).order_by(Narrative.id)
            ).scalars()
        )
    rng = random.Random(SEED + 2)
    _bulk(
        engine,
        NarrativeTheme.__table__,
        ({"narrative_id": i, "theme_id": rng.choice(theme_ids)} for i in ids),
    )
    _bulk(
        engine,
        NarrativeIndicator.__table__,
        (
            {
                "narrative_id": i,
                "indicator_id": rng.choice(indicator_ids),
                "relation": rng.choice(["explains", "context", "contradicts", "consequence"]),
            }
            for i in ids
        ),
    )
    return count


def write_sessions(engine: Engine, count: int) -> int:
    """Reflection sessions, each discussing two indicators."""
    rng = random.Random(SEED + 3)
    periods = months()
    with engine.connect() as connection:
        indicator_ids = [r[0] for r in connection.execute(select(Indicator.id))]
    _bulk(
        engine,
        ReflectionSession.__table__,
        (
            {
                "held_on": rng.choice(periods),
                "title": f"Reflectiesessie {n + 1}",
                "facilitator": "Benchmark",
                "participants": ["beleid", "wijkteam"],
                "see": _text(rng, 30),
                "mean": _text(rng, 30),
                "do": _text(rng, 20),
                "created_at": CREATED,
                "updated_at": CREATED,
            }
            for n in range(count)
        ),
    )
    with engine.connect() as connection:
        session_ids = [r[0] for r in connection.execute(select(ReflectionSession.id))]
    _bulk(
        engine,
        SessionIndicator.__table__,
        (
            {
                "session_id": s,
                "indicator_id": rng.choice(indicator_ids),
                "snapshot": [],
                "snapshot_at": CREATED,
            }
            for s in session_ids
            for _ in range(2)
        ),
    )
    return count


def generate(url: str, scale: float, workdir: Path) -> Summary:
    """Fill the (migrated, empty) database at ``url``; ``workdir`` holds the CSV."""
    engine = make_engine(url)
    indicators = max(6, round(200 * scale))
    write_reference(engine, indicators)
    if import_cli_available():
        path = workdir / "observations.csv"
        observations = write_observations_csv(path, indicators)
        subprocess.run(
            [_duiding(), "import", "observations", str(path)],
            env={**os.environ, "DUIDING_DATABASE_URL": url},
            check=True,
            capture_output=True,
            timeout=1800,
        )
        via = "duiding import observations"
    else:
        observations = _bulk_observations(engine, indicators)
        via = "bulk insert (duiding import observations not available)"
    stories = write_stories(engine, round(50_000 * scale))
    sessions = write_sessions(engine, round(1_000 * scale))
    # A database in use has planner statistics (PostgreSQL's autovacuum gathers them);
    # one just bulk-loaded has none, and its plans would measure an empty database.
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    engine.dispose()
    return Summary(len(THEMES), DISTRICTS, indicators, observations, stories, sessions, via)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="SQLAlchemy URL of a migrated, empty database")
    parser.add_argument("--scale", type=float, default=1.0, help="1 = the full dataset")
    parser.add_argument("--workdir", type=Path, default=Path("."))
    args = parser.parse_args()
    print(json.dumps(generate(args.url, args.scale, args.workdir).as_dict(), indent=2))


if __name__ == "__main__":
    main()
