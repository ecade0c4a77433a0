"""The API answers of ideas and experiments, built from the views their pages use."""

from datetime import date

from app.experiments.experiments import ExperimentView, review_overdue
from app.experiments.ideas import IdeaView
from app.models import (
    DecisionPublic,
    ExperimentDecision,
    ExperimentIndicatorIn,
    ExperimentPublic,
    IdeaObjectionPublic,
    IdeaPublic,
    IdeaScorePublic,
    IdeaStepPublic,
)


def idea_public(seen: IdeaView) -> IdeaPublic:
    """An idea as the API shows it to staff."""
    idea = seen.idea
    return IdeaPublic(
        id=idea.id or 0,
        title=idea.title,
        description=idea.description,
        problem=idea.problem,
        target_group=idea.target_group,
        state=idea.state,
        proposer_role=idea.proposer_role,
        partner=idea.partner_id,
        themes=[theme.slug for theme in seen.themes],
        areas=[area.code for area in seen.areas],
        created_at=idea.created_at,
        steps=[IdeaStepPublic(state=s.state, reason=s.reason, at=s.at) for s in seen.steps],
        scores=[
            IdeaScorePublic(criterion=c.name, score=s.score, comment=s.comment)
            for c, s in seen.scores
        ],
        objections=[
            IdeaObjectionPublic(
                id=o.id or 0, objection=o.objection, resolution=o.resolution, raised_by=o.raised_by
            )
            for o in seen.objections
        ],
    )


def decision_public(decision: ExperimentDecision) -> DecisionPublic:
    return DecisionPublic(
        id=decision.id or 0,
        decision=decision.decision,
        reason=decision.reason,
        decided_on=decision.decided_on,
        session=decision.session_id,
        areas=decision.areas,
        review_on=decision.review_on,
        previous_hypothesis=decision.previous_hypothesis,
        hypothesis=decision.hypothesis,
    )


def experiment_public(seen: ExperimentView, today: date) -> ExperimentPublic:
    """An experiment as the API shows it."""
    experiment = seen.experiment
    return ExperimentPublic(
        id=experiment.id or 0,
        title=experiment.title,
        hypothesis=experiment.hypothesis,
        target_group=experiment.target_group,
        behaviour_change=experiment.behaviour_change,
        prepared_for_success=experiment.prepared_for_success,
        idea=experiment.idea_id,
        learning_question=experiment.learning_question_id,
        story_request=experiment.story_request_id,
        themes=[theme.slug for theme in seen.themes],
        areas=[area.code for area in seen.pilots],
        comparison_areas=[area.code for area in seen.comparisons],
        starts_on=experiment.starts_on,
        review_on=experiment.review_on,
        indicators=[
            ExperimentIndicatorIn(slug=indicator.slug, direction=link.direction)
            for indicator, link in seen.indicators
        ],
        status=experiment.status,
        review_overdue=review_overdue(experiment, today),
        sessions=[reflection.id or 0 for reflection in seen.sessions],
        decisions=[decision_public(decision) for decision in seen.decisions],
    )
