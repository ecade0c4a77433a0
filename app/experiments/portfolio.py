"""The portfolio: every idea and experiment by state, with what needs attention.

"Without drowning in initiatives": the portfolio warns where a theme runs more
experiments at once than its limit (set by an admin), and marks reviews that are
overdue, so that trying small never turns into a pile of pilots nobody decides on.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from app.experiments.experiments import review_overdue
from app.i18n import N_
from app.lookups import UNKNOWN
from app.models import (
    Area,
    AreaRole,
    Experiment,
    ExperimentArea,
    ExperimentStatus,
    ExperimentTheme,
    Idea,
    IdeaArea,
    IdeaState,
    IdeaTheme,
    PortfolioLimit,
    Theme,
)
from app.problems import STRICT, FieldError, Filters, Invalid

LIMIT_RANGE = N_("A limit is a whole number from 1 to 100, or empty for none.")
RUNNING = (ExperimentStatus.running, ExperimentStatus.scaled)


@dataclass
class ThemeLoad:
    theme: Theme
    running: int
    limit: int | None

    @property
    def over(self) -> bool:
        return self.limit is not None and self.running > self.limit


@dataclass
class ExperimentRow:
    experiment: Experiment
    themes: list[Theme]
    areas: list[Area]
    overdue: bool


@dataclass
class IdeaRow:
    idea: Idea
    themes: list[Theme]
    areas: list[Area]


@dataclass
class Portfolio:
    """The /experiments page: ideas by state, experiments by status, warnings."""

    ideas: dict[IdeaState, list[IdeaRow]] = field(default_factory=dict)
    experiments: dict[ExperimentStatus, list[ExperimentRow]] = field(default_factory=dict)
    loads: list[ThemeLoad] = field(default_factory=list)
    themes: list[Theme] = field(default_factory=list)
    districts: list[Area] = field(default_factory=list)
    theme: str | None = None
    area: str | None = None

    @property
    def overdue(self) -> list[ExperimentRow]:
        return [row for rows in self.experiments.values() for row in rows if row.overdue]

    @property
    def theme_options(self) -> list[tuple[str, str]]:
        return [(theme.slug, theme.name) for theme in self.themes]

    @property
    def district_options(self) -> list[tuple[str, str]]:
        return [(area.code, area.name) for area in self.districts]

    @property
    def over_limit(self) -> list[ThemeLoad]:
        return [load for load in self.loads if load.over]


def _links(session: Session, link, key: str, ids: list[int]) -> tuple[dict, dict]:
    """Themes and areas of each row (``link``: the row's theme and area link tables);
    of an experiment only the districts where it runs, not those it is compared with."""
    theme_link, area_link = link
    pilots_only = [area_link.role == AreaRole.pilot] if area_link is ExperimentArea else []
    themes: dict[int, list[Theme]] = {}
    areas: dict[int, list[Area]] = {}
    if not ids:
        return themes, areas
    for owner, theme in session.exec(
        select(getattr(theme_link, key), Theme)
        .join(Theme, Theme.id == theme_link.theme_id)
        .where(col(getattr(theme_link, key)).in_(ids))
        .order_by(Theme.name)
    ):
        themes.setdefault(owner, []).append(theme)
    for owner, area in session.exec(
        select(getattr(area_link, key), Area)
        .join(Area, Area.id == area_link.area_id)
        .where(col(getattr(area_link, key)).in_(ids), *pilots_only)
        .order_by(Area.name)
    ):
        areas.setdefault(owner, []).append(area)
    return themes, areas


def _matches(themes: list[Theme], areas: list[Area], theme: str | None, area: str | None) -> bool:
    return (not theme or any(t.slug == theme for t in themes)) and (
        not area or any(a.code == area for a in areas)
    )


def _known(
    typed: str | None, names: set[str], field: str, message: str, filters: Filters
) -> str | None:
    """``typed`` if it names one of ``names`` (None when empty); an unknown one is
    refused at ``field``, or left out when ``filters`` keeps it for the page."""

    def check() -> str | None:
        if typed and typed not in names:
            raise Invalid.at(field, message, part="query", name=typed)
        return typed or None

    return filters.read(check, None)


def portfolio(
    *,
    session: Session,
    today: date,
    theme: str | None = None,
    area: str | None = None,
    filters: Filters = STRICT,
) -> Portfolio:
    """Build the portfolio, filtered to one theme and/or district when given; an
    unknown theme or district is refused at its field (``filters`` decides how)."""
    ideas = list(session.exec(select(Idea).order_by(col(Idea.created_at).desc())))
    experiments = list(session.exec(select(Experiment).order_by(col(Experiment.review_on))))
    idea_themes, idea_areas = _links(
        session, (IdeaTheme, IdeaArea), "idea_id", [i.id for i in ideas if i.id]
    )
    exp_themes, exp_areas = _links(
        session,
        (ExperimentTheme, ExperimentArea),
        "experiment_id",
        [e.id for e in experiments if e.id],
    )
    result = Portfolio(
        ideas={state: [] for state in IdeaState},
        experiments={status: [] for status in ExperimentStatus},
        themes=list(session.exec(select(Theme).order_by(Theme.name))),
        districts=list(
            session.exec(select(Area).where(col(Area.parent_id).is_not(None)).order_by(Area.name))
        ),
        theme=theme,
        area=area,
    )
    theme = _known(theme, {t.slug for t in result.themes}, "theme", UNKNOWN[Theme], filters)
    area = _known(area, {a.code for a in result.districts}, "area", UNKNOWN[Area], filters)
    for idea in ideas:
        row = IdeaRow(idea, idea_themes.get(idea.id, []), idea_areas.get(idea.id, []))
        if _matches(row.themes, row.areas, theme, area):
            result.ideas[idea.state].append(row)
    running: Counter[int] = Counter()
    for experiment in experiments:
        shown = ExperimentRow(
            experiment,
            exp_themes.get(experiment.id, []),
            exp_areas.get(experiment.id, []),
            review_overdue(experiment, today),
        )
        if experiment.status in RUNNING:
            running.update(t.id for t in shown.themes)
        if _matches(shown.themes, shown.areas, theme, area):
            result.experiments[experiment.status].append(shown)
    limits = {row.theme_id: row.max_running for row in session.exec(select(PortfolioLimit))}
    result.loads = [
        ThemeLoad(t, running.get(t.id or 0, 0), limits.get(t.id or 0)) for t in result.themes
    ]
    return result


def set_limits(*, session: Session, limits: dict[int, int | None]) -> None:
    """Set (or, with None, lift) each theme's limit of experiments running at once."""
    errors = [
        FieldError(f"limit-{theme_id}", LIMIT_RANGE)
        for theme_id, value in limits.items()
        if value is not None and not 1 <= value <= 100
    ]
    if errors:
        raise Invalid(*errors)
    for theme_id, value in limits.items():
        row = session.get(PortfolioLimit, theme_id)
        if value is None:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(PortfolioLimit(theme_id=theme_id, max_running=value))
        else:
            row.max_running = value
            session.add(row)
    session.flush()
