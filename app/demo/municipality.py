"""The fixed skeleton of Wadderveen: the municipality, its districts, themes, partners
and the developments (context events) that colour how its figures must be read."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from app.models import (
    Area,
    AreaKind,
    ContextEvent,
    ContextEventTheme,
    Frequency,
    Partner,
    Theme,
)

MUNICIPALITY_CODE = "GM9901"
MUNICIPALITY_NAME = "Wadderveen"

# Name and share of the population; shares split municipal totals over districts.
DISTRICTS: list[tuple[str, float]] = [
    ("Centrum", 0.07),
    ("De Hoven", 0.11),
    ("Oud-Zuid", 0.12),
    ("Kanaalzone", 0.10),
    ("Molenwijk", 0.13),
    ("Vlietland", 0.09),
    ("Noorderpark", 0.08),
    ("Het Broek", 0.06),
    ("Stationskwartier", 0.07),
    ("Weideveld", 0.08),
    ("Esch", 0.05),
    ("Buitengebied", 0.04),
]

THEMES: list[tuple[str, str, str]] = [
    (
        "jeugd",
        "Jeugd",
        "Kinderen en jongeren groeien gezond en veilig op; hulp is dichtbij en op tijd.",
    ),
    (
        "ondersteuning-thuis",
        "Ondersteuning thuis",
        "Inwoners wonen zo lang mogelijk zelfstandig, met steun van mantelzorg, "
        "welzijn en Wmo-voorzieningen.",
    ),
    (
        "werk-en-inkomen",
        "Werk en inkomen",
        "Iedereen die kan werken, doet mee; wie dat (nog) niet kan, heeft een bestaanszeker "
        "inkomen.",
    ),
    (
        "schulden",
        "Schulden",
        "Geldzorgen worden vroeg gezien en opgelost voordat ze schulden worden.",
    ),
]

PARTNERS: list[str] = [
    "Sociaal Team Wadderveen",
    "Schuldhulp Wadderveen",
    "Jeugdhulp Noord",
    "Welzijn Wadderveen",
    "Voedselbank Wadderveen",
    "Woonstichting De Vliet",
    "GGD Regio Wadderveen",
    "Bibliotheek Wadderveen",
]

PANDEMIC_START = date(2020, 3, 1)
PANDEMIC_END = date(2021, 6, 30)
ENERGY_CRISIS_START = date(2022, 1, 1)
ENERGY_CRISIS_END = date(2023, 6, 30)
EARLY_SIGNALS_START = date(2022, 7, 1)
YOUTH_ACCESS_START = date(2023, 4, 1)


@dataclass(frozen=True)
class EventSpec:
    title: str
    starts_on: date
    ends_on: date | None
    description: str
    is_break: bool
    themes: tuple[str, ...]


EVENTS: list[EventSpec] = [
    EventSpec(
        "Coronapandemie: lockdowns en gesloten scholen",
        PANDEMIC_START,
        PANDEMIC_END,
        "Scholen, buurthuizen en dagbesteding gingen (deels) dicht. Veel hulp liep op "
        "afstand. Aanvragen en meldingen daalden tijdelijk, niet omdat de vraag kleiner "
        "werd maar omdat die minder zichtbaar was.",
        False,
        (),
    ),
    EventSpec(
        "Energiecrisis en hoge inflatie",
        ENERGY_CRISIS_START,
        ENERGY_CRISIS_END,
        "Sterk gestegen energierekeningen en boodschappen. Meer huishoudens met "
        "betalingsachterstanden; de energietoeslag is twee keer uitgekeerd.",
        False,
        ("werk-en-inkomen", "schulden"),
    ),
    EventSpec(
        "Start vroegsignalering met woningcorporatie en energieleveranciers",
        EARLY_SIGNALS_START,
        None,
        "Sinds juli 2022 melden Woonstichting De Vliet, de drinkwaterleverancier en "
        "energieleveranciers betalingsachterstanden aan Schuldhulp Wadderveen. Daardoor "
        "zijn er structureel meer signalen en aanmeldingen: een nieuw normaal.",
        True,
        ("schulden",),
    ),
    EventSpec(
        "Start wijkgerichte toegang jeugd",
        YOUTH_ACCESS_START,
        None,
        "Vanaf april 2023 zitten jeugdprofessionals in de wijkteams. Lichte hulp wordt "
        "eerder en dichtbij ingezet, zodat minder kinderen op een wachtlijst voor "
        "specialistische hulp komen.",
        True,
        ("jeugd",),
    ),
]


@dataclass
class Skeleton:
    """The rows later parts of the demo link to, by a readable key."""

    municipality: Area
    districts: list[Area]
    shares: list[float]
    themes: dict[str, Theme]
    partners: list[Partner]


def add_skeleton(session: Session) -> Skeleton:
    """Add the municipality, districts, themes, partners and context events."""
    municipality = Area(code=MUNICIPALITY_CODE, name=MUNICIPALITY_NAME, kind=AreaKind.municipality)
    session.add(municipality)
    session.flush()
    districts = [
        Area(
            code=f"WK9901{number:02d}",
            name=name,
            kind=AreaKind.district,
            parent_id=municipality.id,
        )
        for number, (name, _share) in enumerate(DISTRICTS, start=1)
    ]
    themes = {
        slug: Theme(slug=slug, name=name, description=description)
        for slug, name, description in THEMES
    }
    partners = [Partner(name=name) for name in PARTNERS]
    session.add_all([*districts, *themes.values(), *partners])
    session.flush()
    for spec in EVENTS:
        event = ContextEvent(
            title=spec.title,
            starts_on=spec.starts_on,
            start_frequency=Frequency.month,
            ends_on=spec.ends_on,
            end_frequency=Frequency.month if spec.ends_on else None,
            description=spec.description,
            is_break=spec.is_break,
        )
        session.add(event)
        session.flush()
        session.add_all(
            ContextEventTheme(event_id=event.id, theme_id=themes[slug].id) for slug in spec.themes
        )
    return Skeleton(
        municipality=municipality,
        districts=districts,
        shares=[share for _name, share in DISTRICTS],
        themes=themes,
        partners=partners,
    )
