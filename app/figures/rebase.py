"""Rebasing: computing usual variation again from the period where a change has lasted.

A shift or trend that goes on for a year is no longer a signal to explain but a new
normal. Duiding never decides that by itself: the indicator page offers editors
"compute usual variation again from <period>" where a run of special cause with a
shift or trend has lasted ``LASTING`` or more points in one segment, and the editor
states why. The rebase is a break (``IndicatorBreak``) with that reason as its note,
recorded in the audit log; charts draw the mean and limits as a step at it.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, func, select

from app import audit
from app.figures.explained import SignalRun
from app.figures.periods import Period, PeriodError, parse_period
from app.i18n import N_
from app.models import Indicator, IndicatorBreak, Observation, User, utcnow
from app.problems import Invalid

#: How many points a shift or trend must have lasted before a rebase is offered.
LASTING = 12
#: The rules that say a change lasts (a point outside the limits can be a one-off).
LASTING_RULES = ("shift", "trend")
REASON_LENGTH = 500

NO_REASON = N_("Say why usual variation should be computed again from this period.")
NO_DATA = N_("There is no value for %(period)s; choose a period with data.")
ALREADY = N_("Usual variation is already computed again from %(period)s.")


@dataclass(frozen=True)
class RebaseOffer:
    """Where an editor may start a new segment: the first period of a lasting change."""

    period: Period
    run: SignalRun


def rebase_offers(runs: Sequence[SignalRun], starts: Sequence[date]) -> list[RebaseOffer]:
    """The lasting changes among ``runs`` (each within one segment), except those that
    begin where a segment already starts (``starts``: the series' first period and its
    breaks): usual variation is computed anew there already."""
    return [
        RebaseOffer(run.first, run)
        for run in runs
        if len(run.periods) >= LASTING
        and any(rule in LASTING_RULES for rule in run.rules)
        and run.first.start not in starts
    ]


def segment_starts(
    session: Session, indicator: Indicator, area_id: int | None, breaks: Sequence[date]
) -> list[date]:
    """Where the segments of a figure's series start: its first period and its breaks."""
    first = session.exec(
        select(func.min(Observation.period_start)).where(
            Observation.indicator_id == indicator.id,
            col(Observation.area_id).is_(None)
            if area_id is None
            else Observation.area_id == area_id,
        )
    ).one()
    return [*([first] if first else []), *breaks]


def rebase(
    *, session: Session, indicator: Indicator, period: str, reason: str, user: User | None
) -> IndicatorBreak:
    """Start a new segment at ``period`` with ``reason`` as its note; Invalid (nothing
    stored) without a reason, at a period without data or where a break already is."""
    problems = []
    reason = reason.strip()
    if not reason:
        problems.append(Invalid.at("reason", NO_REASON))
    elif len(reason) > REASON_LENGTH:
        problems.append(
            Invalid.at("reason", N_("Use at most %(count)s characters."), count=REASON_LENGTH)
        )
    start: Period | None = None
    try:
        start = parse_period(period.strip(), indicator.frequency)
    except PeriodError as error:
        problems.append(error.at("period"))
    if start is not None:
        has_data = session.exec(
            select(Observation.id).where(
                Observation.indicator_id == indicator.id, Observation.period_start == start.start
            )
        ).first()
        taken = session.exec(
            select(IndicatorBreak.id).where(
                IndicatorBreak.indicator_id == indicator.id,
                IndicatorBreak.starts_on == start.start,
            )
        ).first()
        if has_data is None:
            problems.append(Invalid.at("period", NO_DATA, period=start.label))
        elif taken is not None:
            problems.append(Invalid.at("period", ALREADY, period=start.label))
    if problems:
        raise Invalid(*(error for problem in problems for error in problem.errors))
    assert start is not None
    made = IndicatorBreak(indicator_id=indicator.id, starts_on=start.start, note=reason)
    session.add(made)
    indicator.updated_at = utcnow()
    session.add(indicator)
    session.flush()
    audit.record(
        session=session,
        action="rebase",
        entity="indicator",
        entity_id=indicator.slug,
        user=user,
        detail={"period": start.label, "reason": reason},
    )
    return made
