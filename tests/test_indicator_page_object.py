"""The indicator page object (app/figures/indicator_page.py): what the page shows,
asserted on the object itself, and its JSON twin answering the same figure."""

from datetime import date

import pytest
from starlette.requests import Request

from app.audience import Audience
from app.figures.indicator_page import RebaseForm, build_indicator_page
from app.forms import FilterErrors
from app.models import (
    Direction,
    Experiment,
    ExperimentIndicator,
    IndicatorRelation,
    NarrativeIndicator,
    Role,
)
from app.narratives.reach import Reach
from app.problems import Invalid, NotFound
from app.security.small_numbers import Masking
from tests.factories import make_area, make_indicator, make_narrative, make_user
from tests.test_indicator_page import indicator  # noqa: F401 - the fixture
from tests.test_rebase import seeded

ANONYMOUS = Audience(user=None, reach=Reach.public, masking=Masking(signed_in=False))


def _staff(session, role: Role) -> Audience:
    return Audience(user=make_user(session, role=role), reach=Reach.all, masking=Masking())


def _page(session, audience, figure, **given):
    return build_indicator_page(
        session=session, audience=audience, indicator=figure, lang="nl", **given
    )


def _errors() -> FilterErrors:
    """The filter errors a page's request keeps (Dutch, the default language)."""
    return FilterErrors(Request({"type": "http", "headers": [], "state": {}}))


def test_the_page_holds_its_chart_guide_periods_and_related_panels(
    session,
    indicator,  # noqa: F811
):
    other = make_indicator(session, slug="aangiftes", name="Aangiftes")
    session.add(IndicatorRelation(indicator_id=indicator.id, related_id=other.id, kind="waterbed"))
    story = make_narrative(session, occurred_on=date(2026, 1, 5), consent_reach="public")
    session.add(NarrativeIndicator(narrative_id=story.id, indicator_id=indicator.id))
    session.commit()
    page = _page(session, ANONYMOUS, indicator)
    assert page.context.indicator.slug == "meldingen" and len(page.context.rows) == 25
    assert "<strong>meldingen</strong>" in page.guide and "<script>" not in page.guide
    assert page.direction == "Lower is better"  # the template translates it
    assert page.chart.spec["datasets"]["points"][-1]["label"] == "2026-01"
    assert [group.label for group in page.period_groups] == ["2024", "2025", "2026"]
    assert [group.open for group in page.period_groups] == [False, False, True]
    assert [panel.panel.indicator.slug for panel in page.related] == ["aangiftes"]
    assert [share.total for share in page.shares] == [1]
    signal = next(row for row in page.context.rows if row.run)
    assert page.period_url(signal).startswith("/indicators/meldingen?from=2026-01&to=2026-01")
    assert page.variation_of(signal.point) == "concern_high"  # higher is worse here
    assert page.state_words(signal.run) == "nog niet verklaard"


def test_experiments_for_staff_and_rebase_offers_for_editors_only(session):
    figure = seeded(session)  # a shift that has lasted since 2025-01
    experiment = Experiment(
        title="Sneller", hypothesis="Korter wachten", starts_on=date(2025, 1, 1),
        review_on=date(2025, 12, 1),
    )  # fmt: skip
    session.add(experiment)
    session.flush()
    session.add(
        ExperimentIndicator(
            experiment_id=experiment.id, indicator_id=figure.id, direction=Direction.down
        )
    )
    session.commit()
    viewer = _page(session, _staff(session, Role.viewer), figure)
    editor = _page(session, _staff(session, Role.editor), figure)
    anonymous = _page(session, ANONYMOUS, figure)
    assert [e.title for e, _ in viewer.experiments] == ["Sneller"]
    assert anonymous.experiments == []
    assert [offer.period.label for offer in editor.rebase_offers] == ["2025-01"]
    assert viewer.rebase_offers == [] and anonymous.rebase_offers == []
    assert editor.rebase_form == RebaseForm()
    sent_back = RebaseForm("2025-01", "", {"reason": "Vul dit in."})
    again = _page(session, _staff(session, Role.editor), figure, rebase_form=sent_back)
    assert again.rebase_form is sent_back


def test_a_bad_filter_is_kept_at_its_field_and_left_out(session, indicator):  # noqa: F811
    errors = _errors()
    page = _page(
        session, ANONYMOUS, indicator, area="WK999", start="2025-01", end="2025-13",
        filters=errors,
    )  # fmt: skip
    assert set(errors) == {"area", "to"}
    assert page.query.area is None and page.context.area is None
    assert (page.query.start, page.query.end) == (date(2025, 1, 1), None)  # the good bound kept
    assert page.filters == {"area": "WK999", "from": "2025-01", "to": "2025-13"}
    assert page.context.rows[0].period.label == "2025-01"
    # the chart's image keeps the bound that was read, never the refused one
    assert "from=2025-01" in page.chart.svg_url and "to=" not in page.chart.svg_url
    # without a page's errors (the API's way) the same filters raise
    with pytest.raises(NotFound):
        _page(session, ANONYMOUS, indicator, area="WK999")
    with pytest.raises(Invalid):
        _page(session, ANONYMOUS, indicator, end="2025-13")


def test_the_signals_api_answers_the_pages_figure(client, session, settings, indicator):  # noqa: F811
    settings(public_read=True)
    area = make_area(session, code="WK000101", name="Noord")
    session.commit()
    for code in (None, "WK000101"):
        page = _page(session, ANONYMOUS, indicator, area=code)
        assert page.context.area == (area if code else None)
        query = f"?area={code}" if code else ""
        answer = client.get(f"/api/v1/indicators/meldingen/signals{query}").json()
        assert page.public().model_dump(mode="json", by_alias=True, exclude_unset=True) == answer
