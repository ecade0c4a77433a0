"""XmR signals on hand-checked series (DESIGN.md "Signals")."""

from datetime import date

import pytest

from app.figures.periods import Period
from app.figures.signals import breaks_by_indicator, breaks_for, compute_signals, signals_for
from app.models import (
    ContextEvent,
    ContextEventTheme,
    Direction,
    Frequency,
    IndicatorBreak,
    Observation,
)
from tests.factories import make_indicator, make_theme


def monthly(values: list[float]) -> list[tuple[date, float]]:
    return [(date(2020 + i // 12, i % 12 + 1, 1), v) for i, v in enumerate(values)]


def flagged(result) -> list[tuple[float, str, list[str]]]:
    return [(p.value, p.signal, p.rules) for p in result if p.rules]


def test_outside_limits_after_screening():
    # 24 alternating 9/11 and 30: mean 270/25 = 10.8; moving ranges 23 x 2 and 19,
    # AMR 65/24 = 2.708; 19 >= 3.267 x 2.708 is screened out, AMR = 2.
    result = compute_signals(monthly([9, 11] * 12 + [30]), direction=Direction.up)
    assert result[0].mean == pytest.approx(10.8)
    assert result[0].upl == pytest.approx(10.8 + 2.66 * 2)
    assert result[0].lpl == pytest.approx(10.8 - 2.66 * 2)
    assert flagged(result) == [(30, "improvement", ["outside_limits"])]
    assert all(p.signal == "common" for p in result[:-1])


def test_screening_off_keeps_the_large_moving_range():
    result = compute_signals(
        monthly([9, 11] * 12 + [30]), direction=Direction.up, screen_outliers=False
    )
    assert result[0].upl == pytest.approx(10.8 + 2.66 * 65 / 24)


@pytest.mark.parametrize(
    ("direction", "signal"),
    [(Direction.up, "improvement"), (Direction.down, "concern"), (Direction.neutral, "neither")],
)
def test_high_point_meaning_follows_direction(direction, signal):
    result = compute_signals(monthly([9, 11] * 12 + [30]), direction=direction)
    assert flagged(result) == [(30, signal, ["outside_limits"])]


def test_rising_trend_of_seven():
    # mean 12, AMR 31/12: no point outside the limits, no shift; 9..15 rise strictly.
    result = compute_signals(
        monthly([10, 14, 10, 14, 10, 14, 9, 10, 11, 12, 13, 14, 15]), direction=Direction.down
    )
    assert [p.rules for p in result[:6]] == [[]] * 6
    assert flagged(result) == [(v, "concern", ["trend"]) for v in range(9, 16)]


def test_a_tie_breaks_a_trend():
    result = compute_signals(
        monthly([10, 14, 10, 14, 10, 14, 9, 10, 11, 11, 13, 14, 15]), direction=Direction.up
    )
    assert flagged(result) == []


def test_two_of_three_beyond_two_sigma():
    # mean 165/14 = 11.786, AMR 31/13: two-sigma line 16.015, upper limit 18.129.
    result = compute_signals(monthly([10, 12] * 5 + [16.5, 16.5, 10, 12]), direction=Direction.up)
    assert result[0].upl == pytest.approx(165 / 14 + 2.66 * 31 / 13)
    assert flagged(result) == [(16.5, "improvement", ["two_of_three"])] * 2


@pytest.mark.parametrize(
    ("direction", "low", "high"),
    [
        (Direction.up, "concern", "improvement"),
        (Direction.down, "improvement", "concern"),
        (Direction.neutral, "neither", "neither"),
    ],
)
def test_shift_on_each_side(direction, low, high):
    # mean 5.5: seven points below, then seven above, none beyond two sigma.
    result = compute_signals(
        monthly([4, 5, 4, 5, 4, 5, 4, 7, 6, 7, 6, 7, 6, 7]), direction=direction
    )
    assert [p.signal for p in result] == [low] * 7 + [high] * 7
    assert all(p.rules == ["shift"] for p in result)


def test_a_point_on_the_mean_breaks_a_shift():
    result = compute_signals(
        monthly([4, 5, 4, 5.5, 5, 4, 5, 7, 6, 7, 5.5, 6, 7, 6]), direction=Direction.up
    )
    assert result[0].mean == 5.5
    assert flagged(result) == []


def test_constant_series_has_no_special_cause():
    result = compute_signals(monthly([5.0] * 14), direction=Direction.up)
    assert {(p.mean, p.lpl, p.upl, p.signal) for p in result} == {(5.0, 5.0, 5.0, "common")}


def test_no_moving_range_across_a_missing_period():
    points = [
        (date(2024, 1, 1), 10.0),
        (date(2024, 2, 1), 12.0),
        (date(2024, 4, 1), 20.0),
        (date(2024, 5, 1), 22.0),
    ]

    def consecutive(a, b):
        return Period(a, Frequency.month).next().start == b

    with_gap = compute_signals(points, direction=Direction.up, consecutive=consecutive)
    # moving ranges 2 and 2 (not 8 across March): limits 16 -/+ 5.32.
    assert (with_gap[0].lpl, with_gap[0].upl) == pytest.approx((10.68, 21.32))
    assert flagged(with_gap) == [
        (10.0, "concern", ["outside_limits"]),
        (22.0, "improvement", ["outside_limits"]),
    ]
    chained = compute_signals(points, direction=Direction.up)
    assert chained[0].upl == pytest.approx(16 + 2.66 * 4)
    assert flagged(chained) == []


def test_break_starts_a_new_segment():
    points = monthly([10, 12, 10, 12, 20, 22, 20, 22])
    result = compute_signals(points, direction=Direction.up, breaks=[points[4][0]])
    assert [p.mean for p in result] == [11] * 4 + [21] * 4
    assert [p.upl for p in result] == pytest.approx([11 + 2.66 * 2] * 4 + [21 + 2.66 * 2] * 4)
    assert flagged(result) == []


def test_limits_are_provisional_below_twelve_points():
    assert {
        p.provisional for p in compute_signals(monthly([1, 2] * 5 + [1]), direction=Direction.up)
    } == {True}
    assert {
        p.provisional for p in compute_signals(monthly([1, 2] * 6), direction=Direction.up)
    } == {False}


def test_signals_for_uses_indicator_and_event_breaks(session):
    theme, other = make_theme(session, slug="zorg"), make_theme(session, slug="werk")
    indicator = make_indicator(
        session, themes=[theme], frequency=Frequency.month, direction=Direction.up
    )
    for i, value in enumerate([10, 12, 10, 12, 20, 22, 20, 22, 30, 32]):
        session.add(
            Observation(indicator_id=indicator.id, period_start=date(2024, i + 1, 1), value=value)
        )
    session.add(IndicatorBreak(indicator_id=indicator.id, starts_on=date(2024, 5, 1)))
    applies = ContextEvent(title="Nieuwe wet", starts_on=date(2024, 9, 15), is_break=True)
    elsewhere = ContextEvent(title="Andere regeling", starts_on=date(2024, 3, 1), is_break=True)
    session.add_all([applies, elsewhere])
    session.flush()
    session.add(ContextEventTheme(event_id=elsewhere.id, theme_id=other.id))
    session.commit()
    result = signals_for(session=session, indicator=indicator)
    assert [p.mean for p in result] == [11] * 4 + [21] * 4 + [31] * 2


def test_breaks_of_several_indicators_at_once_match_one_by_one(session):
    theme, other = make_theme(session, slug="zorg"), make_theme(session, slug="werk")
    monthly_one = make_indicator(session, themes=[theme], frequency=Frequency.month)
    quarterly = make_indicator(session, themes=[other], frequency=Frequency.quarter)
    bare = make_indicator(session, frequency=Frequency.month)
    session.add(IndicatorBreak(indicator_id=monthly_one.id, starts_on=date(2024, 5, 1)))
    everywhere = ContextEvent(title="Pandemie", starts_on=date(2020, 3, 16), is_break=True)
    themed = ContextEvent(title="Andere regeling", starts_on=date(2024, 8, 1), is_break=True)
    session.add_all([everywhere, themed])
    session.flush()
    session.add(ContextEventTheme(event_id=themed.id, theme_id=other.id))
    session.commit()
    together = breaks_by_indicator(session, [monthly_one, quarterly, bare])
    assert together == {i.id: breaks_for(session, i) for i in (monthly_one, quarterly, bare)}
    assert together[monthly_one.id] == [date(2020, 3, 1), date(2024, 5, 1)]
    assert together[quarterly.id] == [date(2020, 1, 1), date(2024, 7, 1)]
    assert together[bare.id] == [date(2020, 3, 1)]


def test_a_baseline_fixes_the_limits_on_the_first_points_of_each_segment():
    # first four points: mean 2, moving ranges 2, 2, 2 -> limits 2 +- 2.66 * 2 = -3.32 .. 7.32
    points = monthly([1, 3, 1, 3, 10, 10])
    fixed = compute_signals(points, direction=Direction.up, baseline_points=4)
    assert {p.mean for p in fixed} == {2}
    assert {round(p.upl, 2) for p in fixed} == {7.32}
    assert [p.baseline for p in fixed] == [True] * 4 + [False] * 2
    assert [(p.signal, p.rules) for p in fixed][4:] == [("improvement", ["outside_limits"])] * 2
    # on all points: mean 28/6, moving ranges 2, 2, 2, 7, 0 -> upl 4.667 + 2.66 * 2.6 = 11.58
    loose = compute_signals(points, direction=Direction.up)
    assert {round(p.upl, 2) for p in loose} == {11.58}
    assert flagged(loose) == [] and {p.baseline for p in loose} == {True}
    # a break starts a new segment with a baseline of its own: [5, 7, 5, 7] then 30
    more = monthly([1, 3, 1, 3, 10, 5, 7, 5, 7, 30])
    split = compute_signals(more, direction=Direction.up, breaks=[more[5][0]], baseline_points=4)
    assert [p.segment for p in split] == [0] * 5 + [1] * 5
    assert [p.mean for p in split] == [2] * 5 + [6] * 5
    assert [p.baseline for p in split] == [True] * 4 + [False] + [True] * 4 + [False]
    assert split[-1].rules == ["outside_limits"]
    # a segment shorter than the baseline uses all its points
    short = compute_signals(monthly([4, 6, 4]), direction=Direction.up, baseline_points=12)
    assert {p.baseline for p in short} == {True} and {p.mean for p in short} == {14 / 3}


def test_each_rule_keeps_its_own_side():
    # rising seven times while below the mean: a trend high and a shift low at once
    values = [50, 1, 2, 3, 4, 5, 6, 7, 50, 50, 50, 50, 50, 50]
    result = compute_signals(monthly(values), direction=Direction.up, screen_outliers=False)
    point = dict(zip(result[4].rules, result[4].sides, strict=True))
    assert point["trend"] == "high" and point["shift"] == "low"
    assert result[4].side == result[4].sides[0]


def test_kept_points_carry_no_instance_dictionary():
    # Every series' points are kept per data version: 120,000 at the bench's scale
    # (issue 23, memory); a slotted point has no __dict__ to spend memory on.
    point = compute_signals(monthly([9, 11] * 12), direction=Direction.up)[0]
    assert not hasattr(point, "__dict__")
    with pytest.raises(AttributeError):
        point.value = 1.0  # still frozen
