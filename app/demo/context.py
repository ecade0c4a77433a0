"""The demo's context: developments tied to figures and districts, each theme's expectations
with a re-calibration, and two hypotheses whose wording was adjusted and whose expected
movements can be read beside the signals. Fixed data only, so every load is the same."""

from datetime import UTC, date, datetime, time

from sqlmodel import Session, col, select

from app.demo.figures import Figures
from app.demo.municipality import Skeleton
from app.models import (
    ContextEvent,
    ContextEventArea,
    ContextEventIndicator,
    ContextEventTheme,
    Direction,
    ExpectedMovement,
    Frequency,
    LearningQuestion,
    QuestionStatusChange,
    QuestionVersion,
    ReflectionSession,
    ThemeRecalibration,
    ThemeResult,
    ThemeResultIndicator,
)

EDITOR = "redacteur@wadderveen.example"

#: The arrival of refugees: a break for one figure in the district where they were housed.
REFUGEES = (
    "Opvang van vluchtelingen uit Oekraïne in de Kanaalzone",
    date(2022, 4, 1),
    "Vanaf april 2022 woonden ruim driehonderd vluchtelingen in het voormalige kantoor aan "
    "de Kanaalweg. Zij vallen niet onder de bijstand, maar hun aanvragen en vragen om hulp "
    "kwamen wel bij het wijkteam binnen: de Kanaalzone heeft sindsdien een ander normaal.",
    ("werk-en-inkomen",),
    ("huishoudens-bijstand",),
    ("Kanaalzone",),
)

#: Per theme: problem, end picture, results (description, figures), re-calibration
#: (day, what, why, title start of the development that prompted it).
EXPECTATIONS: dict[str, tuple[str, str, list[tuple[str, tuple[str, ...]]], tuple]] = {
    "jeugd": (
        "Te veel kinderen wachten maanden op specialistische jeugdhulp, terwijl hun vraag "
        "vaak met lichte hulp dichtbij geholpen was.",
        "Gezinnen krijgen snel hulp in hun eigen wijk; specialistische hulp is er voor wie "
        "die echt nodig heeft, zonder lange wachttijd.",
        [
            (
                "Kortere wachttijd voor specialistische hulp",
                ("wachttijd-specialistische-jeugdhulp",),
            ),
            ("Meer lichte ondersteuning in de wijk", ("inzet-lichte-ondersteuning",)),
        ],
        (
            date(2020, 9, 1),
            "Hulp op afstand (beeldbellen, wandelgesprekken) telt mee als lichte ondersteuning.",
            "Scholen en buurthuizen waren dicht; de vraag werd minder zichtbaar, niet kleiner.",
            "Coronapandemie",
        ),
    ),
    "ondersteuning-thuis": (
        "Ouderen en mensen met een beperking melden zich laat, vaak pas als mantelzorgers "
        "overbelast zijn.",
        "Inwoners wonen zelfstandig met steun van hun omgeving; mantelzorgers houden het vol.",
        [
            ("Mantelzorgers krijgen tijdig steun", ("ondersteunde-mantelzorgers",)),
            ("Snellere afhandeling van Wmo-aanvragen", ("doorlooptijd-wmo", "aanvragen-wmo")),
        ],
        (
            date(2021, 1, 15),
            "Huisbezoeken aan ouderen gaan door, met mondkapje en op afstand.",
            "Eenzaamheid nam toe terwijl de dagbesteding dicht was.",
            "Coronapandemie",
        ),
    ),
    "werk-en-inkomen": (
        "Een vaste groep huishoudens zit lang in de bijstand en ziet geen weg naar werk.",
        "Wie kan werken, werkt; wie dat niet kan, heeft een bestaanszeker inkomen.",
        [
            ("Meer uitstroom naar werk", ("uitstroom-naar-werk",)),
            ("Minder huishoudens lang in de bijstand", ("huishoudens-bijstand",)),
        ],
        (
            date(2022, 6, 1),
            "De Kanaalzone krijgt een eigen aanpak voor nieuwkomers naast de bijstand.",
            "De opvang van vluchtelingen veranderde de vraag in die wijk.",
            "Opvang van vluchtelingen",
        ),
    ),
    "schulden": (
        "Geldzorgen worden pas gezien als de schulden al hoog zijn.",
        "Betalingsachterstanden worden vroeg gezien en opgelost voordat ze schulden worden.",
        [
            ("Meer en eerdere signalen van achterstanden", ("vroegsignalen-betalingsachterstand",)),
            ("Eerder aanmelden bij schuldhulp", ("aanmeldingen-schuldhulp",)),
        ],
        (
            date(2022, 10, 1),
            "Energieleveranciers melden achterstanden voortaan na één maand in plaats van drie.",
            "De energierekening verdubbelde; achterstanden liepen sneller op.",
            "Energiecrisis",
        ),
    ),
}

#: Two hypotheses adjusted along the way: (start of the question's text, new wording,
#: why, index of the session that adjusted it, expected movements (figure, district or
#: None, direction, months, index of the session that stated it)).
#: (figure, district or None, direction, within months, index of the session that stated it)
Movement = tuple[str, str | None, Direction, int, int]
ADJUSTED: list[tuple[str, str, str, int, list[Movement]]] = [
    (
        "Als we jeugdprofessionals in de wijkteams zetten",
        "Als we jeugdprofessionals in de wijkteams zetten, verwachten we dat de wachttijd "
        "voor specialistische jeugdhulp binnen een jaar daalt, ook al stroomt een deel van "
        "de gezinnen later alsnog door naar specialistische hulp.",
        "De daling kwam er, maar een deel van de gezinnen kwam later toch op de wachtlijst.",
        7,
        [
            ("wachttijd-specialistische-jeugdhulp", None, Direction.down, 12, 1),
            ("inzet-lichte-ondersteuning", "Oud-Zuid", Direction.up, 6, 1),
        ],
    ),
    (
        "Als we lichte ondersteuning eerder inzetten",
        "Als we lichte ondersteuning eerder inzetten, verwachten we dat het aantal lopende "
        "jeugdhulptrajecten pas na drie jaar daalt, omdat eerst meer verborgen vragen "
        "zichtbaar worden.",
        "Na twee jaar geen daling: eerder inzetten maakt eerst meer vragen zichtbaar.",
        11,
        [("lopende-jeugdhulptrajecten", None, Direction.down, 24, 4)],
    ),
]


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=UTC)


def add_context(
    session: Session, skeleton: Skeleton, figures: Figures, sessions: list[ReflectionSession]
) -> None:
    """Add the refugees development, theme expectations and the adjusted hypotheses."""
    districts = {area.name: area for area in skeleton.districts}
    title, start, description, themes, slugs, areas = REFUGEES
    refugees = ContextEvent(
        title=title,
        starts_on=start,
        start_frequency=Frequency.month,
        description=description,
        is_break=True,
    )
    session.add(refugees)
    session.flush()
    session.add_all(
        ContextEventTheme(event_id=refugees.id, theme_id=skeleton.themes[s].id) for s in themes
    )
    session.add_all(
        ContextEventIndicator(event_id=refugees.id, indicator_id=figures.indicators[s].id)
        for s in slugs
    )
    session.add_all(ContextEventArea(event_id=refugees.id, area_id=districts[n].id) for n in areas)

    events = session.exec(select(ContextEvent).order_by(col(ContextEvent.id))).all()
    for slug, (problem, end_picture, results, step) in EXPECTATIONS.items():
        theme = skeleton.themes[slug]
        theme.problem, theme.end_picture = problem, end_picture
        session.add(theme)
        for position, (text, followed) in enumerate(results):
            result = ThemeResult(theme_id=theme.id, position=position, description=text)
            session.add(result)
            session.flush()
            session.add_all(
                ThemeResultIndicator(result_id=result.id, indicator_id=figures.indicators[s].id)
                for s in followed
            )
        day, what, why, prompted_by = step
        event = next(e for e in events if e.title.startswith(prompted_by))
        session.add(
            ThemeRecalibration(
                theme_id=theme.id, changed_on=day, what=what, why=why, event_id=event.id
            )
        )

    questions = session.exec(select(LearningQuestion).order_by(col(LearningQuestion.id))).all()
    for question in questions:
        session.add(
            QuestionVersion(
                question_id=question.id,
                text=question.text,
                changed_at=question.created_at,
                changed_by=EDITOR,
            )
        )
    for start_of_text, wording, why, index, movements in ADJUSTED:
        question = next(q for q in questions if q.text.startswith(start_of_text))
        held = sessions[index]
        question.text = wording
        session.add(question)
        session.add(
            QuestionVersion(
                question_id=question.id,
                text=wording,
                reason=why,
                session_id=held.id,
                changed_at=_moment(held.held_on),
                changed_by=EDITOR,
            )
        )
        session.add_all(
            ExpectedMovement(
                question_id=question.id,
                indicator_id=figures.indicators[slug].id,
                area_id=districts[district].id if district else None,
                direction=direction,
                within_months=months,
                stated_on=sessions[stated].held_on,
            )
            for slug, district, direction, months, stated in movements
        )
    for change in session.exec(select(QuestionStatusChange)).all():
        change.changed_by = EDITOR
        session.add(change)
    session.flush()
