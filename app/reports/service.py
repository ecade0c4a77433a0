"""Editing and freezing reports: introductions, chosen stories, frozen versions.

A frozen report is the complete report data (charts included) stored as JSON at the
moment an editor froze it; the changes since the previous frozen report of the same
scope (all themes, or one theme) are computed then and frozen with it. A live report
draws its charts in its reader's language; a frozen one keeps the charts it was frozen
with, drawn then in every language (its ``svg`` in the instance's language,
``DUIDING_DEFAULT_LANGUAGE``, whoever froze it), so each reader reads the document the
council was given in their own language and nothing of it is drawn again.

A story hidden later is withdrawn from every frozen report: ``withdraw_story`` removes
its text from the stored JSON (its place stays, read as "verhaal ingetrokken"), and
``frozen_report`` withdraws any story that is no longer published when it is read.
"""

from sqlmodel import Session, col, delete, select

from app import audit
from app.config import get_settings
from app.figures.periods import Period
from app.i18n import N_
from app.models import (
    FrozenReport,
    Narrative,
    NarrativeStatus,
    ReportIntro,
    ReportStory,
    Theme,
    User,
    utcnow,
)
from app.problems import Invalid, NotFound
from app.reports import questions
from app.reports.build import build_report, candidate_stories
from app.reports.changes import changes_since
from app.reports.charts import draw_in_every_language
from app.reports.content import PreviousReport, Report

INTRO_MAX = 20_000


UNKNOWN_VERSION = N_("There is no frozen report with that number for this half year.")
INTRO_TOO_LONG = N_("An introduction can be at most 20,000 characters.")


def frozen_versions(*, session: Session, half: Period) -> list[FrozenReport]:
    """The frozen reports of a half year, newest first."""
    return list(
        session.exec(
            select(FrozenReport)
            .where(FrozenReport.period == half.label)
            .order_by(col(FrozenReport.frozen_at).desc(), col(FrozenReport.id).desc())
        ).all()
    )


def _previous(session: Session, theme: Theme | None) -> FrozenReport | None:
    """The last report frozen for the same scope, whatever its half year."""
    return session.exec(
        select(FrozenReport)
        .where(FrozenReport.theme_slug == (theme.slug if theme else None))
        .order_by(col(FrozenReport.frozen_at).desc(), col(FrozenReport.id).desc())
    ).first()


def live_report(*, session: Session, half: Period, lang: str, theme: Theme | None = None) -> Report:
    """The report as it reads now, with its charts in ``lang`` (the reader's language) and
    what changed since the last frozen one."""
    report = build_report(session=session, half=half, lang=lang, theme=theme)
    previous = _previous(session, theme)
    if previous is not None:
        report.previous = PreviousReport(
            id=previous.id, period=previous.period, frozen_at=previous.frozen_at
        )
        report.changes = changes_since(Report.model_validate(previous.content), report)
        report.earlier_questions = questions.earlier(session=session, frozen_id=previous.id)
    return report


def frozen_report(*, session: Session, half: Period, version: int) -> Report:
    """A frozen report exactly as it was published."""
    row = session.get(FrozenReport, version)
    if row is None or row.period != half.label:
        raise NotFound(UNKNOWN_VERSION)
    report = Report.model_validate(row.content)
    ids = report.story_ids()
    published = session.exec(
        select(Narrative.id).where(
            col(Narrative.id).in_(ids), Narrative.status == NarrativeStatus.published
        )
    ).all()
    return report.without_withdrawn(ids - set(published))


def withdraw_story(*, session: Session, story_id: int) -> None:
    """Remove a hidden story's text from every frozen report that holds it (not
    committed: the caller hides the story in the same transaction)."""
    for row in session.exec(select(FrozenReport)).all():
        report = Report.model_validate(row.content)
        if story_id in report.story_ids():
            row.content = report.without_withdrawn({story_id}).model_dump(mode="json")
            session.add(row)


def freeze(*, session: Session, half: Period, theme: Theme | None, user: User) -> FrozenReport:
    """Keep the report as it reads now, its charts in every language (the instance's as
    its ``svg``, not the editor's: a frozen report is one document for every reader);
    later revisions of figures never change it."""
    lang = get_settings().default_language
    report = live_report(session=session, half=half, lang=lang, theme=theme)
    draw_in_every_language(report, half)
    row = FrozenReport(
        period=half.label,
        theme_slug=theme.slug if theme else None,
        content=report.model_dump(mode="json"),
        frozen_at=utcnow(),
        frozen_by_id=user.id,
    )
    session.add(row)
    session.flush()
    # The questions asked on the live report now belong to this version.
    questions.attach_to(session=session, frozen=row)
    audit.record(session=session, action="freeze", entity="report", entity_id=row.id, user=user)
    return row


def save_theme(
    *,
    session: Session,
    half: Period,
    theme: Theme,
    intro: str,
    story_ids: list[int],
    user: User,
) -> None:
    """Store the introduction of ``theme`` and the stories chosen to explain it.

    Only stories that may appear in the theme's report can be chosen; the choice
    replaces the earlier one among those stories. A text over INTRO_MAX is Invalid.
    """
    if len(intro) > INTRO_MAX:
        raise Invalid.at("intro", INTRO_TOO_LONG)
    row = session.exec(
        select(ReportIntro).where(
            ReportIntro.period == half.label, ReportIntro.theme_id == theme.id
        )
    ).first() or ReportIntro(period=half.label, theme_id=theme.id)
    row.text = intro.strip()
    row.updated_at = utcnow()
    row.updated_by_id = user.id
    session.add(row)
    allowed = {story.id for story in candidate_stories(session, theme, half)}
    session.exec(
        delete(ReportStory).where(
            col(ReportStory.period) == half.label, col(ReportStory.theme_id) == theme.id
        )
    )
    for story_id in sorted(allowed & set(story_ids)):
        session.add(ReportStory(period=half.label, theme_id=theme.id, narrative_id=story_id))
    session.flush()
    audit.record(
        session=session, action="update", entity="report_intro", entity_id=row.id, user=user
    )
