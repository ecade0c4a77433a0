"""Story requests: an editor turns an unexplained signal into a question to partners.

A request names an indicator (and optionally a district and the period of the signal),
is addressed to chosen partners or to all of them (no partner rows), may be shown to
residents on the public form, and closes after its end date. An answer is an ordinary
story with ``request_id`` set, already linked to the request's indicator (as
"explains"), district and period, so that once it is published it explains the signal
like any other story of that period.

Validation raises ``Invalid`` with a message per field (English msgids, translated
when shown) and never stores anything.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, func, or_, select

from app import audit
from app.figures.periods import OUT_OF_RANGE, Period, PeriodError, check_day, parse_period
from app.i18n import N_
from app.ids import posted_id
from app.mail import notices
from app.models import (
    Area,
    Indicator,
    Narrative,
    Partner,
    StoryRequest,
    StoryRequestPartner,
    User,
)
from app.models.narrative import NarrativeStatus
from app.problems import FieldError, Invalid, NotFound

QUESTION_MAX = 1_000

MESSAGES = {
    "question_missing": N_("Write the question you want to ask."),
    "question_long": N_("The question can be at most 1,000 characters."),
    "indicator_bad": N_("Choose a figure from the list."),
    "area_bad": N_("Choose a district from the list."),
    "period_bad": N_(
        "Give a period the figure is measured in, like 2025-09 for a month or 2025-Q3 "
        "for a quarter."
    ),
    "partners_bad": N_("Choose partners from the list."),
    "closes_bad": N_("Give an end date like 2026-12-31, or leave it empty."),
    "closes_past": N_("The end date has already passed."),
}

#: Why an answer is refused; the story form shows it and stores nothing.
NOT_FOUND = N_("This question no longer exists.")
CLOSED = N_("This question is closed; answers are no longer accepted.")
NOT_ADDRESSED = N_("This question was not asked to you.")
NO_REQUEST = N_("There is no story request %(id)s.")


class NotAnswerable(Invalid):
    """The request cannot be answered by this submitter: a problem at field ``request``."""

    def __init__(self, message_id: str) -> None:
        super().__init__(FieldError("request", message_id))


@dataclass
class RequestInput:
    """A validated story request, ready to store."""

    question: str
    indicator_id: int
    area_id: int | None = None
    period_start: date | None = None
    partner_ids: list[int] = field(default_factory=list)
    public: bool = False
    closes_on: date | None = None


@dataclass
class RequestView:
    """A request with what every page shows about it."""

    request: StoryRequest
    indicator: Indicator
    area: Area | None
    partners: list[Partner]
    answers: int = 0
    published: int = 0

    @property
    def period(self) -> Period | None:
        """The period of the signal the request asks about, if it names one."""
        start = self.request.period_start
        return Period(start, self.indicator.frequency) if start else None

    def is_open(self) -> bool:
        return is_open(self.request)


def is_open(request: StoryRequest) -> bool:
    """Tell whether ``request`` still takes answers (its end date is inclusive)."""
    return request.closes_on is None or request.closes_on >= date.today()


def truthy(value: object) -> bool:
    """Read a checkbox or JSON flag."""
    return value is True or str(value).lower() in ("yes", "on", "true", "1")


def validate_request(
    *,
    session: Session,
    data: Mapping[str, object],
    partners: Sequence[object] = (),
) -> RequestInput:
    """Check a request from the form or the API; return it, or raise Invalid per field.

    ``data`` holds ``question``, ``indicator`` (slug), ``area`` (code), ``period``,
    ``public`` and ``closes_on`` (ISO date); ``partners`` are partner ids.
    """
    errors: dict[str, str | tuple[str, dict[str, str]]] = {}
    question = str(data.get("question") or "").strip()
    if not question:
        errors["question"] = MESSAGES["question_missing"]
    elif len(question) > QUESTION_MAX:
        errors["question"] = MESSAGES["question_long"]
    slug = str(data.get("indicator") or "").strip()
    indicator = (
        session.exec(select(Indicator).where(Indicator.slug == slug)).first() if slug else None
    )
    if indicator is None:
        errors["indicator"] = MESSAGES["indicator_bad"]
    area_id = None
    if code := str(data.get("area") or "").strip():
        area_id = session.exec(select(Area.id).where(Area.code == code)).first()
        if area_id is None:
            errors["area"] = MESSAGES["area_bad"]
    period_start = None
    if (text := str(data.get("period") or "").strip()) and indicator is not None:
        try:
            period_start = parse_period(text, indicator.frequency).start
        except PeriodError as error:
            out = error.template == OUT_OF_RANGE
            errors["period"] = (OUT_OF_RANGE, {"text": text}) if out else MESSAGES["period_bad"]
    partner_ids = _partner_ids(session, partners)
    if partner_ids is None:
        errors["partners"] = MESSAGES["partners_bad"]
    closes_on = None
    if closing := str(data.get("closes_on") or "").strip():
        try:
            closes_on = check_day(date.fromisoformat(closing), closing)
        except PeriodError:
            errors["closes_on"] = (OUT_OF_RANGE, {"text": closing})
        except ValueError:
            errors["closes_on"] = MESSAGES["closes_bad"]
        else:
            if closes_on < date.today():
                errors["closes_on"] = MESSAGES["closes_past"]
    if errors or indicator is None:
        raise Invalid(
            *(
                FieldError(field, *message)
                if isinstance(message, tuple)
                else FieldError(field, message)
                for field, message in errors.items()
            )
        )
    return RequestInput(
        question=question,
        indicator_id=indicator.id,
        area_id=area_id,
        period_start=period_start,
        partner_ids=partner_ids or [],
        public=truthy(data.get("public")),
        closes_on=closes_on,
    )


def _partner_ids(session: Session, values: Sequence[object]) -> list[int] | None:
    wanted: set[int] = set()
    for value in values:
        if not str(value).strip():
            continue
        if (partner_id := posted_id(value)) is None:
            return None
        wanted.add(partner_id)
    if not wanted:
        return []
    found = session.exec(select(Partner.id).where(col(Partner.id).in_(wanted))).all()
    return sorted(wanted) if len(found) == len(wanted) else None


def create_request(*, session: Session, request: RequestInput, user: User) -> StoryRequest:
    """Store a request with its partners, and record it in the audit."""
    row = StoryRequest(
        question=request.question,
        indicator_id=request.indicator_id,
        area_id=request.area_id,
        period_start=request.period_start,
        public=request.public,
        closes_on=request.closes_on,
        created_by_id=user.id,
    )
    session.add(row)
    session.flush()
    for partner_id in request.partner_ids:
        session.add(StoryRequestPartner(request_id=row.id, partner_id=partner_id))
    session.flush()
    audit.record(
        session=session, action="create", entity="story_request", entity_id=row.id, user=user
    )
    notices.request_addressed(session=session, request=row)  # queued; sent by the worker
    return row


def get_request(*, session: Session, request_id: int) -> StoryRequest:
    """Return the story request ``request_id``; raise NotFound otherwise."""
    row = session.get(StoryRequest, request_id)
    if row is None:
        raise NotFound(NO_REQUEST, id=request_id)
    return row


def _views(session: Session, requests: Sequence[StoryRequest]) -> list[RequestView]:
    """Attach indicators, areas, partners and answer counts, in a fixed number of queries."""
    if not requests:
        return []
    ids = [r.id for r in requests]
    indicators = {
        i.id: i
        for i in session.exec(
            select(Indicator).where(col(Indicator.id).in_({r.indicator_id for r in requests}))
        )
    }
    area_ids = {r.area_id for r in requests if r.area_id}
    areas = {a.id: a for a in session.exec(select(Area).where(col(Area.id).in_(area_ids)))}
    partners: dict[int, list[Partner]] = {}
    for request_id, partner in session.exec(
        select(StoryRequestPartner.request_id, Partner)
        .join(Partner, col(Partner.id) == StoryRequestPartner.partner_id)
        .where(col(StoryRequestPartner.request_id).in_(ids))
        .order_by(col(Partner.name))
    ):
        partners.setdefault(request_id, []).append(partner)
    counts: dict[int, list[int]] = {}
    for answered, status, n in session.exec(
        select(col(Narrative.request_id), col(Narrative.status), func.count())
        .where(col(Narrative.request_id).in_(ids))
        .group_by(col(Narrative.request_id), col(Narrative.status))
    ):
        if answered is None:  # the filter above names requests only
            continue
        total = counts.setdefault(answered, [0, 0])
        if status != NarrativeStatus.hidden:
            total[0] += n
        if status == NarrativeStatus.published:
            total[1] += n
    return [
        RequestView(
            request=r,
            indicator=indicators[r.indicator_id],
            area=areas.get(r.area_id) if r.area_id else None,
            partners=partners.get(r.id, []),
            answers=counts.get(r.id, [0, 0])[0],
            published=counts.get(r.id, [0, 0])[1],
        )
        for r in requests
    ]


def _open_clause():
    return or_(col(StoryRequest.closes_on).is_(None), col(StoryRequest.closes_on) >= date.today())


def list_requests(
    *,
    session: Session,
    open_only: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[RequestView], int]:
    """Requests, newest first, with their answer counts; and how many there are."""
    query = select(StoryRequest)
    counting = select(func.count()).select_from(StoryRequest)
    if open_only:
        query = query.where(_open_clause())
        counting = counting.where(_open_clause())
    rows = session.exec(
        query.order_by(col(StoryRequest.created_at).desc(), col(StoryRequest.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return _views(session, rows), session.exec(counting).one()


def open_requests_for(
    *,
    session: Session,
    partner: Partner | None,
    public: bool,
) -> list[RequestView]:
    """Open requests a submitter may answer, newest first.

    A partner (invite link) sees those addressed to it or to all partners; a resident on
    the public form only public ones; signed-in staff every open request.
    """
    query = select(StoryRequest).where(_open_clause())
    if partner is not None:
        addressed = select(StoryRequestPartner.request_id)
        mine = addressed.where(StoryRequestPartner.partner_id == partner.id)
        query = query.where(
            or_(col(StoryRequest.id).in_(mine), col(StoryRequest.id).not_in(addressed))
        )
    elif public:
        query = query.where(col(StoryRequest.public).is_(True))
    rows = session.exec(
        query.order_by(col(StoryRequest.created_at).desc(), col(StoryRequest.id).desc())
    ).all()
    return _views(session, rows)


def request_view(session: Session, request: StoryRequest) -> RequestView:
    """One request with its indicator, area, partners and answer counts."""
    return _views(session, [request])[0]


def answerable(
    *,
    session: Session,
    request_id: int | str | None,
    partner: Partner | None,
    public: bool,
) -> RequestView:
    """Return the request this submitter may answer, or raise ``NotAnswerable``."""
    found = posted_id(request_id)
    request = session.get(StoryRequest, found) if found else None
    if request is None:
        raise NotAnswerable(NOT_FOUND)
    view = request_view(session, request)
    if partner is not None:
        allowed = not view.partners or any(p.id == partner.id for p in view.partners)
    else:
        allowed = request.public or not public
    if not allowed:
        # Not telling an outsider that a request exists is kinder than "forbidden".
        raise NotAnswerable(NOT_ADDRESSED if partner is not None else NOT_FOUND)
    if not is_open(request):
        raise NotAnswerable(CLOSED)
    return view


def answer_fields(view: RequestView) -> dict[str, str | list[str]]:
    """The story form fields an answer is fixed to: the signal's figure, district and period.

    A story's period is a month or a day; a signal of a longer period (a quarter, a year)
    is answered for its first month, which lies inside it.
    """
    period = view.period
    if period is None:
        occurred = ""
    elif period.start.day == 1:
        occurred = period.start.strftime("%Y-%m")
    else:
        occurred = period.start.isoformat()
    return {
        "indicators": [view.indicator.slug],
        "area": view.area.code if view.area else "",
        "occurred": occurred,
    }


def answers(session: Session, request: StoryRequest, *, published_only: bool) -> list[Narrative]:
    """The stories that answer ``request``, oldest first (hidden ones never)."""
    statuses = [NarrativeStatus.published]
    if not published_only:
        statuses.append(NarrativeStatus.pending)
    return list(
        session.exec(
            select(Narrative)
            .where(Narrative.request_id == request.id, col(Narrative.status).in_(statuses))
            .order_by(col(Narrative.submitted_at), col(Narrative.id))
        ).all()
    )
