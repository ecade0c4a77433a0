"""The indicator page (``/indicators/{slug}``) as one typed object (``IndicatorPage``),
built by one function.

The route only parses the request and renders; the filters are resolved, the figure
read with its stories and sessions, the related panels drawn and what only some readers
see (experiments for staff, rebase offers for editors) chosen here, where tests can
assert on it without reading HTML (``tests/test_indicator_page_object.py``). The JSON
twin, ``/api/v1/indicators/{slug}/signals``, resolves its area and reads its figure
through the same ``resolve_indicator`` and ``read_indicator``; ``IndicatorPage.public``
is the page's own figure as that twin answers it.
"""

from dataclasses import dataclass, field
from datetime import date

from markupsafe import Markup
from sqlmodel import Session, col, select

from app.audience import Audience
from app.experiments.experiments import following
from app.figures.areas import get_area
from app.figures.charts import shares_chart
from app.figures.context import (
    AssessmentShare,
    IndicatorContext,
    PeriodRow,
    assessment_shares,
    indicator_context,
    related_indicators,
    small_multiples,
)
from app.figures.explained import SignalRun
from app.figures.icons import Variation, variation_of
from app.figures.page_charts import (
    Chart,
    PeriodGroup,
    assessment_labels,
    make_chart,
    period_groups,
    period_url,
)
from app.figures.periods import filter_range
from app.figures.public import SignalsPublic, signals_public
from app.figures.rebase import RebaseOffer, rebase_offers, segment_starts
from app.figures.signals import SignalPoint
from app.figures.story_pool import StoryPool
from app.figures.summary import state_words
from app.i18n import N_, gettext
from app.models import Area, Experiment, ExperimentDecision, Indicator, Role
from app.narratives.rendering import render_markdown
from app.problems import STRICT, Filters

DIRECTION_LABELS = {
    "up": N_("Higher is better"),
    "down": N_("Lower is better"),
    "neutral": N_("Neither higher nor lower is better in itself"),
}


@dataclass(frozen=True)
class IndicatorQuery:
    """One figure's filters, resolved: the indicator for the municipality or one area,
    over the days of its ``from``/``to`` periods (open where not given or refused)."""

    indicator: Indicator
    area: Area | None = None
    start: date | None = None
    end: date | None = None


@dataclass
class RebaseForm:
    """The editor's rebase form as typed: empty, or sent back with its messages."""

    period: str = ""
    reason: str = ""
    errors: dict[str, str] = field(default_factory=dict)


@dataclass
class IndicatorPage:
    """What the indicator page shows: the figure with its context, its chart, what the
    stories say, the related figures and the forms (filters, rebase)."""

    query: IndicatorQuery
    indicator: Indicator
    context: IndicatorContext
    lang: str
    #: The indicator's description, as safe HTML.
    guide: Markup
    #: Which way is better, untranslated (the template says it).
    direction: str
    chart: Chart
    period_groups: list[PeriodGroup]
    shares: list[AssessmentShare]
    shares_spec: dict
    #: The related indicators as small multiples, for the same area.
    related: list[Chart]
    #: Experiments expecting this figure to move, with their decisions; staff only.
    experiments: list[tuple[Experiment, list[ExperimentDecision]]]
    area_options: list[tuple[str, str]]
    #: The filters as typed, echoed in the filter form.
    filters: dict[str, str]
    #: Where a change has lasted; for editors only, and never applied by itself.
    rebase_offers: list[RebaseOffer]
    rebase_form: RebaseForm

    def state_words(self, run: SignalRun) -> str:
        """Whether something explains a signal, in the page's language."""
        return state_words(run, self.lang)

    def period_url(self, row: PeriodRow) -> str:
        """This page narrowed to one period."""
        return period_url(self.context, row)

    def variation_of(self, point: SignalPoint) -> Variation:
        """The variation icon of one point of this figure."""
        return variation_of(point, self.indicator.direction)

    def public(self) -> SignalsPublic:
        """The page's figure as its JSON twin (the signals API) answers it."""
        return signals_public(self.context)


def resolve_indicator(
    *,
    session: Session,
    indicator: Indicator,
    area: str | None,
    start: str | None = None,
    end: str | None = None,
    filters: Filters = STRICT,
) -> IndicatorQuery:
    """Resolve the filters: an unknown area raises NotFound and a bad period Invalid,
    unless ``filters`` keeps them for the page's fields and leaves the filter out."""
    chosen = filters.read(
        lambda: get_area(session=session, code=area) if area else None, None, field="area"
    )
    first, last = filter_range(start, end, filters=filters)
    return IndicatorQuery(indicator, chosen, first, last)


def read_indicator(
    *,
    session: Session,
    query: IndicatorQuery,
    audience: Audience,
    details: bool = True,
    pool: StoryPool | None = None,
) -> IndicatorContext:
    """The figure for ``audience`` (their masking and consent reach); without
    ``details`` only its points and signals, as the signals API answers them."""
    return indicator_context(
        session=session,
        indicator=query.indicator,
        area=query.area,
        start=query.start,
        end=query.end,
        details=details,
        masking=audience.masking,
        reach=audience.reach,
        pool=pool,
    )


def build_indicator_page(
    *,
    session: Session,
    audience: Audience,
    indicator: Indicator,
    area: str | None = None,
    start: str | None = None,
    end: str | None = None,
    lang: str,
    filters: Filters = STRICT,
    rebase_form: RebaseForm | None = None,
) -> IndicatorPage:
    """Build the page from the filters as typed (``area`` a code, ``start``/``end``
    periods); a page passes ``app.forms.FilterErrors`` as ``filters``, so that a bad
    filter is left out and said at its field. ``rebase_form`` is the editor's form sent
    back with its messages."""
    query = resolve_indicator(
        session=session, indicator=indicator, area=area, start=start, end=end, filters=filters
    )
    neighbours = related_indicators(session, indicator)
    # One read of the stories for the figure and its related charts: they share a theme,
    # whose thousands of stories each read alone again (issue 23). The related charts
    # show their whole series, so the window is open (every year).
    pool = (
        StoryPool.load(
            session, indicators=[indicator, *neighbours], area=query.area, reach=audience.reach
        )
        if neighbours
        else None
    )
    context = read_indicator(session=session, query=query, audience=audience, pool=pool)
    area_code = query.area.code if query.area else None
    related = [
        make_chart(panel, lang, {"area": area_code}, small=True)
        for panel in small_multiples(
            session=session,
            indicators=neighbours,
            area=query.area,
            masking=audience.masking,
            reach=audience.reach,
            pool=pool,
        )
    ]
    areas = session.exec(select(Area).order_by(col(Area.code))).all()
    shares = assessment_shares(context)
    svg_query = {
        "area": area_code,
        "from": start if query.start else None,
        "to": end if query.end else None,
    }
    return IndicatorPage(
        query=query,
        indicator=indicator,
        context=context,
        lang=lang,
        guide=render_markdown(indicator.description),
        direction=DIRECTION_LABELS[indicator.direction],
        chart=make_chart(context, lang, svg_query),
        period_groups=period_groups(context),
        shares=shares,
        shares_spec=shares_chart(
            shares, assessment_labels(lang), lang, gettext(lang, N_("What the stories say"))
        ),
        related=related,
        # Experiments are staff reading (as sessions are), not for anonymous readers.
        experiments=(
            following(session=session, indicator=indicator, area=query.area)
            if not audience.anonymous
            else []
        ),
        area_options=[(a.code, a.name) for a in areas],
        filters={"area": area or "", "from": start or "", "to": end or ""},
        rebase_offers=(
            rebase_offers(
                context.runs,
                segment_starts(
                    session, indicator, query.area.id if query.area else None, context.breaks
                ),
            )
            if audience.has_role(Role.editor)
            else []
        ),
        rebase_form=rebase_form or RebaseForm(),
    )
