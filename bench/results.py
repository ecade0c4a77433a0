"""The benchmark's targets (each from the issue that names it) and ``bench/RESULTS.md``."""

from pathlib import Path

RESULTS = Path(__file__).parent / "RESULTS.md"
NOT_AVAILABLE = "not available"
WALL_TIME_LIMIT = 15 * 60

# result key: (issue, target as written, test)
TARGETS = {
    "import_ratio": ("issue 3", "<= 2x sqlite-utils", lambda v: v <= 2.0),
    "import_peak_mb": ("issue 23", "< 100 MB", lambda v: v < 100),
    "indicator_p95_ms": ("issue 5", "<= 150 ms", lambda v: v <= 150),
    "timeline_p95_ms": ("issue 5", "<= 300 ms", lambda v: v <= 300),
    "search_p95_ms": ("issue 8", "<= 50 ms", lambda v: v <= 50),
    "search_new_p95_ms": ("issue 8", "<= 50 ms, each query new", lambda v: v <= 50),
    "report_p95_ms": ("issue 8", "< 1000 ms", lambda v: v < 1000),
    "cold_indicator_ms": ("issue 16", "first after start < 1500 ms", lambda v: v < 1500),
    "cold_timeline_ms": ("issue 16", "first after start < 1500 ms", lambda v: v < 1500),
    "cold_report_ms": ("issue 16", "first after start < 1500 ms", lambda v: v < 1500),
    "submissions_rate_verified": ("issue 10", "all acknowledged, stored once", lambda v: v),
    "submissions_burst_once": ("issue 4", "200 at once, each stored once", lambda v: v),
    "load_stored_once": ("issue 24", "at scale: all acknowledged stored once", lambda v: v),
    "load_reset": ("issue 24", "at scale: no connection reset", lambda v: v == 0),
    "during_import_p95_ms": ("issue 24", "story p95 <= 2 s during import", lambda v: v <= 2000),
    "during_import_stored_once": ("issue 24", "stories during import stored once", lambda v: v),
    # Issue 23: ratios to peers measured interleaved in the same run (bench/peers.py).
    "table_p50_ratio": (
        "issue 23",
        "indicator p50 <= 1.0x Datasette's table page",
        lambda v: v <= 1.0,
    ),
    "indicator_growth": (
        "issue 23",
        "indicator p50 <= 1.2x at a tenth of the data",
        lambda v: v <= 1.2,
    ),
    "json_p50_ratio": (
        "issue 23",
        "no regression: <= 0.5x Datasette's JSON (0.35x)",
        lambda v: v <= 0.5,
    ),
    # Against the raw FTS5 query served by a bare route: a page pays for HTTP, which alone
    # costs more than 5x the query in a process (bench/bare.py); that ratio is recorded
    # beside it (search_*_p95_ratio).
    "search_common_http_p95_ratio": (
        "issue 23",
        "common words p95 <= 5x raw FTS5 (bare route)",
        lambda v: v <= 5,
    ),
    "search_rare_http_p95_ratio": (
        "issue 23",
        "rare words p95 <= 5x raw FTS5 (bare route)",
        lambda v: v <= 5,
    ),
    "start_ratio": ("issue 23", "start to first 200 <= 1.5x Datasette", lambda v: v <= 1.5),
    "healthz_p50_ratio": ("issue 23", "/healthz p50 <= 1.5x a bare route", lambda v: v <= 1.5),
    "import_sqlite3_ratio": ("issue 23", "import <= 4x sqlite3 .import", lambda v: v <= 4),
    "import_copy_insert_ratio": ("issue 23", "import <= 1.2x \\copy + INSERT", lambda v: v <= 1.2),
    "server_peak_mb": ("issue 23", "server peak RSS <= 120 MB", lambda v: v <= 120),
    "large_report_p95_ms": ("issue 23", "large report p95 <= 2 s warm", lambda v: v <= 2000),
    "large_report_first_ms": ("issue 23", "large report first view <= 10 s", lambda v: v <= 10000),
}
#: The load-at-scale table (bench/scale.py), appended under its own heading.
LOAD_HEADING = "## Load at scale (issue 24, items 1, 8 and 9)"
LOAD_COLUMNS = {
    "plan": "load_plan",
    "acknowledged": "load_acknowledged",
    "stored once": "load_stored_once",
    "reset": "load_reset",
    "statuses": "load_statuses",
    "p50 / p95 ms": ("load_p50_ms", "load_p95_ms"),
    "stories/s": "load_per_second",
    "during import: sent / 303 / other": (
        "during_import_sent",
        "during_import_acknowledged",
        "during_import_statuses",
    ),
    "during import: story p95 / max ms": ("during_import_p95_ms", "during_import_max_ms"),
    "import write lock s": "during_import_lock_seconds",
    "during import: token reads / statuses / p95 ms": (
        "during_import_reads",
        "during_import_read_statuses",
        "during_import_read_p95_ms",
    ),
    "import s (exit, rows)": (
        "during_import_seconds_total",
        "during_import_exit",
        "during_import_rows_stored",
    ),
}
COLUMNS = {
    "import s": "import_seconds",
    "sqlite-utils s": "sqlite_utils_seconds",
    "import ratio": "import_ratio",
    "import MB": "import_peak_mb",
    "settled s": "settled_seconds",
    "home p50/p95": ("home_p50_ms", "home_p95_ms"),
    "indicator p50/p95": ("indicator_p50_ms", "indicator_p95_ms"),
    "timeline p50/p95": ("timeline_p50_ms", "timeline_p95_ms"),
    "search p50/p95": ("search_p50_ms", "search_p95_ms"),
    "new search p50/p95": ("search_new_p50_ms", "search_new_p95_ms"),
    "report p50/p95": ("report_p50_ms", "report_p95_ms"),
    "stories/s (c=50)": "submissions_per_second",
    "200 at once": "submissions_burst_once",
    "server MB": "server_peak_mb",
    "first after start indicator/timeline/report": (
        "cold_indicator_ms",
        "cold_timeline_ms",
        "cold_report_ms",
    ),
}


#: The peers table (issue 23): per cell Duiding's figure, its peer's, and their ratio.
PEERS_HEADING = "## Peers, measured in the same run (issue 23)"
PEERS_INTRO = (
    "Appended by `make bench` (bench/peers.py). Each cell: Duiding / its peer (ratio\n"
    "Duiding over peer, below 1 Duiding is faster); requests or rounds alternate between\n"
    "the two, so that the machine's load hits both. Datasette and raw FTS5 read the same\n"
    "SQLite file (SQLite rows only); raw FTS5 is asked through a bare route under the same\n"
    "uvicorn settings (the target's peer) and in the bench's own process; times in ms\n"
    "unless noted."
)
PEER_COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "indicator / Datasette table p50": (
        ("table_duiding_p50_ms", "table_datasette_p50_ms"),
        ("table_p50_ratio",),
    ),
    "indicator / Datasette table p95": (
        ("table_duiding_p95_ms", "table_datasette_p95_ms"),
        ("table_p95_ratio",),
    ),
    "observations JSON / Datasette JSON p50": (
        ("json_duiding_p50_ms", "json_datasette_p50_ms"),
        ("json_p50_ratio",),
    ),
    "search common words p95 / FTS5 bare route / FTS5 in process": (
        (
            "search_common_duiding_p95_ms",
            "search_common_fts5_http_p95_ms",
            "search_common_fts5_p95_ms",
        ),
        ("search_common_http_p95_ratio", "search_common_p95_ratio"),
    ),
    "search rare words p95 / FTS5 bare route / FTS5 in process": (
        (
            "search_rare_duiding_p95_ms",
            "search_rare_fts5_http_p95_ms",
            "search_rare_fts5_p95_ms",
        ),
        ("search_rare_http_p95_ratio", "search_rare_p95_ratio"),
    ),
    "start to first 200 / Datasette": (
        ("start_duiding_ms", "start_datasette_ms"),
        ("start_ratio",),
    ),
    "/healthz / bare p50": (
        ("healthz_duiding_p50_ms", "healthz_bare_p50_ms"),
        ("healthz_p50_ratio",),
    ),
    "import s / sqlite3 .import s": (
        ("import_seconds", "sqlite3_import_seconds"),
        ("import_sqlite3_ratio",),
    ),
    "import s / \\copy s / \\copy + INSERT s": (
        ("import_seconds", "psql_copy_seconds", "psql_copy_insert_seconds"),
        ("import_copy_ratio", "import_copy_insert_ratio"),
    ),
    "server / Datasette peak MB": (("server_peak_mb", "datasette_peak_mb"), ()),
    "large report first / p50 / p95": (
        ("large_report_first_ms", "large_report_p50_ms", "large_report_p95_ms"),
        (),
    ),
    "at compare scale: scale, indicator p50 / Datasette p50 (growth Duiding, Datasette)": (
        ("compare_scale", "small_table_duiding_p50_ms", "small_table_datasette_p50_ms"),
        ("indicator_growth", "datasette_growth"),
    ),
}


def verdicts(result: dict) -> dict:
    """Compare each number of one engine with its target: met, not met or not available."""
    out = {}
    for key, (issue, target, check) in TARGETS.items():
        value = result.get(key, NOT_AVAILABLE)
        measured = isinstance(value, int | float)  # bool included: True/False are verdicts
        met = bool(check(value)) if measured else None
        out[key] = {"issue": issue, "target": target, "value": value, "met": met}
    return out


def _cell(result: dict, keys) -> str:
    if isinstance(keys, tuple):
        values = [result.get(k) for k in keys]
        if all(isinstance(v, int | float) for v in values):
            return " / ".join(str(v) for v in values)
        return NOT_AVAILABLE
    value = result.get(keys, NOT_AVAILABLE)
    if isinstance(value, bool):
        return "yes" if value else "NO"
    return str(value) if isinstance(value, int | float) else NOT_AVAILABLE


def _met(checks: dict) -> str:
    met = [k for k, v in checks.items() if v["met"]]
    missed = [k for k, v in checks.items() if v["met"] is False]
    return f"met {len(met)}/{len(checks)}; missed: {', '.join(missed) or 'none'}"


ENGINE_HEADING = "## Runs per engine"
ENGINE_INTRO = (
    "Appended by `make bench` (bench/run.py). Times in ms unless noted, measured by\n"
    "the client over loopback (an upper bound of the server-side time); `p50/p95`\n"
    "after one first visit of each page, on a server that has settled (`settled s`\n"
    "after its start, its warm-up done); `wall s` is the whole run, all engines.\n"
    "The targets of each number and the issue that sets it are in bench/results.py."
)
LOAD_INTRO = (
    "Appended by `make bench` (bench/scale.py, steps `load` and `during-import`).\n"
    "Stories are sent over reused keep-alive connections and counted in the\n"
    "database afterwards; `reset` counts requests that failed without an answer."
)


def _row(cells: list[str]) -> str:
    """One table row: a | inside a cell would split it, a newline end the row."""
    return f"| {' | '.join(' '.join(c.replace('|', '/').split()) for c in cells)} |\n"


def add_rows(heading: str, intro: str, header: list[str], rows: list[str], date: str) -> None:
    """Put ``rows`` at the end of the table headed ``header`` in bench/RESULTS.md, even
    when notes follow that table. When no table has this header (the columns changed,
    or the first run), a new table starts at the end of the file under ``heading``,
    or under ``heading`` and the date when an older table already has that heading:
    a row never lands under a header with other columns."""
    if not rows:
        return
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    lines = text.splitlines(keepends=True)
    header_line = _row(header)
    found = [n for n, line in enumerate(lines) if line == header_line]
    if found:
        at = found[-1] + 1  # the separator line
        while at + 1 < len(lines) and lines[at + 1].startswith("|"):
            at += 1
        lines[at + 1 : at + 1] = rows
    else:
        if heading in text:
            heading = f"{heading}, columns of {date}"
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        lines.append(f"\n{heading}\n\n{intro}\n\n{header_line}|{'---|' * len(header)}\n")
        lines.extend(rows)
    RESULTS.write_text("".join(lines))


def append(report: dict) -> None:
    """Add one dated row per engine to the engines' table of ``bench/RESULTS.md``."""
    header = ["date", "machine", "conditions", "engine", "scale", *COLUMNS, "wall s", "targets"]
    rows = []
    for engine, result in report["engines"].items():
        cells = [
            report["date"],
            report["machine"],
            report["conditions"],
            engine,
            str(report["scale"]),
            *(_cell(result, keys) for keys in COLUMNS.values()),
            str(report["total_seconds"]),
            _met(report["verdicts"].get(engine, {})) if "error" not in result else result["error"],
        ]
        rows.append(_row(cells))
    add_rows(ENGINE_HEADING, ENGINE_INTRO, header, rows, report["date"])


def _shown(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    return str(value) if isinstance(value, int | float) else NOT_AVAILABLE


def _peer_cell(result: dict, values: tuple[str, ...], ratios: tuple[str, ...]) -> str:
    """``ours / theirs (ratio x)``; "-" when the step measured none of it."""
    if all(result.get(key) is None for key in values + ratios):
        return "-"
    cell = " / ".join(_shown(result.get(key)) for key in values)
    shown = [f"{result[key]}x" for key in ratios if isinstance(result.get(key), int | float)]
    return f"{cell} ({', '.join(shown)})" if shown else cell


def append_peers(report: dict) -> None:
    """Add one row per engine that measured peers to the peers table."""
    header = ["date", "machine", "conditions", "engine", "scale", *PEER_COLUMNS, "targets"]
    rows = []
    for engine, result in report["engines"].items():
        cells = [_peer_cell(result, *keys) for keys in PEER_COLUMNS.values()]
        if "error" in result or all(cell == "-" for cell in cells):
            continue
        issue_23 = {
            k: v for k, v in report["verdicts"].get(engine, {}).items() if v["issue"] == "issue 23"
        }
        rows.append(
            _row(
                [
                    report["date"],
                    report["machine"],
                    report["conditions"],
                    engine,
                    str(report["scale"]),
                    *cells,
                    _met(issue_23),
                ]
            )
        )
    add_rows(PEERS_HEADING, PEERS_INTRO, header, rows, report["date"])


def _load_cell(result: dict, keys) -> str:
    keys = keys if isinstance(keys, tuple) else (keys,)
    values = [result.get(k) for k in keys]
    if all(v is None for v in values):
        return "-"
    shown = []
    for value in values:
        if isinstance(value, bool):
            shown.append("yes" if value else "NO")
        elif isinstance(value, dict):
            shown.append(" ".join(f"{k}:{v}" for k, v in value.items()) or "-")
        else:
            shown.append("-" if value is None else str(value))
    return " / ".join(shown)


def append_load(report: dict) -> None:
    """Add one row per engine that ran the load steps to the load table."""
    rows = []
    for engine, result in report["engines"].items():
        if not any(key.startswith(("load_", "during_import_")) for key in result):
            continue
        uptime = result.get("load_uptime") or result.get("during_import_uptime") or ""
        cells = [
            report["date"],
            report["machine"],
            uptime.split("load average:")[-1].strip() if uptime else "-",
            report["conditions"],
            engine,
            *(_load_cell(result, keys) for keys in LOAD_COLUMNS.values()),
        ]
        errors = [f"{k}: {v}" for k, v in result.items() if k.endswith("_error")]
        cells.append("; ".join(errors) or "-")
        rows.append(_row(cells))
    header = ["date", "machine", "load (uptime)", "conditions", "engine", *LOAD_COLUMNS, "errors"]
    add_rows(LOAD_HEADING, LOAD_INTRO, header, rows, report["date"])
