"""The data versions: cheap values that change whenever anything a signal, or the
stories beside a figure, depend on changes, and per-process memos that hold only while
their version holds.

Signals (and so charts, the dashboard's unexplained signals and the half-year report's
figures) need whole series, which are expensive to read and compute; the version is read
in a handful of small queries (ids only grow; the small tables in full), so a cache can
ask it on every request and recompute only after a change. The stories version is one
counter that the database raises with every change to a story or its links.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, func, select

from app.db import engine_of
from app.models import (
    Area,
    ContextEvent,
    ContextEventArea,
    ContextEventIndicator,
    ContextEventTheme,
    DataVersion,
    Indicator,
    IndicatorBreak,
    IndicatorTheme,
    Observation,
    ObservationImport,
    ObservationRemoved,
    ObservationRevision,
)

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
_MISSING = object()


def _plain(rows: Iterable[Any]) -> tuple[tuple, ...]:
    """Rows as plain tuples: a version is compared on every memo lookup (dozens a page),
    and comparing SQLAlchemy rows runs Python code per row (0.8 ms for the 400 rows of a
    200-indicator version; plain tuples compare in C)."""
    return tuple(tuple(row) for row in rows)


def signals_version(session: Session) -> tuple:
    """Everything signals depend on: observations, their revisions and removals,
    indicator settings, breaks, break events and what they touch."""
    return (
        # A changed value leaves a revision, a deleted one a row in observation_removed
        # (and deleting an indicator shows in the indicator list below).
        # Every row's id, an import's hidden ones too (its id index answers at once;
        # the visibility rule would read the whole table), and the imports' state,
        # which says when those rows become visible.
        session.execute(select(func.max(Observation.__table__.c.id))).scalar(),  # type: ignore[attr-defined]
        tuple(
            session.execute(
                select(
                    func.max(ObservationImport.id), func.count(col(ObservationImport.committed_at))
                )
            ).one()
        ),
        session.exec(select(func.max(ObservationRevision.id))).one(),
        session.exec(select(func.max(ObservationRemoved.id))).one(),
        _plain(
            session.exec(
                # sqlmodel types select() for at most four columns
                select(  # type: ignore[call-overload]
                    col(Indicator.id),
                    col(Indicator.frequency),
                    col(Indicator.direction),
                    col(Indicator.screen_outliers),
                    col(Indicator.baseline_points),
                ).order_by(col(Indicator.id))
            ).all()
        ),
        _plain(
            session.exec(
                select(col(IndicatorBreak.indicator_id), col(IndicatorBreak.starts_on)).order_by(
                    col(IndicatorBreak.indicator_id), col(IndicatorBreak.starts_on)
                )
            ).all()
        ),
        _plain(
            session.exec(
                select(col(ContextEvent.id), col(ContextEvent.starts_on))
                .where(col(ContextEvent.is_break).is_(True))
                .order_by(col(ContextEvent.id))
            ).all()
        ),
        *(
            _plain(
                session.exec(
                    select(col(table.event_id), col(column)).order_by(
                        col(table.event_id), col(column)
                    )
                )
            )
            for table, column in (
                (ContextEventTheme, ContextEventTheme.theme_id),
                (ContextEventIndicator, ContextEventIndicator.indicator_id),
                (ContextEventArea, ContextEventArea.area_id),
            )
        ),
        _plain(session.exec(select(IndicatorTheme.indicator_id, IndicatorTheme.theme_id)).all()),
    )


def stories_version(session: Session) -> int:
    """How many changes stories and their links to themes and indicators have seen
    (raised by the triggers of migration 0020 in the changing transaction itself)."""
    found = session.exec(select(DataVersion.value).where(DataVersion.name == "stories")).first()
    return found or 0


#: session.info keys of the versions read in the session's current transaction.
_READ = "duiding.versions"


def _once_per_transaction(session: Session, read: Callable[[Session], T]) -> T:
    """``read(session)`` once per transaction of ``session``: a flush, commit, rollback
    or new transaction forgets it, so a session that writes, or reads again later,
    asks anew."""
    found = session.info.setdefault(_READ, {})
    if read not in found:
        found[read] = read(session)
    return found[read]


def current_version(session: Session) -> tuple:
    """``signals_version`` read once per transaction of ``session``: a page asks for
    the version of every series it shows (an indicator page seven, its provisional
    values seven more), and one read of the handful of small queries serves them all."""
    return _once_per_transaction(session, signals_version)


def areas_version(session: Session) -> tuple:
    """The areas and their places in the hierarchy: what secondary suppression decides
    by beside the values (app/figures/suppression.py), so that moving a district or
    neighbourhood elsewhere masks anew."""
    return _plain(
        session.exec(
            select(col(Area.id), col(Area.code), col(Area.kind), col(Area.parent_id)).order_by(
                col(Area.id)
            )
        ).all()
    )


def masking_version(session: Session) -> tuple:
    """The version of district values as a masked reader sees them: the figures' and the
    areas', each read once per transaction."""
    return current_version(session), _once_per_transaction(session, areas_version)


def current_stories_version(session: Session) -> int:
    """``stories_version`` read once per transaction of ``session``: a page asks for it
    for every kind of link it reads stories by."""
    return _once_per_transaction(session, stories_version)


def _forget_version(session: Any, *_: Any) -> None:
    session.info.pop(_READ, None)


for _event in ("after_begin", "after_flush", "after_commit", "after_rollback"):
    event.listen(OrmSession, _event, _forget_version)


class PerVersion:
    """A per-process memo of things computed from the data, per database and scope
    (say a half year and a language), each valid for one data version: by default the
    figures' (``current_version``), or the one ``version`` reads.

    ``entries(session, scope)`` gives the dictionary of that scope for the data as it is
    now: the one kept earlier when the version is unchanged, else a new, empty one (the
    old entries are dropped, never served). At most ``keep`` scopes are kept, the least
    recently asked for make way; with ``size`` a scope keeps at most that many entries
    of ``remember`` (the oldest make way), for scopes keyed by series.

    The version is read before anything is computed, so a value computed from newer
    data than its version is at worst recomputed, never served after a change.
    """

    def __init__(
        self,
        keep: int,
        size: int | None = None,
        version: Callable[[Session], Hashable] = current_version,
    ) -> None:
        self.keep = keep
        self.size = size
        self.version = version
        self._scopes: OrderedDict[Hashable, tuple[Hashable, dict[Hashable, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def entries(self, session: Session, scope: Hashable) -> dict[Hashable, Any]:
        key = (str(engine_of(session).url), scope)
        version = self.version(session)
        with self._lock:
            found = self._scopes.get(key)
            if found is None or found[0] != version:
                found = (version, {})
                self._scopes[key] = found
            self._scopes.move_to_end(key)
            while len(self._scopes) > self.keep:
                self._scopes.popitem(last=False)
            return found[1]

    def remember(
        self, session: Session, scope: Hashable, key: Hashable, compute: Callable[[], T]
    ) -> T:
        """The value of ``key`` in ``scope`` for the data as it is now, computed once."""
        return self.remember_each(session, scope, [key], lambda _: {key: compute()})[key]

    def remember_each(
        self,
        session: Session,
        scope: Hashable,
        keys: Iterable[K],
        compute: Callable[[list[K]], dict[K, T]],
    ) -> dict[K, T]:
        """The values of ``keys`` in ``scope`` for the data as it is now; those not kept
        yet are computed together, ``compute(missing)`` giving a value for each."""
        entries = self.entries(session, scope)
        wanted = list(keys)
        found = {}
        for key in wanted:
            value = entries.get(key, _MISSING)  # one read: another thread may trim
            if value is not _MISSING:
                found[key] = value
        missing = [key for key in wanted if key not in found]
        if missing:
            computed = compute(missing)
            found |= computed
            with self._lock:
                entries.update(computed.items())
                while self.size is not None and len(entries) > self.size:
                    entries.pop(next(iter(entries)))
        return found
