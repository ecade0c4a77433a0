"""The half-year report's section on experiments: what was tried where, and decided why.

An experiment belongs to a half year when it started, was reviewed or was decided in
it; the section shows its hypothesis, where it ran, what its figures did in the pilot
and comparison districts, and each decision with its reason, so that a council member
can read months later why something was scaled or stopped.
"""

from sqlmodel import Session, col, func, or_, select

from app.config import get_settings
from app.experiments import evidence, experiments
from app.figures.periods import Period
from app.models import (
    Experiment,
    ExperimentDecision,
    ExperimentTheme,
    Narrative,
    NarrativeStatus,
    ReflectionSession,
    SessionExperiment,
    Theme,
)
from app.reports.content import ExperimentDecisionPart, ExperimentFigure, ExperimentPart


def experiments_in_half(*, session: Session, theme: Theme, half: Period) -> list[ExperimentPart]:
    """The experiments of ``theme`` started, reviewed or decided within ``half``."""
    decided = select(ExperimentDecision.experiment_id).where(
        col(ExperimentDecision.decided_on).between(half.start, half.end)
    )
    reviewed = (
        select(SessionExperiment.experiment_id)
        .join(ReflectionSession)
        .where(col(ReflectionSession.held_on).between(half.start, half.end))
    )
    rows = session.exec(
        select(Experiment)
        .join(ExperimentTheme)
        .where(
            ExperimentTheme.theme_id == theme.id,
            or_(
                col(Experiment.starts_on).between(half.start, half.end),
                col(Experiment.id).in_(decided),
                col(Experiment.id).in_(reviewed),
            ),
        )
        .order_by(col(Experiment.starts_on))
    ).all()
    return [_part(session, row, half) for row in rows]


def _part(session: Session, experiment: Experiment, half: Period) -> ExperimentPart:
    seen = experiments.view(session=session, experiment=experiment)
    # The report is a publication (anonymous readers too): no change of means that
    # subtraction could turn back into a hidden small number.
    threshold = get_settings().small_numbers_threshold
    figures = evidence.comparisons(session=session, seen=seen, until=half.end, threshold=threshold)
    pilot_ids = [area.id for area in seen.pilots]
    names = {area.code: area.name for area in seen.pilots}
    stories = (
        session.exec(
            select(func.count())
            .select_from(Narrative)
            .where(
                Narrative.status == NarrativeStatus.published,
                col(Narrative.area_id).in_(pilot_ids),
                col(Narrative.occurred_on).between(experiment.starts_on, half.end),
            )
        ).one()
        if pilot_ids
        else 0
    )
    return ExperimentPart(
        id=experiment.id or 0,
        title=experiment.title,
        hypothesis=experiment.hypothesis,
        status=experiment.status,
        starts_on=experiment.starts_on,
        pilots=[area.name for area in seen.pilots],
        comparisons=[area.name for area in seen.comparisons],
        figures=[
            ExperimentFigure(
                name=figure.indicator.name,
                direction=figure.direction,
                pilot_change=figure.pilot_change,
                comparison_change=figure.comparison_change,
            )
            for figure in figures
        ],
        stories=stories,
        sessions=[
            f"{reflection.title} ({reflection.held_on.isoformat()})"
            for reflection in seen.sessions
            if half.start <= reflection.held_on <= half.end
        ],
        decisions=[
            ExperimentDecisionPart(
                decision=decision.decision,
                day=decision.decided_on,
                reason=decision.reason,
                areas=[names.get(code, code) for code in decision.areas],
            )
            for decision in seen.decisions
            if half.start <= decision.decided_on <= half.end
        ],
    )
