"""Periods: canonical labels, import spellings, frequency checks and property tests."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.figures.periods import Period, PeriodError, parse_period, period_of
from app.figures.summary import period_words
from app.i18n import LANGUAGES
from app.models import Frequency

days = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))
frequencies = st.sampled_from(list(Frequency))
periods = st.builds(period_of, days, frequencies)


@pytest.mark.parametrize(
    ("text", "label", "start", "end"),
    [
        ("2024", "2024", date(2024, 1, 1), date(2024, 12, 31)),
        ("2024-H2", "2024-H2", date(2024, 7, 1), date(2024, 12, 31)),
        ("2024-Q1", "2024-Q1", date(2024, 1, 1), date(2024, 3, 31)),
        ("2024-02", "2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2024-W05", "2024-W05", date(2024, 1, 29), date(2024, 2, 4)),
        ("2025-W01", "2025-W01", date(2024, 12, 30), date(2025, 1, 5)),
        ("2024-03-15", "2024-03-15", date(2024, 3, 15), date(2024, 3, 15)),
        # Statistics Netherlands codes
        ("2024JJ00", "2024", date(2024, 1, 1), date(2024, 12, 31)),
        ("2024HJ02", "2024-H2", date(2024, 7, 1), date(2024, 12, 31)),
        ("2024KW04", "2024-Q4", date(2024, 10, 1), date(2024, 12, 31)),
        ("2024MM03", "2024-03", date(2024, 3, 1), date(2024, 3, 31)),
        # Spreadsheet spellings
        ("2024 Q1", "2024-Q1", date(2024, 1, 1), date(2024, 3, 31)),
        (" 2024 q3 ", "2024-Q3", date(2024, 7, 1), date(2024, 9, 30)),
        ("mrt 2024", "2024-03", date(2024, 3, 1), date(2024, 3, 31)),
        ("Maart 2024", "2024-03", date(2024, 3, 1), date(2024, 3, 31)),
        ("okt. 2024", "2024-10", date(2024, 10, 1), date(2024, 10, 31)),
        ("03-2024", "2024-03", date(2024, 3, 1), date(2024, 3, 31)),
        ("15-03-2024", "2024-03-15", date(2024, 3, 15), date(2024, 3, 15)),
    ],
)
def test_parse_accepts_canonical_and_import_spellings(text, label, start, end):
    period = parse_period(text)
    assert (period.label, str(period), period.start, period.end) == (label, label, start, end)


@pytest.mark.parametrize(
    ("text", "frequency", "message"),
    [
        (
            "2024-03",
            Frequency.quarter,
            "'2024-03' is a month, but this indicator is measured per quarter (e.g. 2024-Q1)",
        ),
        (
            "2024KW01",
            Frequency.month,
            "'2024KW01' is a quarter, but this indicator is measured per month (e.g. 2024-03)",
        ),
        (
            "2024",
            Frequency.week,
            "'2024' is a year, but this indicator is measured per week (e.g. 2024-W05)",
        ),
        (
            "soms",
            Frequency.half,
            "'soms' is not a period; this indicator is measured per half year (e.g. 2024-H1)",
        ),
        (
            "soms",
            None,
            "'soms' is not a period; write e.g. 2024, 2024-H1, 2024-Q1, 2024-03, 2024-W05 "
            "or 2024-03-15",
        ),
        ("2024-13", Frequency.month, "'2024-13' has no month 13"),
        ("2021-W53", None, "'2021-W53' names a week that year does not have"),
        ("2024-02-30", Frequency.day, "'2024-02-30' is not a date in the calendar"),
        ("foo 2024", None, "'foo 2024' names no month I know"),
        ("  ", Frequency.month, "the period is empty"),
    ],
)
def test_parse_refuses_with_a_precise_message(text, frequency, message):
    with pytest.raises(PeriodError) as caught:
        parse_period(text, frequency)
    assert str(caught.value) == message


def test_period_error_carries_a_translatable_template():
    with pytest.raises(PeriodError) as caught:
        parse_period("2024-03", Frequency.year)
    assert caught.value.template % caught.value.values == str(caught.value)
    assert caught.value.values["text"] == "2024-03"


@given(periods)
def test_label_round_trips(period):
    assert parse_period(period.label, period.frequency) == period


@given(periods)
def test_period_of_its_own_start_and_end_is_itself(period):
    assert period_of(period.start, period.frequency) == period
    assert period_of(period.end, period.frequency) == period


@given(periods)
def test_next_starts_the_day_after_the_end(period):
    following = period.next()
    assert following.start == period.end + timedelta(days=1)
    assert following.frequency == period.frequency


@given(frequencies, days, days)
def test_labels_sort_like_periods(frequency, first, second):
    a, b = period_of(first, frequency), period_of(second, frequency)
    assert (a < b) == (a.label < b.label)
    assert (a == b) == (a.label == b.label)


@given(days, frequencies)
def test_period_of_contains_the_day(day, frequency):
    period = period_of(day, frequency)
    assert period.start <= day <= period.end
    assert isinstance(period, Period)


def test_a_period_inside_the_years_keeps_its_own_message():
    """The year bound must not swallow what is really wrong with a period."""
    for text, wrong in (("2024-13", "has no month 13"), ("2024-02-30", "not a date")):
        with pytest.raises(PeriodError) as raised:
            parse_period(text)
        assert wrong in str(raised.value)
        assert "1900" not in str(raised.value)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("maart 2024", "2024-03"),
        ("March 2024", "2024-03"),
        ("1e kwartaal 2024", "2024-Q1"),
        ("1ste kwartaal 2024", "2024-Q1"),
        ("2024 kwartaal 1", "2024-Q1"),
        ("kwartaal 3 2024", "2024-Q3"),
        ("eerste kwartaal van 2024", "2024-Q1"),
        ("third quarter of 2024", "2024-Q3"),
        ("3rd quarter 2024", "2024-Q3"),
        ("eerste helft 2024", "2024-H1"),
        ("2e helft 2024", "2024-H2"),
        ("tweede halfjaar 2024", "2024-H2"),
        ("first half of 2024", "2024-H1"),
        ("H2 2024", "2024-H2"),
        ("week 5 van 2024", "2024-W05"),
        ("2024 week 5", "2024-W05"),
        ("15 maart 2024", "2024-03-15"),
        ("15 March 2024", "2024-03-15"),
        ("March 15, 2024", "2024-03-15"),
    ],
)
def test_parse_accepts_periods_in_dutch_and_english_words(text, label):
    assert parse_period(text).label == label


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("5e kwartaal 2024", "'5e kwartaal 2024' is not a period"),
        ("derde helft 2024", "'derde helft 2024' is not a period"),
        ("week 54 van 2024", "'week 54 van 2024' names a week that year does not have"),
        ("31 februari 2024", "'31 februari 2024' is not a date in the calendar"),
        ("1e kwartaal 2200", "'1e kwartaal 2200' lies outside the years 1900 to 2100"),
    ],
)
def test_words_that_name_no_period_are_refused(text, message):
    with pytest.raises(PeriodError) as error:
        parse_period(text)
    assert str(error.value).startswith(message)


def test_words_keep_the_frequency_check():
    with pytest.raises(PeriodError, match="is a quarter, but this indicator is measured per month"):
        parse_period("1e kwartaal 2024", Frequency.month)


@given(periods, st.sampled_from(LANGUAGES))
def test_period_words_read_back_as_the_same_period(period, lang):
    """What the pages write ("4e kwartaal 2025", "first half of 2025") can be typed back."""
    assert parse_period(period_words(period, lang), period.frequency) == period
