"""The half-year report page (``/reports/{period}``) as one typed object (``ReportPage``),
built by one function.

The report itself is ``app.reports.content.Report`` (built live by
``app.reports.build``, or read frozen); ``read_report`` chooses the live or frozen one
and keeps only the stories the reader may see, as ``ShownReport``; a live one has its
charts drawn in the reader's language, a frozen one the charts it was frozen with. The
page is built on that object, and its twins (``.md``, ``.pdf``, ``.docx``) read the same
one. The page adds what only it shows: the council's questions, the frozen versions and, for
editors writing the live report, the stories they may choose (``tests/test_report_page.py``).
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from sqlmodel import Session, col, select

from app.audience import has_role, is_council
from app.figures.periods import Period
from app.figures.themes import get_theme
from app.models import FrozenReport, Narrative, ReportQuestion, Role, Theme, User
from app.problems import STRICT, Filters, NotFound
from app.reports import questions, service
from app.reports.build import COUNCIL_REACH, candidate_stories, half_year
from app.reports.content import Report


def theme_names(themes: list[Theme]) -> dict[str, str]:
    """Slug -> name, so a frozen version reads "Werk en inkomen", not its slug (a theme
    removed since keeps its slug)."""
    return {theme.slug: theme.name for theme in themes}


@dataclass
class ShownReport:
    """The report a reader asked for, as they may see it."""

    half: Period
    theme: Theme | None
    #: The frozen report's id; None: the live report.
    version: int | None
    report: Report

    @property
    def query(self) -> str:
        """The page's query string (``?theme=…&version=…``), or ""."""
        pairs = (("theme", self.theme.slug if self.theme else ""), ("version", self.version))
        query = urlencode({k: v for k, v in pairs if v})
        return f"?{query}" if query else ""


def read_report(
    *,
    session: Session,
    user: User | None,
    period: str,
    lang: str,
    theme: str = "",
    version: int | str | None = None,
    filters: Filters = STRICT,
) -> ShownReport:
    """The live or frozen report of half year ``period`` (and theme slug ``theme``), with
    only the stories ``user`` may see: signed in, those meant for the council; anonymous
    (DUIDING_PUBLIC_READ), those meant for the public. The live report's charts are
    drawn in ``lang``, the reader's language; a frozen one shows the charts it froze
    in ``lang`` (one frozen before every language was kept, its only ones). An unknown
    half year raises NotFound; so do an unknown theme or version, unless ``filters``
    keeps them for the page, which then shows the live report of every theme."""
    half = half_year(period)
    chosen = filters.read(
        lambda: get_theme(session=session, slug=theme) if theme else None, None, field="theme"
    )
    frozen = filters.read(lambda: _frozen(session, half, version), None, field="version")
    if frozen is None:
        report = service.live_report(session=session, half=half, lang=lang, theme=chosen)
        version = None
    else:
        version, report = frozen[0], frozen[1].in_language(lang)
    reaches = {str(reach) for reach in COUNCIL_REACH} if user else {"public"}
    return ShownReport(half, chosen, version, report.without_stories_beyond(reaches))


def _frozen(session: Session, half: Period, version: int | str | None) -> tuple[int, Report] | None:
    """The frozen report numbered ``version`` (None when not asked for); a version that
    is no number is as unknown as one never frozen."""
    if version is None or version == "":
        return None
    if isinstance(version, str):
        if not version.strip().isdigit():
            raise NotFound(service.UNKNOWN_VERSION)
        version = int(version)
    return version, service.frozen_report(session=session, half=half, version=version)


@dataclass
class ReportPage:
    """What the report page shows: the report, the council's questions to it, its frozen
    versions and, for editors writing the live report, the stories to choose from."""

    shown: ShownReport
    #: The questions to this report (this version, or the live one), oldest first.
    questions: list[ReportQuestion]
    #: Question id -> who asked it (an e-mail address); for editors only, else empty.
    asked_by: dict[int, str | None]
    can_ask: bool
    can_answer: bool
    versions: list[FrozenReport]
    #: Theme slug -> name, for the versions frozen for one theme.
    theme_names: dict[str, str]
    #: Whether the reader writes the introductions and may freeze (live, editors).
    editing: bool
    #: Theme slug -> the stories an editor may choose for it; only when ``editing``.
    candidates: dict[str, list[Narrative]]
    #: A refused question or answer form's messages and what was typed, by field.
    errors: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)

    @property
    def report(self) -> Report:
        return self.shown.report

    @property
    def version(self) -> int | None:
        return self.shown.version

    @property
    def theme_slug(self) -> str:
        return self.shown.theme.slug if self.shown.theme else ""


def _asked_by(session: Session, rows: list[ReportQuestion], user: User | None) -> dict:
    """Question id -> who asked it, for editors only (an address is a contact detail)."""
    if not has_role(user, Role.editor):
        return {}
    ids = {row.asked_by_id for row in rows if row.asked_by_id}
    users = session.exec(select(User).where(col(User.id).in_(ids))).all() if ids else []
    emails = {u.id: u.email for u in users}
    return {row.id: emails.get(row.asked_by_id) if row.asked_by_id else None for row in rows}


def build_report_page(
    *,
    session: Session,
    user: User | None,
    shown: ShownReport,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> ReportPage:
    """Build the page of ``shown`` for ``user``; ``errors`` and ``values`` refill a
    refused question or answer form."""
    editing = shown.version is None and has_role(user, Role.editor)
    candidates = {}
    if editing:
        themes = [shown.theme] if shown.theme else session.exec(select(Theme)).all()
        candidates = {t.slug: candidate_stories(session, t, shown.half) for t in themes}
    rows, _ = questions.list_for(
        session=session, half=shown.half, theme=shown.theme, version=shown.version
    )
    return ReportPage(
        shown=shown,
        questions=rows,
        asked_by=_asked_by(session, rows, user),
        can_ask=is_council(user),
        can_answer=has_role(user, Role.editor),
        versions=service.frozen_versions(session=session, half=shown.half),
        theme_names=theme_names(list(session.exec(select(Theme)).all())),
        editing=editing,
        candidates=candidates,
        errors=errors or {},
        values=values or {},
    )
