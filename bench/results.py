"""The benchmark's targets (each from the issue that names it) and ``bench/RESULTS.md``."""

from pathlib import Path

RESULTS = Path(__file__).parent / "RESULTS.md"
NOT_AVAILABLE = "not available"
WALL_TIME_LIMIT = 15 * 60

# result key: (issue, target as written, test)
TARGETS = {
    "import_ratio": ("issue 3", "<= 2x sqlite-utils", lambda v: v <= 2.0),
    "import_peak_mb": ("issue 3", "< 300 MB", lambda v: v < 300),
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


def append(report: dict) -> None:
    """Append one dated row per engine to ``bench/RESULTS.md`` (header on first use)."""
    header = ["date", "machine", "conditions", "engine", "scale", *COLUMNS, "wall s", "targets"]
    if not RESULTS.exists():
        RESULTS.write_text(
            "# Benchmark results\n\n"
            "Appended by `make bench` (bench/run.py). Times in ms unless noted, measured by\n"
            "the client over loopback (an upper bound of the server-side time); `p50/p95`\n"
            "after one first visit of each page; `wall s` is the whole run, all engines.\n"
            "Targets: import <= 2x sqlite-utils and < 300 MB (issue 3), indicator p95 <= 150,\n"
            "timeline p95 <= 300 (issue 5), search p95 <= 50 (repeated words, and each query\n"
            "new), report < 1000 (issue 8), 200\n"
            "concurrent stories each stored once (issue 4), whole run < 15 min (issue 10).\n"
            "`sqlite-utils insert --csv` commits every 100 rows (its default `--batch-size`),\n"
            "so on a disk with slow fsync its time, and with it the ratio, flatters the import.\n\n"
            f"| {' | '.join(header)} |\n|{'---|' * len(header)}\n"
        )
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
        rows.append(f"| {' | '.join(c.replace('|', '/') for c in cells)} |\n")
    with RESULTS.open("a") as handle:
        handle.writelines(rows)


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
    """Append one row per engine that ran the load steps to the load table."""
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
        cells = [" ".join(c.replace("|", "/").split()) for c in cells]  # one line each
        rows.append(f"| {' | '.join(cells)} |\n")
    if not rows:
        return
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if LOAD_HEADING not in text:
        header = ["date", "machine", "load (uptime)", "conditions", "engine", *LOAD_COLUMNS]
        header.append("errors")
        text += (
            f"\n{LOAD_HEADING}\n\n"
            "Appended by `make bench` (bench/scale.py, steps `load` and `during-import`).\n"
            "Stories are sent over reused keep-alive connections and counted in the\n"
            "database afterwards; `reset` counts requests that failed without an answer.\n\n"
            f"| {' | '.join(header)} |\n|{'---|' * len(header)}\n"
        )
    # Below the table's last row (notes may follow the table).
    lines = text.splitlines(keepends=True)
    at = next(n for n, line in enumerate(lines) if line.startswith(LOAD_HEADING))
    while at + 1 < len(lines) and not lines[at + 1].startswith("|"):
        at += 1
    while at + 1 < len(lines) and lines[at + 1].startswith("|"):
        at += 1
    RESULTS.write_text("".join(lines[: at + 1] + rows + lines[at + 1 :]))
