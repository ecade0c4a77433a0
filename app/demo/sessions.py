"""Reflection sessions of Wadderveen's teams, their actions and the learning agenda.

The snapshots freeze the figures and signals as a team saw them on the day of its
session, exactly as a session logged in the app does.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, select

from app.demo.figures import Figures
from app.demo.municipality import Skeleton
from app.models import (
    Action,
    ActionStatus,
    LearningQuestion,
    LearningQuestionIndicator,
    LearningQuestionTheme,
    Narrative,
    NarrativeStatus,
    NarrativeTheme,
    QuestionStatus,
    QuestionStatusChange,
    ReflectionSession,
    SessionIndicator,
    SessionNarrative,
)
from app.reflections.snapshot import freeze

STORIES_PER_SESSION = 3

OPEN, DONE, DROPPED = ActionStatus.open, ActionStatus.done, ActionStatus.dropped


@dataclass(frozen=True)
class SessionSpec:
    held_on: date
    theme: str
    title: str
    indicators: tuple[str, ...]
    see: str
    mean: str
    do: str
    actions: tuple[tuple[str, str, date | None, ActionStatus], ...]


SESSIONS: list[SessionSpec] = [
    SessionSpec(
        date(2023, 2, 14),
        "schulden",
        "Schulden: wat doet de energiecrisis?",
        (
            "vroegsignalen-betalingsachterstand",
            "aanmeldingen-schuldhulp",
            "huishoudens-voedselbank",
        ),
        "- Veel meer vroegsignalen sinds juli, vooral huurachterstanden.\n"
        "- De voedselbank helpt deze winter een vijfde meer huishoudens dan anders.",
        "Een deel van de stijging komt door de nieuwe melders, niet alleen door de crisis. "
        "Verhalen laten zien dat juist werkende gezinnen net boven de grens vallen.",
        "We vragen de voedselbank en de woningcorporatie om een gezamenlijk overzicht.",
        (
            (
                "Overzicht signalen per wijk met Woonstichting De Vliet",
                "Schuldhulp Wadderveen",
                date(2023, 4, 1),
                DONE,
            ),
            (
                "Energietoeslag ook voor inkomens tot 130% onderzoeken",
                "Beleid inkomen",
                date(2023, 6, 1),
                DROPPED,
            ),
        ),
    ),
    SessionSpec(
        date(2023, 3, 9),
        "jeugd",
        "Jeugd: wachtlijsten specialistische hulp",
        ("wachttijd-specialistische-jeugdhulp", "lopende-jeugdhulptrajecten"),
        "- Gemiddelde wachttijd ruim achttien weken, al anderhalf jaar langer dan ooit.\n"
        "- Ouders vertellen over maanden thuiszitten tijdens het wachten.",
        "Op de wachtlijst staan ook kinderen met een lichte vraag. Die kunnen eerder en "
        "dichterbij geholpen worden.",
        "We starten in april met jeugdprofessionals in alle wijkteams.",
        (
            (
                "Jeugdprofessionals werven voor zes wijkteams",
                "Teamleider jeugd",
                date(2023, 4, 1),
                DONE,
            ),
            ("Wachtlijst doorlopen op lichte vragen", "Jeugdhulp Noord", date(2023, 5, 1), DONE),
        ),
    ),
    SessionSpec(
        date(2023, 5, 23),
        "ondersteuning-thuis",
        "Ondersteuning thuis: inhaalvraag na corona",
        ("aanvragen-wmo", "doorlooptijd-wmo", "huisbezoeken-ouderen"),
        "- Aanvragen zijn terug op het niveau van voor de pandemie, en iets hoger.\n"
        "- De doorlooptijd loopt op richting de wettelijke zes weken.",
        "De vraag die tijdens corona bleef liggen, komt nu binnen. Vrijwilligers zagen het "
        "al in de huisbezoeken.",
        "Huisbezoeken opnieuw opstarten en signalen direct doorgeven aan het wijkteam.",
        (
            (
                "Huisbezoeken 75+ weer fysiek, met terugmeldformulier",
                "Welzijn Wadderveen",
                date(2023, 9, 1),
                DONE,
            ),
        ),
    ),
    SessionSpec(
        date(2023, 9, 12),
        "werk-en-inkomen",
        "Werk en inkomen: krappe arbeidsmarkt benutten",
        ("huishoudens-bijstand", "uitstroom-naar-werk"),
        "- Het aantal huishoudens in de bijstand is stabiel, na de piek in 2020.\n"
        "- De uitstroom naar werk is terug op het niveau van voor de pandemie.",
        "Werkgevers zoeken mensen; wie kort in de bijstand zit, vindt werk. Voor wie lang "
        "thuis zat is meer nodig dan een vacature.",
        "Leerwerkplekken in zorg en bouw, samen met twee werkgevers.",
        (
            (
                "Afspraken met twee zorgaanbieders over leerwerkplekken",
                "Werkgeversservicepunt",
                date(2023, 12, 1),
                DONE,
            ),
            (
                "Bouwbedrijf betrekken bij leerwerkplekken",
                "Werkgeversservicepunt",
                date(2024, 3, 1),
                DROPPED,
            ),
        ),
    ),
    SessionSpec(
        date(2023, 11, 7),
        "jeugd",
        "Jeugd: eerste half jaar wijkgerichte toegang",
        ("wachttijd-specialistische-jeugdhulp", "inzet-lichte-ondersteuning"),
        "- De wachttijd is in drie maanden flink gedaald.\n"
        "- Tegelijk is de inzet van lichte ondersteuning bijna de helft hoger.",
        "Dit lijkt op een waterbed: vraag verschuift van specialistisch naar licht. Dat is "
        "bedoeld, maar we weten nog niet of de lichte hulp genoeg is.",
        "Volgen of gezinnen na lichte hulp alsnog doorstromen.",
        (
            (
                "Doorstroom van licht naar specialistisch zichtbaar maken",
                "Informatieadviseur",
                date(2024, 2, 1),
                DONE,
            ),
        ),
    ),
    SessionSpec(
        date(2024, 2, 20),
        "schulden",
        "Schulden: anderhalf jaar vroegsignalering",
        ("vroegsignalen-betalingsachterstand", "aanmeldingen-schuldhulp", "wachttijd-schuldhulp"),
        "- Signalen blijven hoog, ook nu de energieprijzen dalen.\n"
        "- Aanmeldingen liggen structureel hoger, de wachttijd is stabiel.",
        "Vroegsignalering is een nieuw normaal: we vergelijken vanaf juli 2022. Verhalen "
        "bevestigen dat schulden bij aanmelding kleiner zijn.",
        "Geldcafé in de bibliotheek als laagdrempelige ingang.",
        (
            (
                "Geldcafé starten in twee bibliotheekvestigingen",
                "Bibliotheek Wadderveen",
                date(2024, 5, 1),
                DONE,
            ),
            (
                "Gemiddelde schuld bij aanmelding registreren",
                "Schuldhulp Wadderveen",
                date(2024, 6, 30),
                OPEN,
            ),
        ),
    ),
    SessionSpec(
        date(2024, 4, 16),
        "ondersteuning-thuis",
        "Ondersteuning thuis: mantelzorg in beeld",
        ("ondersteunde-mantelzorgers", "aanvragen-wmo"),
        "- Het aantal ondersteunde mantelzorgers is stabiel; de lotgenotengroepen lopen vol.\n"
        "- Verhalen over mantelzorgers die pas bij uitval in beeld komen.",
        "We bereiken vooral wie zelf aan de bel trekt. Jonge mantelzorgers en mensen met "
        "een migratieachtergrond blijven buiten beeld.",
        "Scholen en huisartsen vragen om mantelzorgers door te verwijzen.",
        (
            (
                "Voorlichting op twee middelbare scholen over jonge mantelzorg",
                "Welzijn Wadderveen",
                date(2024, 10, 1),
                DONE,
            ),
        ),
    ),
    SessionSpec(
        date(2024, 6, 11),
        "jeugd",
        "Jeugd: het waterbed nader bekeken",
        (
            "wachttijd-specialistische-jeugdhulp",
            "inzet-lichte-ondersteuning",
            "lopende-jeugdhulptrajecten",
        ),
        "- De wachttijd blijft laag, de lichte ondersteuning hoog.\n"
        "- Jeugdhulp Noord ziet een deel van de gezinnen na een half jaar terug.",
        "Ongeveer een op de zes gezinnen stroomt na lichte hulp alsnog door. De winst is "
        "reëel, maar kleiner dan de wachttijd doet vermoeden.",
        "Bij de start van lichte hulp een gezamenlijke check met een specialist.",
        (
            (
                "Wekelijks casusoverleg wijkteam en Jeugdhulp Noord",
                "Teamleider jeugd",
                date(2024, 9, 1),
                DONE,
            ),
            ("Evaluatie doorstroom na één jaar", "Informatieadviseur", date(2025, 6, 1), DONE),
        ),
    ),
    SessionSpec(
        date(2024, 10, 1),
        "werk-en-inkomen",
        "Werk en inkomen: werkende armen",
        ("uitstroom-naar-werk", "huishoudens-voedselbank"),
        "- De uitstroom naar werk blijft goed.\n"
        "- Toch komen er bij de voedselbank meer werkende huishoudens.",
        "Uitstroom naar werk lost geldzorgen niet vanzelf op: deeltijdbanen en "
        "terugvorderingen van toeslagen drukken het inkomen.",
        "Nazorg na uitstroom: een half jaar een vast aanspreekpunt.",
        (
            (
                "Nazorgtraject na uitstroom opzetten",
                "Sociaal Team Wadderveen",
                date(2025, 3, 1),
                DONE,
            ),
        ),
    ),
    SessionSpec(
        date(2025, 1, 28),
        "ondersteuning-thuis",
        "Ondersteuning thuis: doorlooptijden",
        ("doorlooptijd-wmo", "aanvragen-wmo"),
        "- De doorlooptijd is opgelopen tot boven de veertig dagen.\n"
        "- Het wijkteam meldt uitval van consulenten.",
        "De stijging komt door capaciteit, niet door meer aanvragen. Bewoners wachten "
        "vooral op het besluit na het gesprek.",
        "Besluiten eenvoudiger maken voor standaardvoorzieningen.",
        (
            (
                "Eenvoudige beschikking voor huishoudelijke hulp",
                "Beleid Wmo",
                date(2025, 6, 1),
                OPEN,
            ),
            (
                "Tijdelijke extra consulent voor Kanaalzone en Molenwijk",
                "Teamleider Wmo",
                date(2025, 3, 1),
                DONE,
            ),
        ),
    ),
    SessionSpec(
        date(2025, 5, 13),
        "schulden",
        "Schulden: wie bereiken we niet?",
        ("aanmeldingen-schuldhulp", "huishoudens-voedselbank"),
        "- Aanmeldingen stabiel op het nieuwe niveau.\n"
        "- In het Buitengebied en Esch nauwelijks aanmeldingen.",
        "Weinig aanmeldingen betekent niet weinig geldzorgen. In kleine kernen is de "
        "drempel hoger en de afstand groter.",
        "Spreekuur op locatie in de dorpskernen.",
        (
            (
                "Maandelijks geldspreekuur in het dorpshuis van Esch",
                "Schuldhulp Wadderveen",
                date(2025, 9, 1),
                OPEN,
            ),
            ("Huisartsen in het Buitengebied informeren", "Schuldhulp Wadderveen", None, OPEN),
        ),
    ),
    SessionSpec(
        date(2025, 10, 21),
        "jeugd",
        "Jeugd: twee jaar wijkgerichte toegang",
        ("wachttijd-specialistische-jeugdhulp", "inzet-lichte-ondersteuning"),
        "- De wachttijd is al twee jaar rond de tien weken.\n"
        "- Het totaal aantal jeugdhulptrajecten daalt niet.",
        "De wachttijd is structureel korter, maar de verwachte daling van het totaal "
        "blijft uit. Lichte hulp komt erbij in plaats van in de plaats van.",
        "Samen met scholen kijken welke vragen zonder traject opgelost kunnen worden.",
        (
            (
                "Pilot schoolmaatschappelijk werk zonder indicatie",
                "Teamleider jeugd",
                date(2026, 2, 1),
                OPEN,
            ),
            ("Verhalen van ouders ophalen over lichte hulp", "Welzijn Wadderveen", None, OPEN),
        ),
    ),
]

# Text, theme, indicators, and history as (session index, status, reason).
QUESTIONS: list[tuple[str, str, tuple[str, ...], tuple[tuple[int, QuestionStatus, str], ...]]] = [
    (
        "Als we jeugdprofessionals in de wijkteams zetten, verwachten we dat de wachttijd "
        "voor specialistische jeugdhulp daalt, omdat lichte vragen niet meer op de "
        "wachtlijst terechtkomen.",
        "jeugd",
        ("wachttijd-specialistische-jeugdhulp", "inzet-lichte-ondersteuning"),
        (
            (1, QuestionStatus.open, "Vastgesteld bij de start van de wijkgerichte toegang."),
            (4, QuestionStatus.supported, "De wachttijd daalde binnen drie maanden fors."),
            (7, QuestionStatus.adjusted, "Deel van de gezinnen stroomt later alsnog door."),
        ),
    ),
    (
        "Als we lichte ondersteuning eerder inzetten, verwachten we dat het aantal lopende "
        "jeugdhulptrajecten binnen twee jaar daalt, omdat problemen minder escaleren.",
        "jeugd",
        ("lopende-jeugdhulptrajecten", "inzet-lichte-ondersteuning"),
        (
            (4, QuestionStatus.open, "Afgeleid van de waterbedvraag."),
            (11, QuestionStatus.contradicted, "Na twee jaar geen daling van het totaal."),
        ),
    ),
    (
        "Als de woningcorporatie en energieleveranciers achterstanden melden, verwachten we "
        "meer maar kleinere schuldhulpvragen, omdat we mensen eerder bereiken.",
        "schulden",
        ("vroegsignalen-betalingsachterstand", "aanmeldingen-schuldhulp"),
        (
            (0, QuestionStatus.open, "Vroegsignalering loopt een half jaar."),
            (5, QuestionStatus.supported, "Meer aanmeldingen; verhalen noemen kleinere schulden."),
        ),
    ),
    (
        "Als we een geldcafé in de bibliotheek openen, verwachten we dat meer werkende "
        "huishoudens zich melden, omdat de drempel lager is dan bij het gemeentehuis.",
        "schulden",
        ("aanmeldingen-schuldhulp",),
        ((5, QuestionStatus.open, "Het geldcafé start in mei."),),
    ),
    (
        "Als vrijwilligers ouderen preventief bezoeken, verwachten we minder spoedaanvragen "
        "Wmo, omdat problemen eerder in beeld zijn.",
        "ondersteuning-thuis",
        ("huisbezoeken-ouderen", "aanvragen-wmo"),
        (
            (2, QuestionStatus.open, "Huisbezoeken starten weer fysiek."),
            (6, QuestionStatus.adjusted, "Spoed is niet apart te zien; we volgen alle aanvragen."),
        ),
    ),
    (
        "Als mantelzorgers sneller respijtzorg krijgen, verwachten we dat minder van hen "
        "uitvallen, omdat overbelasting eerder wordt opgevangen.",
        "ondersteuning-thuis",
        ("ondersteunde-mantelzorgers",),
        (
            (6, QuestionStatus.open, "Uit verhalen over uitval van mantelzorgers."),
            (9, QuestionStatus.supported, "Welzijn meldt minder crisisaanvragen respijt."),
        ),
    ),
    (
        "Als we leerwerkplekken in zorg en bouw aanbieden, verwachten we meer uitstroom "
        "naar werk, omdat werkgevers nu mensen zoeken.",
        "werk-en-inkomen",
        ("uitstroom-naar-werk", "huishoudens-bijstand"),
        (
            (3, QuestionStatus.open, "Afspraken met zorgaanbieders in de maak."),
            (8, QuestionStatus.supported, "Leerwerkplekken vol; de uitstroom houdt stand."),
            (8, QuestionStatus.closed, "Leerwerkplekken zijn staand beleid geworden."),
        ),
    ),
    (
        "Als mensen met werk uit de bijstand gaan, verwachten we dat hun geldzorgen "
        "afnemen, omdat hun inkomen stijgt.",
        "werk-en-inkomen",
        ("uitstroom-naar-werk", "huishoudens-voedselbank"),
        (
            (3, QuestionStatus.open, "Vanzelfsprekend, maar nooit nagegaan."),
            (8, QuestionStatus.contradicted, "Meer werkende huishoudens bij de voedselbank."),
        ),
    ),
]

PARTICIPANTS = [
    "Fatima el Amrani (beleid)",
    "Jeroen Bakker (wijkteam)",
    "Sanne de Vries (informatieadviseur)",
    "Mohamed Yilmaz (Schuldhulp Wadderveen)",
    "Els Hoekstra (Welzijn Wadderveen)",
    "Dewi Santoso (Jeugdhulp Noord)",
    "Pieter Kok (Voedselbank Wadderveen)",
    "Anouk Jansen (bewonersraad)",
]
FACILITATORS = ["Marieke Visser", "Ruben Smit"]


def moment(day: date) -> datetime:
    return datetime.combine(day, time(9), tzinfo=UTC)


def add_sessions(
    session: Session, skeleton: Skeleton, figures: Figures, stories: list[Narrative]
) -> None:
    """Add the sessions with snapshots, stories, actions and the learning agenda."""
    story_themes = {
        link.narrative_id: link.theme_id for link in session.exec(select(NarrativeTheme)).all()
    }
    rows: list[ReflectionSession] = []
    for number, spec in enumerate(SESSIONS):
        reflection = ReflectionSession(
            held_on=spec.held_on,
            title=spec.title,
            facilitator=FACILITATORS[number % len(FACILITATORS)],
            participants=[
                PARTICIPANTS[(number + step) % len(PARTICIPANTS)] for step in (0, 2, 3, 5)
            ],
            see=spec.see,
            mean=spec.mean,
            do=spec.do,
            created_at=moment(spec.held_on),
            updated_at=moment(spec.held_on),
        )
        rows.append(reflection)
    session.add_all(rows)
    session.flush()
    for number, (spec, reflection) in enumerate(zip(SESSIONS, rows, strict=True)):
        for slug in spec.indicators:
            indicator = figures.indicators[slug]
            session.add(
                SessionIndicator(
                    session_id=reflection.id,
                    indicator_id=indicator.id,
                    snapshot=freeze(
                        session=session,
                        indicator=indicator,
                        area=None,
                        end=spec.held_on - timedelta(days=1),
                    ),
                    snapshot_at=moment(spec.held_on),
                )
            )
        theme_id = skeleton.themes[spec.theme].id
        discussed = [
            story
            for story in stories
            if story.status == NarrativeStatus.published
            and story.occurred_on < spec.held_on
            and story_themes[story.id] == theme_id
        ][-STORIES_PER_SESSION:]
        session.add_all(
            SessionNarrative(session_id=reflection.id, narrative_id=story.id) for story in discussed
        )
        closing = next_session_on_theme(number, rows)
        for description, owner, due_on, status in spec.actions:
            closed = status != OPEN and closing is not None
            session.add(
                Action(
                    session_id=reflection.id,
                    description=description,
                    owner=owner,
                    due_on=due_on,
                    status=status,
                    closed_in_session_id=closing.id if closed and closing else None,
                    closed_at=moment(closing.held_on) if closed and closing else None,
                )
            )
    add_questions(session, skeleton, figures, rows)
    session.flush()


def next_session_on_theme(number: int, rows: list[ReflectionSession]) -> ReflectionSession | None:
    theme = SESSIONS[number].theme
    return next(
        (
            row
            for spec, row in zip(SESSIONS[number + 1 :], rows[number + 1 :], strict=True)
            if spec.theme == theme
        ),
        None,
    )


def add_questions(
    session: Session, skeleton: Skeleton, figures: Figures, rows: list[ReflectionSession]
) -> None:
    for text, theme, slugs, history in QUESTIONS:
        question = LearningQuestion(
            text=text, status=history[-1][1], created_at=moment(rows[history[0][0]].held_on)
        )
        session.add(question)
        session.flush()
        session.add(
            LearningQuestionTheme(question_id=question.id, theme_id=skeleton.themes[theme].id)
        )
        session.add_all(
            LearningQuestionIndicator(
                question_id=question.id, indicator_id=figures.indicators[slug].id
            )
            for slug in slugs
        )
        session.add_all(
            QuestionStatusChange(
                question_id=question.id,
                status=status,
                reason=reason,
                session_id=rows[index].id,
                changed_at=moment(rows[index].held_on),
            )
            for index, status, reason in history
        )
