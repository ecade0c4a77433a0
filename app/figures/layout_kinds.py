"""The three layouts of an import file as a plain enumeration (``app.figures.layouts``
explains them), importable without the database layer: ``duiding import csv --layout``
names it and must not load SQLModel just to print its help."""

from enum import StrEnum


class Layout(StrEnum):
    long = "long"
    wide_periods = "wide-periods"
    wide_indicators = "wide-indicators"
