"""Dutch stories for Wadderveen, composed from believable fragments.

A story is a moment (what happened, which figure it touches, in which period it fits)
plus an observation, a quote and sometimes a short list. Moments carry an era, so
pandemic stories fall in the pandemic and energy-bill stories in the energy crisis.
A story that explains or contradicts a figure happened in one of that figure's signals
and agrees with it (one about things getting worse explains a concern); every signal a
moment can explain gets such a story. No story touches the waiting time for debt help
after June 2025: that late jump is deliberately left unexplained.
"""

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session

from app.demo.figures import (
    FIRST_PERIOD,
    LAST_PERIOD,
    UNEXPLAINED_INDICATOR,
    UNEXPLAINED_JUMP,
    Figures,
    months_between,
)
from app.demo.municipality import (
    EARLY_SIGNALS_START,
    ENERGY_CRISIS_END,
    ENERGY_CRISIS_START,
    PANDEMIC_END,
    PANDEMIC_START,
    YOUTH_ACCESS_START,
    Skeleton,
)
from app.figures.explained import SignalRun
from app.models import (
    Assessment,
    AuthorRole,
    ConsentReach,
    LinkRelation,
    Narrative,
    NarrativeContact,
    NarrativeIndicator,
    NarrativeSource,
    NarrativeStatus,
    NarrativeTheme,
)

STORY_COUNT = 168
PENDING_COUNT = 15
HIDDEN_COUNT = 4
CONTACT_COUNT = 6
CONSENT_VERSION = "2024-1"

R, P, W = AuthorRole.resident, AuthorRole.partner, AuthorRole.professional
BETTER, WORSE, MIXED, UNCLEAR = (
    Assessment.better,
    Assessment.worse,
    Assessment.mixed,
    Assessment.unclear,
)
EXPLAINS, CONTRADICTS, CONTEXT, CONSEQUENCE = (
    LinkRelation.explains,
    LinkRelation.contradicts,
    LinkRelation.context,
    LinkRelation.consequence,
)


@dataclass(frozen=True)
class Moment:
    theme: str
    title: str
    situation: str
    indicator: str
    relation: LinkRelation
    assessment: Assessment
    roles: tuple[AuthorRole, ...]
    era: str = "any"


ERAS = {
    "pandemic": (PANDEMIC_START, PANDEMIC_END),
    "energy": (ENERGY_CRISIS_START, ENERGY_CRISIS_END),
    "signals": (EARLY_SIGNALS_START, LAST_PERIOD),
    "youth": (YOUTH_ACCESS_START, LAST_PERIOD),
    "before-youth": (FIRST_PERIOD, YOUTH_ACCESS_START - timedelta(days=1)),
}

MOMENTS: list[Moment] = [
    # Jeugd
    Moment(
        "jeugd",
        "Maanden wachten op hulp voor onze zoon in {wijk}",
        "Na de verwijzing door de huisarts stonden we op een wachtlijst. In die tijd "
        "ging het op school steeds slechter en zat hij vooral thuis.",
        "wachttijd-specialistische-jeugdhulp",
        EXPLAINS,
        WORSE,
        (R,),
        "before-youth",
    ),
    Moment(
        "jeugd",
        "Jeugdprofessional in het wijkteam {wijk} maakt verschil",
        "Sinds er een jeugdprofessional in ons wijkteam zit, kunnen we ouders dezelfde "
        "week spreken. Vaak is een paar gesprekken over opvoeden genoeg.",
        "inzet-lichte-ondersteuning",
        CONTEXT,
        BETTER,
        (W, P),
        "youth",
    ),
    Moment(
        "jeugd",
        "Snel een gezinscoach in plaats van een wachtlijst",
        "We kregen binnen twee weken een gezinscoach. Het gaat nu beter thuis, al "
        "vraag ik me af of zwaardere hulp niet nodig was geweest.",
        "inzet-lichte-ondersteuning",
        CONSEQUENCE,
        MIXED,
        (R,),
        "youth",
    ),
    Moment(
        "jeugd",
        "Lichte hulp, maar de zware vraag blijft liggen",
        "We zien gezinnen die lichte hulp krijgen terwijl de problemen groter zijn. Ze "
        "komen een half jaar later alsnog bij ons, met meer schade.",
        "wachttijd-specialistische-jeugdhulp",
        CONTEXT,
        WORSE,
        (P, W),
        "youth",
    ),
    Moment(
        "jeugd",
        "Thuisonderwijs in een klein huis in {wijk}",
        "Drie kinderen, één laptop en een moeder die thuiswerkt. De school zag "
        "sommige kinderen wekenlang niet in de online lessen.",
        "meldingen-schoolverzuim",
        CONTEXT,
        WORSE,
        (R, W),
        "pandemic",
    ),
    Moment(
        "jeugd",
        "Leerplicht ziet verzuim pas laat",
        "Tijdens de lockdown kwamen er bijna geen verzuimmeldingen binnen. Dat "
        "betekende niet dat kinderen wel meededen; we zagen het gewoon niet.",
        "meldingen-schoolverzuim",
        CONTRADICTS,
        UNCLEAR,
        (W,),
        "pandemic",
    ),
    Moment(
        "jeugd",
        "Huiswerkclub in de bibliotheek van {wijk}",
        "Elke dinsdag en donderdag komen twintig kinderen huiswerk maken. Vrijwilligers "
        "merken eerder wanneer het thuis niet goed gaat.",
        "lopende-jeugdhulptrajecten",
        CONTEXT,
        BETTER,
        (P,),
    ),
    Moment(
        "jeugd",
        "Jongere thuiszitter weer naar school",
        "Na een jaar thuis gaat hij weer drie ochtenden naar school. De leerplichtambtenaar, "
        "de school en het wijkteam zaten eindelijk samen aan tafel.",
        "meldingen-schoolverzuim",
        CONTEXT,
        BETTER,
        (W, R),
    ),
    Moment(
        "jeugd",
        "Meer jeugdhulptrajecten in {wijk} na sluiting jongerencentrum",
        "Sinds het jongerencentrum dicht is, hangen jongeren rond bij het winkelcentrum. "
        "We zien meer aanmeldingen voor begeleiding.",
        "lopende-jeugdhulptrajecten",
        EXPLAINS,
        WORSE,
        (P, W),
    ),
    # Ondersteuning thuis
    Moment(
        "ondersteuning-thuis",
        "Mantelzorger in {wijk} op het randje",
        "Ze zorgt al vier jaar voor haar man met dementie. Pas toen ze zelf ziek werd, "
        "kwam er respijtzorg.",
        "ondersteunde-mantelzorgers",
        EXPLAINS,
        WORSE,
        (R, P),
    ),
    Moment(
        "ondersteuning-thuis",
        "Huisbezoek wordt telefoontje",
        "Onze vrijwilligers mochten niet meer langs. We belden iedereen, maar aan de "
        "telefoon hoor je niet of iemand nog goed eet.",
        "huisbezoeken-ouderen",
        EXPLAINS,
        WORSE,
        (P,),
        "pandemic",
    ),
    Moment(
        "ondersteuning-thuis",
        "Geen aanvraag, wel nood",
        "Ouderen durfden geen hulp in huis. De aanvragen daalden, maar de vraag "
        "stapelde zich op achter de voordeur.",
        "aanvragen-wmo",
        CONTRADICTS,
        WORSE,
        (W, P),
        "pandemic",
    ),
    Moment(
        "ondersteuning-thuis",
        "Traplift na drie maanden eindelijk geplaatst",
        "Het keukentafelgesprek was snel, maar daarna duurde het lang voor het besluit "
        "kwam. Mijn moeder sliep al die tijd beneden.",
        "doorlooptijd-wmo",
        EXPLAINS,
        WORSE,
        (R,),
    ),
    Moment(
        "ondersteuning-thuis",
        "Buurtkamer {wijk} brengt mensen samen",
        "Elke ochtend koffie in de buurtkamer. Bewoners die eerst alleen thuis zaten, "
        "helpen nu zelf mee met de lunch.",
        "huisbezoeken-ouderen",
        CONTEXT,
        BETTER,
        (P, R),
    ),
    Moment(
        "ondersteuning-thuis",
        "Snelle hulp bij het huishouden",
        "Binnen twee weken na de melding was er een hulp. Dat had ik niet verwacht, "
        "ik had gehoord dat het maanden duurt.",
        "doorlooptijd-wmo",
        CONTRADICTS,
        BETTER,
        (R,),
    ),
    Moment(
        "ondersteuning-thuis",
        "Lotgenotengroep voor jonge mantelzorgers",
        "Twaalf jongeren die voor een ouder zorgen, komen maandelijks samen. Voor velen "
        "is het de eerste keer dat ze erover praten.",
        "ondersteunde-mantelzorgers",
        EXPLAINS,
        BETTER,
        (P, W),
    ),
    Moment(
        "ondersteuning-thuis",
        "Wijkteam {wijk} overbelast door personeelstekort",
        "Er liggen aanvragen op de plank omdat twee consulenten uitvielen. We werken "
        "met uitzendkrachten die de wijk niet kennen.",
        "doorlooptijd-wmo",
        EXPLAINS,
        WORSE,
        (W,),
    ),
    # Werk en inkomen
    Moment(
        "werk-en-inkomen",
        "Werkloos door de lockdown",
        "De horecazaak waar ik werkte ging dicht. Na de TOZO moest ik toch de bijstand "
        "in, voor het eerst in mijn leven.",
        "huishoudens-bijstand",
        EXPLAINS,
        WORSE,
        (R,),
        "pandemic",
    ),
    Moment(
        "werk-en-inkomen",
        "Werkgevers in {wijk} zoeken weer mensen",
        "De bouw en de zorg staan te springen. Met een leerwerkplek stromen mensen uit "
        "de bijstand die we eerder kansloos noemden.",
        "uitstroom-naar-werk",
        EXPLAINS,
        BETTER,
        (P, W),
    ),
    Moment(
        "werk-en-inkomen",
        "Werk, maar niet genoeg om rond te komen",
        "Hij heeft nu een baan van twintig uur. Met de toeslagen die terugbetaald "
        "moeten worden, houdt het gezin minder over dan in de bijstand.",
        "uitstroom-naar-werk",
        CONTRADICTS,
        MIXED,
        (W, P),
    ),
    Moment(
        "werk-en-inkomen",
        "Taalcafé helpt statushouders aan werk",
        "In het taalcafé oefenen nieuwkomers sollicitatiegesprekken. Drie deelnemers "
        "werken inmiddels in de thuiszorg.",
        "uitstroom-naar-werk",
        CONTEXT,
        BETTER,
        (P,),
    ),
    Moment(
        "werk-en-inkomen",
        "Boodschappen te duur, ook met werk",
        "Steeds meer werkende gezinnen kloppen bij ons aan. Ze verdienen te veel voor "
        "de bijstand en te weinig voor de vaste lasten.",
        "huishoudens-voedselbank",
        EXPLAINS,
        WORSE,
        (P,),
        "energy",
    ),
    Moment(
        "werk-en-inkomen",
        "Participatieplek in het groen in {wijk}",
        "Sinds een jaar werk ik mee in het groenonderhoud. Het is geen betaalde baan, "
        "maar ik heb weer een ritme en collega's.",
        "huishoudens-bijstand",
        CONTEXT,
        MIXED,
        (R,),
    ),
    Moment(
        "werk-en-inkomen",
        "Strengere toelating voedselbank",
        "De normen zijn aangescherpt. Huishoudens die net boven de grens zitten, "
        "sturen we nu door naar de kledingbank en het sociaal team.",
        "huishoudens-voedselbank",
        CONTEXT,
        UNCLEAR,
        (P,),
    ),
    # Schulden
    Moment(
        "schulden",
        "Energierekening verdubbeld in {wijk}",
        "Het voorschot ging van 120 naar 280 euro per maand. Binnen drie maanden had het "
        "gezin een achterstand bij de huur.",
        "vroegsignalen-betalingsachterstand",
        EXPLAINS,
        WORSE,
        (R, W),
        "energy",
    ),
    Moment(
        "schulden",
        "Woningcorporatie belt al bij één maand huurachterstand",
        "Sinds de afspraken over vroegsignalering belt Woonstichting De Vliet meteen. "
        "We staan eerder aan de deur, nog voordat er incassokosten zijn.",
        "vroegsignalen-betalingsachterstand",
        CONTEXT,
        BETTER,
        (P, W),
        "signals",
    ),
    Moment(
        "schulden",
        "Meer aanmeldingen, kleinere schulden",
        "Door de vroegsignalering melden zich meer mensen aan, maar hun schulden zijn "
        "kleiner. Vaak is een betalingsregeling genoeg.",
        "aanmeldingen-schuldhulp",
        CONTEXT,
        BETTER,
        (P,),
        "signals",
    ),
    Moment(
        "schulden",
        "Schaamte houdt mensen weg",
        "Ze had al twee jaar post ongeopend in een la. Pas toen de deurwaarder kwam, "
        "belde haar dochter ons.",
        "aanmeldingen-schuldhulp",
        CONTEXT,
        WORSE,
        (W, P),
    ),
    Moment(
        "schulden",
        "Lange wachttijd voor het eerste gesprek",
        "Na mijn aanmelding duurde het ruim een maand voor ik iemand sprak. In die tijd "
        "kwamen er nog twee aanmaningen bij.",
        "wachttijd-schuldhulp",
        CONTEXT,
        WORSE,
        (R,),
    ),
    Moment(
        "schulden",
        "Geldcafé in de bibliotheek van {wijk}",
        "Elke woensdag helpen vrijwilligers met brieven en formulieren. Veel vragen gaan "
        "over toeslagen en de energietoeslag.",
        "aanmeldingen-schuldhulp",
        CONTEXT,
        BETTER,
        (P,),
    ),
    Moment(
        "schulden",
        "Energietoeslag bereikt niet iedereen",
        "Wie net boven de grens zit, kreeg niets. Juist die gezinnen zien we nu met "
        "achterstanden bij de energieleverancier.",
        "vroegsignalen-betalingsachterstand",
        CONSEQUENCE,
        WORSE,
        (W, P),
        "energy",
    ),
    Moment(
        "schulden",
        "Uitstel van betaling tijdens corona",
        "Schuldeisers waren soepeler en incasso's lagen stil. Daardoor kwamen er minder "
        "aanmeldingen, maar we verwachten een inhaalgolf.",
        "aanmeldingen-schuldhulp",
        CONTRADICTS,
        UNCLEAR,
        (P,),
        "pandemic",
    ),
]

OBSERVATIONS: dict[str, list[str]] = {
    "jeugd": [
        "Op school merkten we dat het gezin minder vaak bij de ouderavond was.",
        "De huisarts verwijst sneller door dan vroeger, zegt hij zelf.",
        "Het gaat vaak om gezinnen met meerdere zorgen tegelijk: geld, huisvesting, opvoeding.",
        "Ouders weten de weg naar het wijkteam nog niet altijd te vinden.",
        "In deze wijk wonen veel jonge gezinnen in kleine flats.",
    ],
    "ondersteuning-thuis": [
        "De buren hielden een oogje in het zeil, maar dat houdt niet eeuwig stand.",
        "Veel ouderen in deze straat hebben geen kinderen in de buurt.",
        "Het formulier was lastig; zonder hulp van de buurvrouw was het niet gelukt.",
        "De huishoudelijke hulp is vaak de enige die nog regelmatig langskomt.",
        "Vrijwilligers signaleren meer dan je in een registratie terugziet.",
    ],
    "werk-en-inkomen": [
        "De afstand tot werk is vaak groter dan alleen een gebrek aan diploma's.",
        "Kinderopvang en reistijd bepalen of een baan haalbaar is.",
        "Werkgevers zijn bereid, maar willen wel een vast aanspreekpunt.",
        "De regels rond bijverdienen schrikken mensen af.",
        "Wie lang thuis zat, heeft eerst weer structuur nodig.",
    ],
    "schulden": [
        "De eerste stap is vaak gewoon samen de post openmaken.",
        "Veel mensen kennen de regelingen niet waar ze recht op hebben.",
        "Vaste lasten stijgen sneller dan de inkomens in deze wijk.",
        "Het gaat lang niet altijd om grote bedragen; de kosten lopen op door boetes.",
        "Een vast gezicht bij de schuldhulp maakt het verschil.",
    ],
}

QUOTES: dict[AuthorRole, list[str]] = {
    AuthorRole.resident: [
        "Ik wist niet dat je hiervoor bij de gemeente terecht kon.",
        "Het voelde alsof ik steeds opnieuw mijn verhaal moest doen.",
        "Eindelijk iemand die gewoon luisterde.",
        "We redden het nu, maar het scheelde niet veel.",
        "Ik schaamde me, maar achteraf had ik eerder moeten bellen.",
    ],
    AuthorRole.partner: [
        "We zien het bij ons eerder dan het in de cijfers staat.",
        "Samen met het wijkteam konden we snel schakelen.",
        "Onze vrijwilligers lopen tegen grenzen aan.",
        "Dit is geen uitzondering meer; we horen het elke week.",
        "Als we eerder hadden samengewerkt, was dit voorkomen.",
    ],
    AuthorRole.professional: [
        "De systemen passen niet altijd bij wat een gezin nodig heeft.",
        "Soms is een kop koffie belangrijker dan een indicatie.",
        "We moeten kiezen, en dat wringt.",
        "Korte lijnen met de school werken het best.",
        "Ik zie dat het werkt, maar het kost veel tijd.",
    ],
}

HELPED: list[str] = [
    "een vast aanspreekpunt",
    "korte lijnen tussen wijkteam en partner",
    "hulp bij formulieren",
    "een huisbezoek in plaats van een brief",
    "een tolk bij het eerste gesprek",
    "vervoer naar de afspraak",
    "een maatje uit de buurt",
]

THEME_PARTNERS: dict[str, list[str]] = {
    "jeugd": ["Jeugdhulp Noord", "Sociaal Team Wadderveen", "Bibliotheek Wadderveen"],
    "ondersteuning-thuis": [
        "Welzijn Wadderveen",
        "Sociaal Team Wadderveen",
        "GGD Regio Wadderveen",
    ],
    "werk-en-inkomen": [
        "Voedselbank Wadderveen",
        "Sociaal Team Wadderveen",
        "Bibliotheek Wadderveen",
    ],
    "schulden": ["Schuldhulp Wadderveen", "Woonstichting De Vliet", "Voedselbank Wadderveen"],
}


def in_era(moment: Moment, month: date) -> bool:
    if moment.indicator == UNEXPLAINED_INDICATOR and months_between(month, UNEXPLAINED_JUMP) < 3:
        return False
    if moment.era == "any":
        return True
    start, end = ERAS[moment.era]
    return start <= month <= end


def explaining(moment: Moment) -> bool:
    return moment.relation in (EXPLAINS, CONTRADICTS)


def agrees(moment: Moment, run: SignalRun) -> bool:
    """Whether a story can explain this signal: one that tells of things getting worse
    explains a concern, and contradicts an improvement (a neutral figure's signal
    may be explained or contradicted by either)."""
    if run.meaning == "neither":
        return True
    if moment.relation == CONTRADICTS:
        return run.meaning == ("concern" if moment.assessment == BETTER else "improvement")
    wanted = {WORSE: "concern", BETTER: "improvement"}.get(moment.assessment)
    return wanted is None or run.meaning == wanted


def run_months(run: SignalRun) -> list[date]:
    """The months a story about ``run`` may have happened in (every month of a quarter)."""
    return [
        date(
            period.start.year + (period.start.month - 1 + step) // 12,
            1 + (period.start.month - 1 + step) % 12,
            1,
        )
        for period in run.periods
        for step in range(12)
        if months_between(period.start, period.end) >= step
    ]


def fits(moment: Moment, month: date, figures: Figures) -> bool:
    """A moment fits a month in its era; one that explains its figure only in a month of
    a signal of that figure it agrees with, so that every explaining link in the demo
    concerns a real signal (tests/test_demo.py)."""
    if not in_era(moment, month):
        return False
    if not explaining(moment):
        return True
    return any(
        agrees(moment, run) and month in run_months(run) for run in figures.runs[moment.indicator]
    )


def random_month(rng: random.Random) -> date:
    """Any month, but more often the last year: more people tell once the journal is known
    (and the last months' stories await moderation)."""
    last = months_between(FIRST_PERIOD, LAST_PERIOD)
    offset = rng.randrange(last - 11, last + 1) if rng.random() < 0.2 else rng.randrange(last + 1)
    return date(FIRST_PERIOD.year + offset // 12, 1 + offset % 12, 1)


def compose_title(rng: random.Random, moment: Moment, place: str) -> str:
    """Name the place in the title, as a headline would when the moment has no slot."""
    if "{wijk}" in moment.title or rng.random() < 0.4:
        return moment.title.format(wijk=place)
    return f"{place}: {moment.title}"


def compose_body(rng: random.Random, moment: Moment, role: AuthorRole) -> str:
    parts = [moment.situation, rng.choice(OBSERVATIONS[moment.theme])]
    parts.append(f"> {rng.choice(QUOTES[role])}")
    if rng.random() < 0.35:
        helped = rng.sample(HELPED, 3)
        parts.append("Wat hielp:\n\n" + "\n".join(f"- {item}" for item in helped))
    return "\n\n".join(parts)


def compose(rng: random.Random, skeleton: Skeleton, month: date, moment: Moment) -> Narrative:
    """One published story of ``moment`` in ``month``, told by someone in a district."""
    partners = {partner.name: partner for partner in skeleton.partners}
    role = rng.choice(moment.roles)
    district = rng.choice(skeleton.districts) if rng.random() < 0.9 else None
    place = district.name if district else "Wadderveen"
    partner = partners[rng.choice(THEME_PARTNERS[moment.theme])] if role == P else None
    organisation = partner.name if partner else (f"Wijkteam {place}" if role == W else "")
    submitted = datetime.combine(
        month + timedelta(days=rng.randrange(20, 60)), time(10), tzinfo=UTC
    )
    return Narrative(
        title=compose_title(rng, moment, place),
        body=compose_body(rng, moment, role),
        occurred_on=month,
        author_role=role,
        organisation=organisation,
        area_id=district.id if district else None,
        assessment=moment.assessment,
        status=NarrativeStatus.published,
        source=NarrativeSource.invite if partner else NarrativeSource.form,
        consent=True,
        consent_reach=rng.choice(list(ConsentReach)),
        consent_version=CONSENT_VERSION,
        consent_at=submitted,
        partner_id=partner.id if partner else None,
        submitted_at=submitted,
        moderated_at=submitted + timedelta(days=3),
    )


def anchors(rng: random.Random, figures: Figures) -> list[tuple[date, Moment]]:
    """One story for every signal that some moment can explain: most signals in the demo
    are explained by a story that concerns them. The rest are read by a session, or (the
    late jump in the waiting time for debt help) by nobody yet."""
    found = []
    for slug, runs in figures.runs.items():
        for run in runs:
            choices = [
                (month, moment)
                for month in run_months(run)
                for moment in MOMENTS
                if moment.indicator == slug
                and explaining(moment)
                and agrees(moment, run)
                and in_era(moment, month)
            ]
            if choices:
                found.append(rng.choice(choices))
    return found


def add_stories(
    session: Session, skeleton: Skeleton, figures: Figures, rng: random.Random
) -> list[Narrative]:
    """Add the stories with their themes, indicators and a few contact details."""
    drafts: list[tuple[Narrative, Moment]] = []
    kept: list[Narrative] = []
    for month, moment in anchors(rng, figures):
        story = compose(rng, skeleton, month, moment)
        drafts.append((story, moment))
        kept.append(story)
    while len(drafts) < STORY_COUNT:
        month = random_month(rng)
        moment = choose_moment(rng, month, figures)
        drafts.append((compose(rng, skeleton, month, moment), moment))
    drafts.sort(key=lambda draft: draft[0].occurred_on)
    set_statuses(rng, [story for story, _moment in drafts], kept)
    session.add_all(story for story, _moment in drafts)
    session.flush()
    for story, moment in drafts:
        theme = skeleton.themes[moment.theme]
        session.add(NarrativeTheme(narrative_id=story.id, theme_id=theme.id))
        session.add(
            NarrativeIndicator(
                narrative_id=story.id,
                indicator_id=figures.indicators[moment.indicator].id,
                relation=moment.relation,
            )
        )
    for story, _moment in rng.sample(drafts, CONTACT_COUNT):
        session.add(
            NarrativeContact(
                narrative_id=story.id,
                contact=f"verhaal{story.id}@bewoner.example",
                created_at=story.submitted_at,
            )
        )
    session.flush()
    return [story for story, _moment in drafts]


def choose_moment(rng: random.Random, month: date, figures: Figures) -> Moment:
    """Prefer a moment that belongs to this period, so stories match their time."""
    fitting = [moment for moment in MOMENTS if fits(moment, month, figures)]
    specific = [moment for moment in fitting if moment.era != "any"]
    if specific and rng.random() < 0.5:
        return rng.choice(specific)
    return rng.choice(fitting)


def set_statuses(rng: random.Random, stories: list[Narrative], kept: list[Narrative]) -> None:
    """Recent stories await moderation; a few older ones were hidden (never one of the
    ``kept`` stories that explain a signal)."""
    ids = {id(story) for story in kept}
    candidates = [story for story in stories if id(story) not in ids]
    recent = [story for story in candidates if story.occurred_on >= date(2025, 3, 1)]
    for story in rng.sample(recent, PENDING_COUNT):
        story.status = NarrativeStatus.pending
        story.moderated_at = None
    older = [story for story in candidates if story.status == NarrativeStatus.published]
    for story in rng.sample(older[:-20], HIDDEN_COUNT):
        story.status = NarrativeStatus.hidden
