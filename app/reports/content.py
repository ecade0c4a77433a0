"""What a half-year report holds, as plain data that survives a JSON round trip.

The live report and a frozen one are the same shape: a frozen report is this object
stored as JSON, so the page, the Markdown and the PDF render either in the same way,
and a frozen report never changes when figures are revised later.
"""

from datetime import date, datetime

from pydantic import BaseModel, Field

from app.figures.explained import Evidence, SignalRun
from app.figures.periods import parse_period
from app.figures.summary import sentence
from app.models import Direction, Frequency


class Point(BaseModel):
    period: str
    start: date
    value: float
    mean: float
    lpl: float
    upl: float
    signal: str
    side: str | None = Field(default=None, description="high or low for a special cause.")
    in_half: bool = Field(description="The point lies in the report's half year.")


def _side_from_direction(signal: str, direction: str) -> str:
    """Where a frozen report kept no side: an improvement of a "lower is better" figure
    lies low, a concern high; a neutral figure's side is unknown and reads high."""
    desired_low = direction == "down"
    return "low" if (signal == "improvement") == desired_low and signal != "neither" else "high"


class RunPart(BaseModel):
    """A signal of the half year (app/figures/explained.py) with what explained it when
    the report was built: the same run and state the indicator page and dashboard show."""

    periods: list[str] = Field(description="The run's periods, oldest first.")
    meaning: str
    side: str | None = None
    rules: list[str]
    state: str = Field(description="unexplained, asked or explained.")
    explained_by: list[dict] = Field(default=[], description='[{"kind", "id"}]')

    def run(self) -> SignalRun:
        """The run as the one signal object, to be put in words (app/figures/summary.py)."""
        return SignalRun(
            indicator_id=0,
            area_id=None,
            meaning=self.meaning,  # type: ignore[arg-type]
            side=self.side,  # type: ignore[arg-type]
            rules=tuple(self.rules),
            periods=tuple(parse_period(label) for label in self.periods),
            state=self.state,  # type: ignore[arg-type]
            explained_by=tuple(Evidence(e["kind"], e["id"]) for e in self.explained_by),
        )


class IndicatorPart(BaseModel):
    slug: str
    name: str
    unit: str
    direction: str
    points: list[Point] = Field(description="The chart window: the half year and before it.")
    svg: str = Field(default="", description="The compact chart, rendered on the server.")
    svgs: dict[str, str] = Field(
        default={},
        description="A frozen report's chart in each language, drawn when it was frozen.",
    )
    provisional: bool = False
    frequency: str = "month"
    runs: list[RunPart] = Field(
        default=[], description="The signals that touch the half year, with their state."
    )

    def sentences(self, lang: str) -> list[str]:
        """Each signal of the half year in words, with what explains it."""
        return [
            sentence(
                part.run(),
                name=self.name,
                direction=Direction(self.direction),
                frequency=Frequency(self.frequency),
                lang=lang,
                state=True,
            )
            for part in self.runs
        ]

    @property
    def half_points(self) -> list[Point]:
        return [point for point in self.points if point.in_half]

    @property
    def signals(self) -> list[Point]:
        """The points of the half year that are more than usual variation."""
        return [p for p in self.half_points if p.signal != "common"]

    @property
    def latest(self) -> Point | None:
        return self.half_points[-1] if self.half_points else None

    @property
    def variation(self) -> str | None:
        """The variation icon of the latest point of the half year (app/figures/icons.py)."""
        latest = self.latest
        if latest is None:
            return None
        if latest.signal == "common":
            return "common"
        side = latest.side or _side_from_direction(latest.signal, self.direction)
        return f"{latest.signal}_{side}"


class StoryPart(BaseModel):
    id: int
    title: str
    occurred: str
    author_role: str
    organisation: str
    assessment: str | None
    body: str
    consent_reach: str
    links: int = Field(description="Figures and sessions the story is linked to.")
    chosen: bool = Field(description="Chosen by an editor rather than by number of links.")
    withdrawn: bool = Field(
        default=False, description="Hidden after the report was frozen: its place, no text."
    )

    def as_withdrawn(self) -> "StoryPart":
        """The story's place in a frozen report once it is withdrawn: nothing of its text."""
        return StoryPart(
            id=self.id,
            title="",
            occurred="",
            author_role="",
            organisation="",
            assessment=None,
            body="",
            consent_reach=self.consent_reach,
            links=0,
            chosen=self.chosen,
            withdrawn=True,
        )


class SignificantPart(BaseModel):
    """A story a reflection session chose as the most significant change of a domain,
    with the reason it recorded (Most Significant Change)."""

    domain: str
    story_id: int
    title: str
    reason: str
    session_title: str
    held_on: date
    consent_reach: str
    withdrawn: bool = Field(
        default=False, description="Hidden after the report was frozen: its place, no text."
    )

    def as_withdrawn(self) -> "SignificantPart":
        return self.model_copy(update={"title": "", "reason": "", "withdrawn": True})


class SessionPart(BaseModel):
    id: int
    title: str
    held_on: date
    mean: str
    do: str


class ActionPart(BaseModel):
    id: int
    description: str
    owner: str
    due_on: date | None
    done: bool
    session_title: str


class QuestionStep(BaseModel):
    status: str
    reason: str
    day: date


class QuestionPart(BaseModel):
    id: int
    text: str
    steps: list[QuestionStep]


class ResultPart(BaseModel):
    description: str
    indicators: list[str] = Field(default=[], description="Names of the figures following it.")


class RecalibrationPart(BaseModel):
    changed_on: date
    what: str
    why: str
    development: str = Field(default="", description="Title of the development behind it.")


class ExpectationPart(BaseModel):
    """What the theme expects, as the opening of its part of the report."""

    problem: str = ""
    end_picture: str = ""
    results: list[ResultPart] = []
    recalibrations: list[RecalibrationPart] = []


class DevelopmentPart(BaseModel):
    """An external development that overlaps the half year."""

    id: int
    title: str
    start: str
    end: str | None
    description: str
    is_break: bool
    themes: list[str] = Field(default=[], description="Theme names; none: all themes.")


class ExperimentFigure(BaseModel):
    """A figure an experiment follows: mean change since the start, pilot and comparison."""

    name: str
    direction: str
    pilot_change: float | None = None
    comparison_change: float | None = None


class ExperimentDecisionPart(BaseModel):
    decision: str
    day: date
    reason: str
    areas: list[str] = []


class ExperimentPart(BaseModel):
    """An experiment started, reviewed or decided in the half year, with its evidence."""

    id: int
    title: str
    hypothesis: str
    status: str
    starts_on: date
    pilots: list[str] = []
    comparisons: list[str] = []
    figures: list[ExperimentFigure] = []
    stories: int = 0
    sessions: list[str] = []
    decisions: list[ExperimentDecisionPart] = []


class ThemePart(BaseModel):
    slug: str
    name: str
    intro: str = ""
    expectations: ExpectationPart | None = None
    indicators: list[IndicatorPart] = []
    stories: list[StoryPart] = []
    sessions: list[SessionPart] = []
    actions: list[ActionPart] = []
    questions: list[QuestionPart] = []
    experiments: list[ExperimentPart] = []
    significant: list[SignificantPart] = Field(
        default=[], description="Most significant change per domain, chosen in sessions."
    )

    @property
    def actions_done(self) -> list[ActionPart]:
        return [action for action in self.actions if action.done]

    @property
    def actions_open(self) -> list[ActionPart]:
        return [action for action in self.actions if not action.done]


class Change(BaseModel):
    """One difference from the previous frozen report, in words the page translates."""

    kind: str = Field(description="revised, signal, story, action, question or intro.")
    theme: str
    subject: str
    period: str = ""
    before: str = ""
    after: str = ""
    consent_reach: str = Field(default="", description="For a story: how far it may travel.")
    story_id: int | None = Field(default=None, description="For a story: which one.")
    withdrawn: bool = Field(default=False, description="For a story: withdrawn since.")


class PreviousReport(BaseModel):
    id: int
    period: str
    frozen_at: datetime


class CouncilQuestionPart(BaseModel):
    """A council member's question to an earlier report and the staff's answer, as
    the next report lists it."""

    id: int
    period: str
    version: int | None = Field(default=None, description="The frozen report asked about.")
    question: str
    asked_on: date
    answer: str = ""
    answered_on: date | None = None


class Report(BaseModel):
    period: str
    theme: str | None = Field(default=None, description="Slug when the report covers one theme.")
    built_at: datetime
    themes: list[ThemePart]
    developments: list[DevelopmentPart] = Field(
        default=[], description="Ontwikkelingen in deze periode: developments in the half year."
    )
    previous: PreviousReport | None = None
    changes: list[Change] = []
    earlier_questions: list[CouncilQuestionPart] = Field(
        default=[], description="The council's questions to the previous frozen report."
    )

    def without_stories_beyond(self, reaches: set[str]) -> "Report":
        """A copy that keeps only stories whose consent reaches one of ``reaches``."""
        # Shallow: the figures (points, charts) are shared with the report, not copied;
        # only the lists that lose entries are new.
        themes = [
            theme.model_copy(
                update={
                    "stories": [s for s in theme.stories if s.consent_reach in reaches],
                    "significant": [s for s in theme.significant if s.consent_reach in reaches],
                }
            )
            for theme in self.themes
        ]
        changes = [c for c in self.changes if c.kind != "story" or c.consent_reach in reaches]
        return self.model_copy(update={"themes": themes, "changes": changes})

    def in_language(self, lang: str) -> "Report":
        """A copy whose charts read in ``lang`` where the report holds them in it (a
        frozen report holds every language's, drawn when it was frozen); shallow, as
        ``without_stories_beyond``."""
        themes = [
            theme.model_copy(
                update={
                    "indicators": [
                        part.model_copy(update={"svg": part.svgs[lang]})
                        if lang in part.svgs
                        else part
                        for part in theme.indicators
                    ]
                }
            )
            for theme in self.themes
        ]
        return self.model_copy(update={"themes": themes})

    def story_ids(self) -> set[int]:
        return {story.id for theme in self.themes for story in theme.stories} | {
            choice.story_id for theme in self.themes for choice in theme.significant
        }

    def without_withdrawn(self, withdrawn: set[int]) -> "Report":
        """A copy in which each story of ``withdrawn`` keeps its place and loses its text,
        also in the list of changes (which older reports name by title only)."""
        copy = self.model_copy(deep=True)
        titles = set()
        for theme in copy.themes:
            for index, story in enumerate(theme.stories):
                if story.id in withdrawn and not story.withdrawn:
                    titles.add((theme.name, story.title))
                    theme.stories[index] = story.as_withdrawn()
            theme.significant = [
                choice.as_withdrawn() if choice.story_id in withdrawn else choice
                for choice in theme.significant
            ]
        for change in copy.changes:
            if change.kind == "story" and (
                change.story_id in withdrawn
                or (change.story_id is None and (change.theme, change.subject) in titles)
            ):
                change.subject, change.withdrawn = "", True
        return copy
