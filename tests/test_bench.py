"""The benchmark's own arithmetic: percentiles, verdicts, the results row, the cache key.

The benchmark runs for minutes and only with ``make bench``; these parts decide what
it reports, so they are checked here where a mistake costs seconds.
"""

from collections import Counter

from bench import databases, results
from bench.load import Sample


def test_percentiles_of_answered_pages():
    sample = Sample(timings=[float(n) for n in range(101)], cold=[500.0, 700.0])
    sample.statuses[200] = 103

    summary = sample.summary("home")

    assert summary["home_p50_ms"] == 50.0
    assert summary["home_p95_ms"] == 95.0
    assert summary["home_first_visit_ms"] == 600.0
    assert summary["home_samples"] == 101


def test_a_page_that_redirects_or_times_out_is_not_available():
    sample = Sample(timings=[10.0, 12.0], cold=[10.0], statuses=Counter({200: 2, 303: 1, 0: 1}))

    assert sample.summary("search") == {
        "search_p95_ms": "not available (HTTP timeout x1, 200 x2, 303 x1)"
    }


def test_verdicts_compare_with_the_targets():
    checks = results.verdicts(
        {
            "import_ratio": 2.5,
            "import_peak_mb": 120.0,
            "indicator_p95_ms": 150.0,
            "search_p95_ms": "not available (HTTP 303 x1)",
            "submissions_burst_once": False,
        }
    )

    assert checks["import_ratio"]["met"] is False
    assert checks["import_peak_mb"]["met"] is True
    assert checks["indicator_p95_ms"]["met"] is True  # "at most 150 ms"
    assert checks["search_p95_ms"]["met"] is None
    assert checks["timeline_p95_ms"] == {
        "issue": "issue 5",
        "target": "<= 300 ms",
        "value": results.NOT_AVAILABLE,
        "met": None,
    }
    assert checks["submissions_burst_once"]["met"] is False


def test_results_row_per_engine(tmp_path, monkeypatch):
    monkeypatch.setattr(results, "RESULTS", tmp_path / "RESULTS.md")
    measured = {"import_ratio": 1.2, "home_p50_ms": 10.0, "home_p95_ms": 20.0}
    report = {
        "date": "2026-11-23 17:00 UTC",
        "machine": "2 cores",
        "conditions": "busy | shared",
        "scale": 1.0,
        "total_seconds": 600.0,
        "engines": {"sqlite": measured, "postgresql": {"error": "not available (no server)"}},
        "verdicts": {"sqlite": results.verdicts(measured)},
    }

    results.append(report)
    results.append(report)

    lines = (tmp_path / "RESULTS.md").read_text().splitlines()
    rows = [line for line in lines if line.startswith("| 2026")]
    assert len(rows) == 4
    assert sum(line.startswith("| date |") for line in lines) == 1
    sqlite = rows[0].split(" | ")
    assert "busy / shared" in sqlite  # a | in a cell would break the table
    assert "10.0 / 20.0" in sqlite
    assert rows[0].endswith("missed: none |")
    assert rows[1].endswith("not available (no server) |")


def test_the_dataset_cache_key_follows_the_scale():
    assert databases.dataset_key(1.0) == databases.dataset_key(1.0)
    assert databases.dataset_key(1.0) != databases.dataset_key(0.5)
