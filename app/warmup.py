"""Warm up, in the background, what the first pages after a start would otherwise load
lazily: the translation catalogs, the chart layouts of the one chart builder, the queries
of the indicator page and the timeline, and the figures of the latest half-year reports
(kept per data version) with their charts in the instance's language (rendered only when
the chart store in the data folder does not hold them yet, so vl-convert's child process,
app/figures/renderer.py, starts only then).

``duiding serve`` answers as soon as it is up; this runs in a daemon thread beside it,
so the start itself is not slower, and the first visitor of ``/indicators/{slug}``,
``/timeline`` or a half-year report no longer pays for it (bench/run.py measures the
time to first page after a start). A step that fails is logged and skipped: warming up
never stops the server. Set DUIDING_WARM_UP=false to leave it out (the tests do).
"""

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable

from sqlalchemy import func
from sqlmodel import Session, col, select

log = logging.getLogger("duiding")

#: Indicators of the timeline shown when none are chosen (MAX_PANELS, app/figures/timeline_page.py).
TIMELINE_PANELS = 6


def enabled() -> bool:
    return os.environ.get("DUIDING_WARM_UP", "true").lower() not in ("0", "false", "no")


def _translations() -> None:
    from app.i18n import translations

    for lang in ("nl", "en"):
        translations(lang)


def _pages(session: Session) -> None:
    """The indicator page and timeline queries, and their charts in both languages."""
    from app.figures.context import indicator_context, timeline
    from app.figures.page_charts import chart_parts
    from app.models import Indicator

    indicators = list(
        session.exec(select(Indicator).order_by(col(Indicator.name)).limit(TIMELINE_PANELS))
    )
    if not indicators:
        return
    for lang in ("nl", "en"):
        chart_parts(indicator_context(session=session, indicator=indicators[0]), lang)
        result = timeline(session=session, indicators=indicators)
        days = [row.period.start for panel in result.panels for row in panel.rows]
        shared = (min(days), max(days)) if days else None
        for panel in result.panels:
            chart_parts(panel, lang, small=True)  # the indicator page's related charts
            chart_parts(panel, lang, small=True, domain=shared)  # the timeline's panels


def _reports(session: Session) -> None:
    """The latest two half-year reports, so that their figures are computed and their
    charts rendered before anyone asks: in the default language, which most readers
    read; the first reader of the other language finds the figures computed and waits
    only for their charts to be rendered (once per data version, then kept on disk)."""
    from app.config import get_settings
    from app.models import Observation
    from app.reports.build import half_year
    from app.reports.service import live_report

    latest = session.exec(select(func.max(Observation.period_start))).one()
    if latest is None:
        return
    year, half = latest.year, 1 if latest.month <= 6 else 2
    lang = get_settings().default_language
    for _ in range(2):
        live_report(session=session, half=half_year(f"{year}-H{half}"), lang=lang)
        year, half = (year, 1) if half == 2 else (year - 1, 2)


def warm_up(
    first: Iterable[Callable[[], object]] = (), last: Iterable[Callable[[], object]] = ()
) -> None:
    """Run every step: ``first`` and ``last`` are the web layer's own (compiling
    templates; the browser's Vega bundle), before and after the pages' data."""
    from app.db import get_engine

    started = time.monotonic()
    for step in (_translations, *first):
        _run(step)
    try:
        with Session(get_engine()) as session:
            _run(lambda: _pages(session))
            session.rollback()  # read only; end the transaction between steps
            _run(lambda: _reports(session))
            session.rollback()
    except Exception:
        log.exception("warm-up could not open the database")
    for step in last:
        _run(step)
    log.info("warmed up in %.1f s", time.monotonic() - started)


def _run(step: Callable[[], object]) -> None:
    try:
        step()
    except Exception:
        log.exception("warm-up step %s failed", getattr(step, "__name__", step))


def start_warm_up(
    first: Iterable[Callable[[], object]] = (), last: Iterable[Callable[[], object]] = ()
) -> threading.Thread | None:
    """Warm up in a daemon thread; returns at once (None when turned off)."""
    if not enabled():
        return None
    thread = threading.Thread(
        target=warm_up, args=(list(first), list(last)), name="warm-up", daemon=True
    )
    thread.start()
    return thread
