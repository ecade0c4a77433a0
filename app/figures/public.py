"""The JSON shapes of a figure's chart and of the timeline (DESIGN.md, /api/v1).

The signals API and the timeline API answer these models (their ``response_model``),
built here from the same domain objects the HTML pages show, so that a page and its
JSON twin cannot tell different stories. A value hidden from an anonymous reader keeps
the one documented shape everywhere: ``value`` null with ``fewer_than`` or
``withheld`` beside it, and those two fields only where something is hidden (the routes
answer with ``response_model_exclude_unset``).
"""

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.figures.context import IndicatorContext, PeriodRow, Timeline
from app.figures.explained import SignalRun, State
from app.figures.signals import Signal
from app.security.small_numbers import plain, shown


class ShownValue(BaseModel):
    """A value as one reader may see it."""

    value: float | None = Field(
        description="Null when hidden from anonymous readers: a small number (see "
        "fewer_than) or a value hidden beside one (see withheld)."
    )
    fewer_than: int | None = Field(
        default=None,
        description="Set when the value is hidden: the district value lies below this number.",
    )
    withheld: bool | None = Field(
        default=None,
        description="Set (true) when the value is hidden although it is not small: it lies "
        "beside a small one of the same period, which the total minus the other districts "
        "would otherwise give away (secondary suppression).",
    )


class TimelinePoint(ShownValue):
    """One period of a figure on the timeline."""

    period: str = Field(examples=["2024-03"])
    signal: Signal


class SignalPointPublic(TimelinePoint):
    """One period of an XmR chart: its value, its segment's limits and what it signals."""

    mean: float | None = Field(description="Null when below the small-numbers threshold.")
    lpl: float | None = Field(description="Lower process limit.")
    upl: float | None = Field(description="Upper process limit.")
    rules: list[str] = Field(examples=[["outside_limits"]])
    baseline: bool = Field(description="Whether the segment's limits are computed on it.")


class EvidencePublic(BaseModel):
    """What explains a signal: a story or a reflection session, by id."""

    kind: Literal["story", "session"]
    id: int


class SignalRunPublic(BaseModel):
    """One signal: consecutive special-cause periods with one meaning."""

    model_config = ConfigDict(populate_by_name=True)

    start: str = Field(alias="from", examples=["2024-01"])
    end: str = Field(alias="to", examples=["2024-06"])
    meaning: Signal
    rules: list[str]
    state: State
    explained_by: list[EvidencePublic]

    @classmethod
    def of(cls, run: SignalRun) -> "SignalRunPublic":
        return cls(
            start=run.first.label,
            end=run.last.label,
            meaning=run.meaning,
            rules=list(run.rules),
            state=run.state,
            explained_by=[EvidencePublic(kind=e.kind, id=e.id) for e in run.explained_by],
        )


class SignalsPublic(BaseModel):
    """An indicator's XmR chart for the municipality or one area, with its signals."""

    indicator: str = Field(description="The indicator's slug.")
    area: str | None = Field(description="The area's code; null for the whole municipality.")
    points: list[SignalPointPublic]
    signals: list[SignalRunPublic]


class TimelineItemPublic(BaseModel):
    """A story, reflection session, context event or experiment decision."""

    kind: Literal["story", "session", "event", "decision"]
    id: int
    date: dt.date
    title: str
    url: str | None


class TimelinePanelPublic(BaseModel):
    """One indicator on the timeline."""

    indicator: str = Field(description="The indicator's slug.")
    area: str | None = Field(description="The area's code; null for the whole municipality.")
    points: list[TimelinePoint]


class TimelinePublic(BaseModel):
    """Stories, sessions and context events in time order, with the indicators' signals."""

    items: list[TimelineItemPublic]
    total: int = Field(description="All matching items, regardless of limit and offset.")
    indicators: list[TimelinePanelPublic]


def _point(row: PeriodRow) -> TimelinePoint:
    return TimelinePoint(period=row.period.label, signal=row.point.signal, **shown(row.point.value))


def signals_public(context: IndicatorContext) -> SignalsPublic:
    """The signals API's answer for one figure's chart (computed on the true values)."""
    return SignalsPublic(
        indicator=context.indicator.slug,
        area=context.area.code if context.area else None,
        points=[
            SignalPointPublic(
                **_point(row).model_dump(exclude_unset=True),
                mean=plain(row.point.mean),
                lpl=plain(row.point.lpl),
                upl=plain(row.point.upl),
                rules=row.point.rules,
                baseline=row.point.baseline,
            )
            for row in context.rows
        ],
        signals=[SignalRunPublic.of(run) for run in context.runs],
    )


def timeline_public(result: Timeline, *, limit: int, offset: int) -> TimelinePublic:
    """The timeline API's answer: a page of its items, every panel whole."""
    return TimelinePublic(
        items=[
            TimelineItemPublic(kind=i.kind, id=i.id, date=i.day, title=i.title, url=i.url)
            for i in result.items[offset : offset + limit]
        ],
        total=len(result.items),
        indicators=[
            TimelinePanelPublic(
                indicator=panel.indicator.slug,
                area=panel.area.code if panel.area else None,
                points=[_point(row) for row in panel.rows],
            )
            for panel in result.panels
        ],
    )
