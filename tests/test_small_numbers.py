"""Small numbers are hidden from anonymous readers of district figures."""

from app.i18n import gettext
from app.security.small_numbers import FEWER_THAN, Masked, applies, mask


def test_values_below_the_threshold_are_masked():
    assert mask(4, 5) == Masked(5)
    assert mask(0, 5) == Masked(5)
    assert mask(4.9, 5) == Masked(5)


def test_values_at_or_above_the_threshold_and_missing_values_are_kept():
    assert mask(5, 5) == 5
    assert mask(1234.5, 5) == 1234.5
    assert mask(None, 5) is None
    assert mask(-3, 5) == -3


def test_masked_value_reads_fewer_than_n_in_both_languages():
    masked = mask(2, 5)
    assert gettext("nl", masked.message, threshold=masked.threshold) == "minder dan 5"
    assert gettext("en", FEWER_THAN, threshold=5) == "fewer than 5"


def test_masking_applies_only_to_anonymous_readers_of_district_values():
    assert applies(public_read=True, signed_in=False, area_level=True)
    assert not applies(public_read=True, signed_in=True, area_level=True)
    assert not applies(public_read=True, signed_in=False, area_level=False)
    assert not applies(public_read=False, signed_in=False, area_level=True)
