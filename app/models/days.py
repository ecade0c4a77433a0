"""The years every date and period in Duiding lies in, as one rule for every entrance.

A date far outside the years anyone records (``0001-01-01``, ``9999-12-31``) breaks
date arithmetic and charts later, for every reader, so it is refused where it comes
in: ``Day`` for a date field of a request body, query or form model (pydantic refuses
it with one English sentence, which ``app.forms.validated`` says in the reader's
language), ``check_day`` (``app.figures.periods``) for a date that a domain function
receives otherwise. Periods (``parse_period``) use the same years. This module sits
in the data layer so that the models' own input schemas can use ``Day``.
"""

from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from app.i18n import N_

#: The years a date or period may lie in (a period by its label: an ISO week by its ISO year).
FIRST_YEAR, LAST_YEAR = 1900, 2100
OUT_OF_RANGE = N_("'%(text)s' lies outside the years 1900 to 2100")
#: A stretch of days (an event, a chart's axis) whose end comes before its start.
END_BEFORE_START = N_("The end (%(end)s) lies before the start (%(start)s).")
#: The pydantic error type of a date outside the years (its ``ctx`` holds the ``text``).
ERROR_TYPE = "value_error"
D = TypeVar("D", date, datetime)


def within_years(day: date) -> bool:
    """Tell whether ``day`` lies within the years a date or period may lie in."""
    return FIRST_YEAR <= day.year <= LAST_YEAR


def _bounded(day: D) -> D:
    if not within_years(day):
        text = day.isoformat()
        # The message is already formatted; ``ctx`` lets a form translate it again.
        raise PydanticCustomError(ERROR_TYPE, OUT_OF_RANGE % {"text": text}, {"text": text})
    return day


#: A date within the years 1900-2100, for pydantic models and query parameters.
Day = Annotated[date, AfterValidator(_bounded)]
#: A moment within those years (a query's ``as_of``).
Moment = Annotated[datetime, AfterValidator(_bounded)]


def out_of_years(error: Mapping[str, Any]) -> str | None:
    """The typed text if pydantic's ``error`` (one of ``errors()``) is a ``Day`` refusal."""
    text = (error.get("ctx") or {}).get("text")
    if error.get("type") != ERROR_TYPE or error.get("msg") != OUT_OF_RANGE % {"text": text}:
        return None
    return text
