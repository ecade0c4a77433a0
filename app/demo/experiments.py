"""Wadderveen's portfolio: ideas in every state and four experiments with their reviews.

One experiment was scaled to two more districts, one adjusted, one stopped and one is
still running. The pilots that worked leave a trace in their districts' figures (a
modest, lasting change from their start), so a review has something real to compare.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlmodel import Session, col, select, update

from app.demo.figures import Figures
from app.demo.municipality import Skeleton
from app.experiments.experiments import decide
from app.models import (
    Area,
    AreaRole,
    AuthorRole,
    DecisionCreate,
    DecisionKind,
    Direction,
    Experiment,
    ExperimentArea,
    ExperimentIndicator,
    ExperimentStatus,
    ExperimentTheme,
    Idea,
    IdeaArea,
    IdeaObjection,
    IdeaScore,
    IdeaState,
    IdeaStep,
    IdeaTheme,
    Observation,
    PortfolioLimit,
    ReflectionSession,
    SessionIndicator,
    User,
    WeighingCriterion,
)

CRITERIA = [
    ("Bijdrage aan het eindbeeld", "Helpt het de beweging die het thema wil zien?"),
    ("Kosten", "Wat kost de proef, en wat kost het als het werkt? (5 = goedkoop)"),
    ("Uitvoeringscapaciteit", "Is er iemand die het kan doen, nu en bij succes?"),
    ("Risico", "Wat kan er misgaan voor inwoners? (5 = weinig risico)"),
]


@dataclass(frozen=True)
class IdeaSpec:
    title: str
    description: str
    problem: str
    target_group: str
    partner: str | None
    theme: str
    district: str
    proposed_on: date
    steps: tuple[tuple[IdeaState, date, str], ...]
    scores: tuple[int, ...] = ()
    objections: tuple[tuple[str, str], ...] = ()


IDEAS = [
    IdeaSpec(
        "Inloopspreekuur geldzaken bij de Voedselbank",
        "Elke donderdagochtend zit een schuldhulpverlener bij de uitgifte van de "
        "Voedselbank. Mensen kunnen zonder afspraak met hun post langskomen.",
        "Mensen melden zich pas als de schuld al groot is; de drempel van een afspraak "
        "op het gemeentehuis is hoog.",
        "Klanten van de Voedselbank",
        "Voedselbank Wadderveen",
        "schulden",
        "Stationskwartier",
        date(2025, 4, 3),
        (
            (IdeaState.weighed, date(2025, 5, 13), "Besproken in de reflectiesessie schulden."),
            (
                IdeaState.chosen,
                date(2025, 6, 10),
                "Goed genoeg voor nu, veilig genoeg om te proberen: een half jaar in "
                "Stationskwartier, daarna kijken we samen met de Voedselbank.",
            ),
        ),
        (5, 4, 3, 5),
        (
            (
                "Klanten voelen zich bekeken als de gemeente bij de uitgifte zit.",
                "De hulpverlener zit in een aparte ruimte en draagt geen gemeentelogo.",
            ),
        ),
    ),
    IdeaSpec(
        "Lichte hulp via de basisschool",
        "Een jeugdprofessional van het wijkteam houdt spreekuur op de basisscholen, "
        "zodat leerkrachten zorgen direct kunnen bespreken.",
        "Kinderen komen pas in beeld als de zorg zwaar is en er een wachtlijst is.",
        "Gezinnen met kinderen op de basisschool",
        "Jeugdhulp Noord",
        "jeugd",
        "Noorderpark",
        date(2023, 9, 20),
        (
            (IdeaState.weighed, date(2023, 11, 7), "Gewogen op de vier criteria."),
            (
                IdeaState.chosen,
                date(2023, 11, 28),
                "Gekozen om te proberen in Noorderpark, met Weideveld als vergelijking.",
            ),
        ),
        (5, 3, 4, 4),
    ),
    IdeaSpec(
        "Buurtmaaltijd voor alleenstaande ouderen",
        "Eens per week koken vrijwilligers in het buurthuis voor ouderen die alleen wonen.",
        "Eenzaamheid onder ouderen blijft buiten beeld tot er een Wmo-aanvraag komt.",
        "Alleenwonende ouderen",
        "Welzijn Wadderveen",
        "ondersteuning-thuis",
        "Esch",
        date(2025, 8, 14),
        ((IdeaState.weighed, date(2025, 10, 21), "Gewogen; een bezwaar staat nog open."),),
        (4, 4, 2, 5),
        (("Wie kookt er als de vrijwilligers op vakantie zijn?", ""),),
    ),
    IdeaSpec(
        "Energiecoaches aan huis",
        "Vrijwillige energiecoaches helpen huishoudens hun rekening te verlagen.",
        "Hoge energierekeningen leiden tot betalingsachterstanden.",
        "Huishoudens met een laag inkomen",
        "Woonstichting De Vliet",
        "schulden",
        "Kanaalzone",
        date(2024, 11, 5),
        (
            (
                IdeaState.parked,
                date(2025, 1, 28),
                "Geparkeerd tot de evaluatie van de energietoeslag er is; dan wegen we het "
                "opnieuw.",
            ),
        ),
    ),
    IdeaSpec(
        "Gratis openbaar vervoer voor werkzoekenden",
        "Werkzoekenden in de bijstand reizen gratis met bus en trein.",
        "Reiskosten houden mensen tegen om te solliciteren.",
        "Werkzoekenden in de bijstand",
        None,
        "werk-en-inkomen",
        "Buitengebied",
        date(2025, 2, 11),
        (
            (
                IdeaState.declined,
                date(2025, 5, 13),
                "Geen klein experiment en buiten ons budget; doorgegeven aan de regio, "
                "die het ov-contract beheert.",
            ),
        ),
    ),
    IdeaSpec(
        "Taalmaatje voor nieuwkomers",
        "Vrijwilligers oefenen wekelijks Nederlands met nieuwkomers, bij hen thuis.",
        "Nieuwkomers komen moeilijk aan werk zonder taal.",
        "Statushouders",
        "Bibliotheek Wadderveen",
        "werk-en-inkomen",
        "Vlietland",
        date(2025, 11, 18),
        (),
    ),
]


@dataclass(frozen=True)
class ExperimentSpec:
    title: str
    hypothesis: str
    idea: str | None
    theme: str
    pilots: tuple[str, ...]
    comparisons: tuple[str, ...]
    figures: tuple[tuple[str, Direction], ...]
    starts_on: date
    review_on: date
    behaviour_change: str
    prepared_for_success: str
    effect: float  # lasting relative change of the pilots' first figure from the start
    decisions: tuple[tuple[DecisionKind, date, str, tuple[str, ...], str, date | None], ...] = ()
    target_group: str = ""


EXPERIMENTS = [
    ExperimentSpec(
        "Lichte hulp via de basisschool in Noorderpark",
        "Als een jeugdprofessional spreekuur houdt op de basisscholen in Noorderpark, "
        "verwachten we meer lichte ondersteuning en op termijn minder zware trajecten, "
        "omdat zorgen eerder besproken worden.",
        "Lichte hulp via de basisschool",
        "jeugd",
        ("Noorderpark",),
        ("Weideveld",),
        (
            ("inzet-lichte-ondersteuning", Direction.up),
            ("lopende-jeugdhulptrajecten", Direction.down),
        ),
        date(2024, 1, 1),
        date(2024, 6, 1),
        "Leerkrachten bespreken zorgen met de jeugdprofessional in plaats van door te "
        "verwijzen naar de huisarts.",
        "Het wijkteam neemt het over in de scholen die meedoen: 0,4 fte per school, "
        "begroot in de Kadernota 2025.",
        0.12,
        (
            (
                DecisionKind.scale,
                date(2024, 6, 11),
                "Lichte ondersteuning steeg in Noorderpark duidelijk meer dan in Weideveld; "
                "scholen en ouders zijn positief. Opschalen naar twee wijken met de langste "
                "wachtlijst.",
                ("Molenwijk", "Het Broek"),
                "",
                None,
            ),
        ),
        target_group="Gezinnen met kinderen op de basisschool",
    ),
    ExperimentSpec(
        "Keukentafelgesprek door de welzijnscoach",
        "Als de welzijnscoach het eerste keukentafelgesprek voert, verwachten we minder "
        "Wmo-aanvragen, omdat inwoners eerder een oplossing in hun eigen netwerk vinden.",
        None,
        "ondersteuning-thuis",
        ("De Hoven",),
        ("Oud-Zuid",),
        (("aanvragen-wmo", Direction.down),),
        date(2024, 3, 1),
        date(2024, 12, 1),
        "Consulenten laten het eerste gesprek aan de welzijnscoach.",
        "Welzijn Wadderveen zet twee coaches in; het budget loopt via de subsidie 2025-2026.",
        -0.04,
        (
            (
                DecisionKind.adjust,
                date(2025, 1, 28),
                "Het aantal aanvragen daalde nauwelijks; coaches zagen vooral mantelzorgers "
                "die overbelast waren. We richten ons nu op hen.",
                (),
                "Als de welzijnscoach het eerste gesprek voert met overbelaste mantelzorgers, "
                "verwachten we minder Wmo-aanvragen voor hun naasten, omdat de mantelzorger "
                "eerder ontlast wordt.",
                date(2026, 2, 1),
            ),
        ),
    ),
    ExperimentSpec(
        "Leerwerkplekken bij de woningcorporatie",
        "Als Woonstichting De Vliet leerwerkplekken biedt aan bijstandsgerechtigden in "
        "Kanaalzone, verwachten we minder huishoudens in de bijstand, omdat werkervaring "
        "de stap naar betaald werk kleiner maakt.",
        None,
        "werk-en-inkomen",
        ("Kanaalzone",),
        ("Vlietland",),
        (("huishoudens-bijstand", Direction.down),),
        date(2024, 6, 1),
        date(2025, 5, 1),
        "Het werkgeversteam bemiddelt naar De Vliet in plaats van naar uitzendbureaus.",
        "De Vliet houdt de plekken aan als het werkt; de begeleiding betaalt de gemeente.",
        0.0,
        (
            (
                DecisionKind.stop,
                date(2025, 5, 13),
                "Er kwamen maar vier kandidaten; de plekken sloten niet aan bij wie in de "
                "bijstand zit. We stoppen en nemen de les mee naar het werkgeversteam.",
                (),
                "",
                None,
            ),
        ),
    ),
    ExperimentSpec(
        "Inloopspreekuur geldzaken bij de Voedselbank",
        "Als er elke week een schuldhulpverlener bij de Voedselbank zit, verwachten we "
        "meer en eerdere aanmeldingen bij schuldhulp uit Stationskwartier, omdat de "
        "drempel lager is.",
        "Inloopspreekuur geldzaken bij de Voedselbank",
        "schulden",
        ("Stationskwartier",),
        ("Centrum",),
        (("aanmeldingen-schuldhulp", Direction.up),),
        date(2025, 9, 1),
        date(2026, 3, 1),
        "Vrijwilligers van de Voedselbank verwijzen klanten met post direct door.",
        "Schuldhulp Wadderveen houdt het spreekuur aan bij succes: 8 uur per week, binnen "
        "de bestaande formatie.",
        0.15,
    ),
]


def _district(skeleton: Skeleton, name: str) -> Area:
    return next(area for area in skeleton.districts if area.name == name)


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=UTC)


def _add_ideas(session: Session, skeleton: Skeleton) -> dict[str, Idea]:
    criteria = [
        WeighingCriterion(name=name, description=description, position=n)
        for n, (name, description) in enumerate(CRITERIA)
    ]
    session.add_all(criteria)
    partners = {partner.name: partner for partner in skeleton.partners}
    ideas: dict[str, Idea] = {}
    for spec in IDEAS:
        partner = partners.get(spec.partner or "")
        idea = Idea(
            title=spec.title,
            description=spec.description,
            problem=spec.problem,
            target_group=spec.target_group,
            proposer_role=AuthorRole.partner if partner else AuthorRole.resident,
            partner_id=partner.id if partner else None,
            state=spec.steps[-1][0] if spec.steps else IdeaState.proposed,
            created_at=_moment(spec.proposed_on),
        )
        session.add(idea)
        session.flush()
        session.add(IdeaTheme(idea_id=idea.id, theme_id=skeleton.themes[spec.theme].id))
        session.add(IdeaArea(idea_id=idea.id, area_id=_district(skeleton, spec.district).id))
        session.add(
            IdeaStep(idea_id=idea.id, state=IdeaState.proposed, at=_moment(spec.proposed_on))
        )
        for state, day, reason in spec.steps:
            session.add(IdeaStep(idea_id=idea.id, state=state, reason=reason, at=_moment(day)))
        session.flush()
        for criterion, score in zip(criteria, spec.scores, strict=False):
            session.add(IdeaScore(idea_id=idea.id, criterion_id=criterion.id, score=score))
        for objection, resolution in spec.objections:
            session.add(IdeaObjection(idea_id=idea.id, objection=objection, resolution=resolution))
        ideas[spec.title] = idea
    return ideas


def _apply_effect(
    session: Session, indicator_id: int, areas: list[Area], effect: float, since: date
) -> None:
    """Let a pilot that worked show in its districts' figures from ``since`` on."""
    if not effect:
        return
    session.exec(
        update(Observation)
        .where(
            col(Observation.indicator_id) == indicator_id,
            col(Observation.area_id).in_([area.id for area in areas]),
            col(Observation.period_start) >= since,
        )
        .values(value=Observation.value * (1 + effect))
    )


def _reviewing_session(
    session: Session, indicator_ids: list, day: date
) -> ReflectionSession | None:
    """The demo session on the day of a decision that discussed one of its figures, if any:
    a review is only linked where the session really looked at the experiment's figures."""
    return session.exec(
        select(ReflectionSession)
        .join(SessionIndicator, col(SessionIndicator.session_id) == col(ReflectionSession.id))
        .where(
            ReflectionSession.held_on == day, col(SessionIndicator.indicator_id).in_(indicator_ids)
        )
    ).first()


def add_experiments(session: Session, skeleton: Skeleton, figures: Figures, editor: User) -> None:
    """Add the ideas, the four experiments, their decisions and the sessions that reviewed them.

    Decisions go through ``decide`` as an editor's would, so the demo cannot drift from
    what scaling, adjusting and stopping do."""
    ideas = _add_ideas(session, skeleton)
    for spec in EXPERIMENTS:
        experiment = Experiment(
            title=spec.title,
            hypothesis=spec.hypothesis,
            idea_id=ideas[spec.idea].id if spec.idea else None,
            target_group=spec.target_group,
            starts_on=spec.starts_on,
            review_on=spec.review_on,
            behaviour_change=spec.behaviour_change,
            prepared_for_success=spec.prepared_for_success,
            status=ExperimentStatus.running,
            created_at=_moment(spec.starts_on),
        )
        session.add(experiment)
        session.flush()
        session.add(
            ExperimentTheme(experiment_id=experiment.id, theme_id=skeleton.themes[spec.theme].id)
        )
        pilots = [_district(skeleton, name) for name in spec.pilots]
        for role, names in ((AreaRole.pilot, spec.pilots), (AreaRole.comparison, spec.comparisons)):
            session.add_all(
                [
                    ExperimentArea(
                        experiment_id=experiment.id, area_id=_district(skeleton, n).id, role=role
                    )
                    for n in names
                ]
            )
        for slug, direction in spec.figures:
            indicator = figures.indicators[slug]
            session.add(
                ExperimentIndicator(
                    experiment_id=experiment.id, indicator_id=indicator.id, direction=direction
                )
            )
        _apply_effect(
            session, figures.indicators[spec.figures[0][0]].id, pilots, spec.effect, spec.starts_on
        )
        for kind, day, reason, districts, hypothesis, review_on in spec.decisions:
            reviewed = _reviewing_session(
                session, [figures.indicators[f].id for f, _ in spec.figures], day
            )
            decision = decide(
                session=session,
                experiment=experiment,
                data=DecisionCreate(
                    decision=kind,
                    reason=reason,
                    decided_on=day,
                    session=reviewed.id if reviewed else None,
                    areas=[_district(skeleton, name).code for name in districts],
                    review_on=review_on,
                    hypothesis=hypothesis,
                ),
                user=editor,
                today=day,
            )
            decision.at = _moment(day)
            scaled = [_district(skeleton, name) for name in districts]
            if scaled:
                _apply_effect(
                    session, figures.indicators[spec.figures[0][0]].id, scaled, spec.effect, day
                )
        session.add(experiment)
    session.add(PortfolioLimit(theme_id=skeleton.themes["jeugd"].id, max_running=2))
    session.add(PortfolioLimit(theme_id=skeleton.themes["schulden"].id, max_running=2))
    session.flush()
