"""Wadderveen's indicators and their generated series.

Each series is built from readable parts (a level, seasonality, the lockdowns of the
pandemic, the winter of the highest energy bills, passing episodes, lasting changes at
a break) plus seeded noise, tuned so that the figures read like a real municipality's:
most points are usual variation, with a handful of real signals: the lockdowns, the
energy winter, a waiting list that grew before the youth teams started, a staff
shortage, a recent rise in work, and one late jump that no story or session explains
yet (wachttijd-schuldhulp from 2025-09). tests/test_demo.py holds the shares.
"""

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert
from sqlmodel import Session

from app.demo.municipality import (
    EARLY_SIGNALS_START,
    YOUTH_ACCESS_START,
    Skeleton,
)
from app.figures.explained import SignalRun, signal_runs
from app.figures.signals import signals_for
from app.models import (
    Direction,
    Frequency,
    Indicator,
    IndicatorBreak,
    IndicatorRelation,
    IndicatorTheme,
    Observation,
    RelationKind,
)

FIRST_PERIOD = date(2020, 1, 1)
LAST_PERIOD = date(2025, 12, 1)
UNEXPLAINED_JUMP = date(2025, 9, 1)
UNEXPLAINED_INDICATOR = "wachttijd-schuldhulp"
#: The months the pandemic closed schools and services (most figures dip only then).
LOCKDOWNS = ((date(2020, 3, 1), date(2020, 5, 1)), (date(2020, 12, 1), date(2021, 2, 1)))
#: The winter of the highest energy bills.
ENERGY_PEAK = (date(2022, 9, 1), date(2023, 3, 1))


@dataclass(frozen=True)
class Shift:
    """A lasting change by ``factor`` from ``starts_on``, reached over ``ramp`` months."""

    starts_on: date
    factor: float
    ramp: int = 1


@dataclass(frozen=True)
class Spec:
    slug: str
    name: str
    unit: str
    description: str
    source: str
    frequency: Frequency
    direction: Direction
    themes: tuple[str, ...]
    level: float
    trend: float = 0.0  # relative change per year
    season: float = 0.0  # relative amplitude
    peak_month: int = 1
    pandemic: float = 1.0  # factor in the lockdown months of the pandemic
    energy: float = 1.0  # factor in the winter of the highest energy bills
    shifts: tuple[Shift, ...] = ()
    #: Passing changes: (first month, last month, factor), e.g. a staff shortage.
    episodes: tuple[tuple[date, date, float], ...] = ()
    noise: float = 0.04
    decimals: int = 0
    per_district: bool = False
    #: Whether the figure counts new cases in a period (a flow) rather than a stock.
    flow: bool = False
    breaks: tuple[tuple[date, str], ...] = ()
    #: The indicator's ``baseline_points``: limits fixed on a calm start of each segment.
    baseline_points: int | None = None
    #: Which draw of the seeded noise this series uses (each series has its own stream).
    seed: int = 0


def reading(measures: str, how: str) -> str:
    """A Markdown reading guide: what the figure measures and how to read it."""
    return f"**Wat meet het?** {measures}\n\n**Hoe lees je het?** {how}"


SPECS: list[Spec] = [
    Spec(
        "wachttijd-specialistische-jeugdhulp",
        "Wachttijd specialistische jeugdhulp",
        "weken",
        reading(
            "De gemiddelde tijd tussen verwijzing en start van specialistische jeugdhulp, "
            "over alle jeugdigen die die maand startten.",
            "Korter is beter, maar let op de inzet van lichte ondersteuning: een kortere "
            "wachtlijst kan betekenen dat hulp verschuift (waterbed).",
        ),
        "Eigen registratie",
        Frequency.month,
        Direction.down,
        ("jeugd",),
        level=14.0,
        pandemic=1.12,
        shifts=(Shift(date(2021, 7, 1), 1.3, ramp=6), Shift(YOUTH_ACCESS_START, 0.55)),
        noise=0.05,
        decimals=1,
        breaks=((YOUTH_ACCESS_START, "Start wijkgerichte toegang jeugd"),),
        baseline_points=12,
        seed=25,
    ),
    Spec(
        "inzet-lichte-ondersteuning",
        "Inzet lichte ondersteuning jeugd",
        "trajecten",
        reading(
            "Het aantal lopende trajecten lichte ondersteuning door de wijkteams "
            "(opvoedsteun, een maatje, korte gezinscoaching).",
            "Geen goed of fout: meer lichte steun kan zwaardere hulp voorkomen, maar kan "
            "ook wachtende vraag verbergen. Lees het samen met de wachttijd.",
        ),
        "Eigen registratie",
        Frequency.month,
        Direction.neutral,
        ("jeugd",),
        level=190.0,
        season=0.05,
        peak_month=10,
        pandemic=0.88,
        shifts=(Shift(YOUTH_ACCESS_START, 1.45, ramp=2),),
        per_district=True,
        breaks=((YOUTH_ACCESS_START, "Start wijkgerichte toegang jeugd"),),
        seed=53,
    ),
    Spec(
        "lopende-jeugdhulptrajecten",
        "Lopende jeugdhulptrajecten",
        "trajecten",
        reading(
            "Alle jeugdhulptrajecten (licht en specialistisch) die op de eerste van de "
            "maand lopen, per wijk van de jeugdige.",
            "Een stijging is niet vanzelf slecht; vergelijk wijken met de verhalen uit die wijk.",
        ),
        "Eigen registratie",
        Frequency.month,
        Direction.neutral,
        ("jeugd",),
        level=820.0,
        season=0.01,
        peak_month=11,
        episodes=((date(2024, 10, 1), date(2025, 2, 1), 1.1),),
        noise=0.03,
        per_district=True,
        seed=31,
    ),
    Spec(
        "meldingen-schoolverzuim",
        "Meldingen schoolverzuim",
        "meldingen",
        reading(
            "Meldingen van ongeoorloofd verzuim bij de leerplichtambtenaar.",
            "Seizoensgebonden: rond de zomervakantie minder meldingen. Vergelijk met "
            "dezelfde maand in andere jaren.",
        ),
        "Leerplicht Wadderveen",
        Frequency.month,
        Direction.down,
        ("jeugd",),
        level=48.0,
        season=0.06,
        peak_month=2,
        pandemic=0.6,
        noise=0.08,
        seed=4,
    ),
    Spec(
        "aanvragen-wmo",
        "Aanvragen Wmo-ondersteuning",
        "aanvragen",
        reading(
            "Nieuwe aanvragen voor ondersteuning thuis (huishoudelijke hulp, "
            "begeleiding, hulpmiddelen), per wijk van de aanvrager.",
            "Een daling hoeft geen minder vraag te betekenen: tijdens de pandemie meldden "
            "mensen zich minder.",
        ),
        "Eigen registratie",
        Frequency.month,
        Direction.neutral,
        ("ondersteuning-thuis",),
        level=240.0,
        season=0.02,
        peak_month=1,
        pandemic=0.75,
        episodes=((date(2021, 9, 1), date(2022, 2, 1), 1.14),),
        noise=0.02,
        per_district=True,
        flow=True,
        seed=13,
    ),
    Spec(
        "doorlooptijd-wmo",
        "Doorlooptijd Wmo-aanvraag",
        "dagen",
        reading(
            "Gemiddeld aantal dagen van melding tot besluit over Wmo-ondersteuning.",
            "Korter is beter; de wettelijke termijn voor onderzoek is zes weken.",
        ),
        "Eigen registratie",
        Frequency.month,
        Direction.down,
        ("ondersteuning-thuis",),
        level=38.0,
        season=0.03,
        peak_month=8,
        episodes=((date(2024, 9, 1), date(2025, 3, 1), 1.2),),
        noise=0.05,
        seed=29,
    ),
    Spec(
        "ondersteunde-mantelzorgers",
        "Ondersteunde mantelzorgers",
        "mantelzorgers",
        reading(
            "Mantelzorgers die dat kwartaal steun kregen van Welzijn Wadderveen "
            "(advies, respijt, lotgenotencontact).",
            "Meer is hier beter: het laat zien dat overbelaste mantelzorgers bereikt worden.",
        ),
        "Welzijn Wadderveen",
        Frequency.quarter,
        Direction.up,
        ("ondersteuning-thuis",),
        level=310.0,
        pandemic=0.75,
        episodes=((date(2025, 1, 1), date(2025, 12, 1), 1.15),),
        noise=0.04,
        seed=7,
    ),
    Spec(
        "huisbezoeken-ouderen",
        "Huisbezoeken bij ouderen (75+)",
        "bezoeken",
        reading(
            "Preventieve huisbezoeken door vrijwilligers bij inwoners van 75 jaar en ouder.",
            "Meer is beter; tijdens de pandemie werden bezoeken telefoontjes.",
        ),
        "Welzijn Wadderveen",
        Frequency.quarter,
        Direction.up,
        ("ondersteuning-thuis",),
        level=420.0,
        pandemic=0.55,
        noise=0.05,
        seed=1,
    ),
    Spec(
        "huishoudens-bijstand",
        "Huishoudens met bijstand",
        "huishoudens",
        reading(
            "Huishoudens met een bijstandsuitkering (Participatiewet) op de eerste van "
            "de maand, per wijk.",
            "Lager is beter, maar beweegt mee met de arbeidsmarkt. Vergelijk met de "
            "uitstroom naar werk.",
        ),
        "CBS / eigen registratie",
        Frequency.month,
        Direction.down,
        ("werk-en-inkomen",),
        level=1450.0,
        episodes=((date(2020, 6, 1), date(2020, 12, 1), 1.05),),
        noise=0.015,
        per_district=True,
        seed=41,
    ),
    Spec(
        "uitstroom-naar-werk",
        "Uitstroom uit bijstand naar werk",
        "personen",
        reading(
            "Personen die die maand de bijstand verlieten omdat ze werk vonden.",
            "Hoger is beter; schommelt sterk per maand, kijk naar de lijn over meerdere maanden.",
        ),
        "Eigen registratie",
        Frequency.month,
        Direction.up,
        ("werk-en-inkomen",),
        level=24.0,
        season=0.08,
        peak_month=9,
        pandemic=0.5,
        episodes=((date(2025, 6, 1), date(2025, 12, 1), 1.35),),
        noise=0.1,
        seed=43,
    ),
    Spec(
        "aanmeldingen-schuldhulp",
        "Aanmeldingen schuldhulpverlening",
        "aanmeldingen",
        reading(
            "Nieuwe aanmeldingen bij Schuldhulp Wadderveen, per wijk van het huishouden.",
            "Meer aanmeldingen kan goed nieuws zijn (mensen komen eerder) of slecht "
            "nieuws (meer geldzorgen). Lees het met de vroegsignalen.",
        ),
        "Schuldhulp Wadderveen",
        Frequency.month,
        Direction.neutral,
        ("schulden",),
        level=62.0,
        season=0.04,
        peak_month=1,
        pandemic=0.8,
        energy=1.15,
        shifts=(Shift(EARLY_SIGNALS_START, 1.3),),
        noise=0.03,
        per_district=True,
        flow=True,
        breaks=((EARLY_SIGNALS_START, "Start vroegsignalering"),),
        seed=45,
    ),
    Spec(
        "vroegsignalen-betalingsachterstand",
        "Vroegsignalen betalingsachterstand",
        "signalen",
        reading(
            "Meldingen van betalingsachterstanden op huur, energie, water en "
            "zorgverzekering die bij de gemeente binnenkomen.",
            "Sinds juli 2022 melden meer partijen; vergelijk daarom vooral met de periode daarna.",
        ),
        "Eigen registratie (vroegsignalering)",
        Frequency.month,
        Direction.neutral,
        ("schulden",),
        level=90.0,
        season=0.03,
        peak_month=2,
        energy=1.2,
        shifts=(Shift(EARLY_SIGNALS_START, 2.4),),
        noise=0.07,
        breaks=((EARLY_SIGNALS_START, "Meer melders aangesloten"),),
        seed=10,
    ),
    Spec(
        UNEXPLAINED_INDICATOR,
        "Wachttijd eerste gesprek schuldhulp",
        "dagen",
        reading(
            "Gemiddeld aantal dagen tussen aanmelding en het eerste gesprek.",
            "Korter is beter; de norm is binnen drie werkdagen contact en binnen vier "
            "weken een gesprek.",
        ),
        "Schuldhulp Wadderveen",
        Frequency.month,
        Direction.down,
        ("schulden",),
        level=16.0,
        season=0.04,
        peak_month=2,
        shifts=(Shift(UNEXPLAINED_JUMP, 1.7),),
        noise=0.06,
        decimals=1,
        baseline_points=24,
    ),
    Spec(
        "huishoudens-voedselbank",
        "Huishoudens bij de voedselbank",
        "huishoudens",
        reading(
            "Huishoudens die in het kwartaal een voedselpakket kregen.",
            "Lager is beter, maar een daling kan ook komen door strengere "
            "toelatingsnormen van de voedselbank.",
        ),
        "Voedselbank Wadderveen",
        Frequency.quarter,
        Direction.down,
        ("werk-en-inkomen", "schulden"),
        level=180.0,
        energy=1.2,
        noise=0.05,
        seed=6,
    ),
]

WATERBED = ("wachttijd-specialistische-jeugdhulp", "inzet-lichte-ondersteuning")
RELATED = [
    ("lopende-jeugdhulptrajecten", "inzet-lichte-ondersteuning"),
    ("aanvragen-wmo", "doorlooptijd-wmo"),
    ("huishoudens-bijstand", "uitstroom-naar-werk"),
    ("aanmeldingen-schuldhulp", "vroegsignalen-betalingsachterstand"),
    ("aanmeldingen-schuldhulp", "wachttijd-schuldhulp"),
    ("huishoudens-voedselbank", "aanmeldingen-schuldhulp"),
]


def periods(frequency: Frequency) -> list[date]:
    """Period starts from FIRST_PERIOD to LAST_PERIOD, monthly or quarterly."""
    step = 3 if frequency == Frequency.quarter else 1
    return [
        date(year, month, 1)
        for year in range(FIRST_PERIOD.year, LAST_PERIOD.year + 1)
        for month in range(1, 13, step)
        if date(year, month, 1) <= LAST_PERIOD
    ]


def months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def within(period: date, spans: tuple[tuple[date, date], ...]) -> bool:
    return any(start <= period <= end for start, end in spans)


def expected(spec: Spec, period: date) -> float:
    """The noiseless value of ``spec`` in ``period``."""
    years = months_between(FIRST_PERIOD, period) / 12
    value = spec.level * (1 + spec.trend) ** years
    value *= 1 + spec.season * math.cos(2 * math.pi * (period.month - spec.peak_month) / 12)
    if within(period, LOCKDOWNS):
        value *= spec.pandemic
    if within(period, (ENERGY_PEAK,)):
        value *= spec.energy
    for start, end, factor in spec.episodes:
        if start <= period <= end:
            value *= factor
    for shift in spec.shifts:
        done = months_between(shift.starts_on, period) + 1
        if done > 0:
            value *= 1 + (shift.factor - 1) * min(1.0, done / shift.ramp)
    return value


def district_noise(spec: Spec, expected: float) -> float:
    """The relative noise of one district's value: a small count of new cases varies at
    least as much as chance does (sd √n); a stock (people in care) varies less."""
    chance = 1 / math.sqrt(max(expected, 1.0))
    return math.hypot(spec.noise, chance if spec.flow else chance / 3)


def recorded_at(period: date) -> datetime:
    """A pinned moment some weeks after the period, when the figure 'came in'."""
    return datetime.combine(period + timedelta(days=45), time(9), tzinfo=UTC)


@dataclass
class Figures:
    indicators: dict[str, Indicator]
    #: The signals of each figure for the whole municipality, as every page reads them:
    #: stories that explain a figure are placed in them (app/demo/stories.py).
    runs: dict[str, list[SignalRun]] = field(default_factory=dict)


def add_figures(session: Session, skeleton: Skeleton) -> Figures:
    """Add indicators, their observations (bulk), breaks and relations."""
    indicators: dict[str, Indicator] = {}
    for spec in SPECS:
        indicators[spec.slug] = Indicator(
            slug=spec.slug,
            name=spec.name,
            unit=spec.unit,
            description=spec.description,
            source=spec.source,
            frequency=spec.frequency,
            direction=spec.direction,
            baseline_points=spec.baseline_points,
            created_at=recorded_at(FIRST_PERIOD),
            updated_at=recorded_at(LAST_PERIOD),
        )
    session.add_all(indicators.values())
    session.flush()
    rows: list[dict] = []
    for spec in SPECS:
        indicator = indicators[spec.slug]
        # every series draws from its own stream, so tuning one leaves the others as they are
        draw = random.Random(f"{spec.slug}-{spec.seed}")
        session.add_all(
            IndicatorTheme(indicator_id=indicator.id, theme_id=skeleton.themes[slug].id)
            for slug in spec.themes
        )
        session.add_all(
            IndicatorBreak(indicator_id=indicator.id, starts_on=starts_on, note=note)
            for starts_on, note in spec.breaks
        )
        weights = [share * draw.uniform(0.75, 1.3) for share in skeleton.shares]
        weight_sum = sum(weights)
        for period in periods(spec.frequency):
            base = expected(spec, period)
            if spec.per_district:
                # what moves the whole municipality, and what moves one district on top
                common = draw.gauss(1, spec.noise)
                parts = [
                    max(0.0, round(part * draw.gauss(1, district_noise(spec, part))))
                    for part in (base * common * weight / weight_sum for weight in weights)
                ]
                for district, part in zip(skeleton.districts, parts, strict=True):
                    rows.append(observation(indicator, district.id, period, part))
                total = sum(parts)
            else:
                total = round(max(0.0, base * draw.gauss(1, spec.noise)), spec.decimals)
            rows.append(observation(indicator, None, period, total))
    session.execute(insert(Observation), rows)
    waterbed_from, waterbed_to = WATERBED
    session.add(
        IndicatorRelation(
            indicator_id=indicators[waterbed_from].id,
            related_id=indicators[waterbed_to].id,
            kind=RelationKind.waterbed,
        )
    )
    session.add_all(
        IndicatorRelation(
            indicator_id=indicators[one].id,
            related_id=indicators[other].id,
            kind=RelationKind.related,
        )
        for one, other in RELATED
    )
    session.flush()
    runs = {
        slug: signal_runs(
            signals_for(session=session, indicator=indicator),
            indicator.frequency,
            indicator_id=indicator.id,
        )
        for slug, indicator in indicators.items()
    }
    return Figures(indicators=indicators, runs=runs)


def observation(indicator: Indicator, area_id: int | None, period: date, value: float) -> dict:
    return {
        "indicator_id": indicator.id,
        "area_id": area_id,
        "period_start": period,
        "value": float(value),
        "recorded_at": recorded_at(period),
        "source": "demo",
    }
