"""Validating and storing a story, shared by the story form and the JSON API.

Validation returns per-field messages (English msgids, translated when shown) and
never stores anything; storing is idempotent per ``submission_key`` so a double click
or a resent form keeps one story.
"""

import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from app.audit import record
from app.figures.periods import FIRST_YEAR, LAST_YEAR, OUT_OF_RANGE, PeriodError, check_day
from app.i18n import N_
from app.ids import posted_id
from app.models import (
    Area,
    ChangeDomain,
    Frequency,
    Indicator,
    Narrative,
    StoryRequest,
    Theme,
    User,
    utcnow,
)
from app.models.narrative import (
    Assessment,
    AuthorRole,
    ConsentReach,
    LinkRelation,
    NarrativeContact,
    NarrativeIndicator,
    NarrativeSource,
    NarrativeStatus,
    NarrativeTheme,
)
from app.narratives.significance import check_story_fields, domain_options
from app.problems import FieldError, Invalid

TITLE_MAX = 200
BODY_MAX = 10_000
ORGANISATION_MAX = 200
CONTACT_MAX = 300
FORM_ROLES = (AuthorRole.resident, AuthorRole.partner, AuthorRole.professional)

#: A story id that names no story this reader may see (pending ones count as none).
NO_STORY = N_("There is no story %(id)s.")
NO_PENDING_STORY = N_("There is no pending story %(id)s.")
MESSAGES = {
    "title_missing": N_("Give your story a title."),
    "title_long": N_("The title can be at most 200 characters."),
    "body_missing": N_("Tell your story."),
    "body_long": N_("The story can be at most 10,000 characters."),
    "occurred_bad": N_("Give a month like 2024-03 or a day like 2024-03-15."),
    "role_bad": N_("Choose who you are."),
    "organisation_long": N_("The organisation can be at most 200 characters."),
    "area_bad": N_("Choose a district from the list."),
    "themes_bad": N_("Choose themes from the list."),
    "indicators_bad": N_("Choose a figure from the list."),
    "assessment_bad": N_("Choose better, worse, mixed or unclear."),
    "consent_missing": N_("We can only use your story with your permission."),
    "reach_bad": N_("Choose how widely we may share your story."),
    "contact_long": N_("Contact details can be at most 300 characters."),
    "request_bad": N_("This question no longer exists."),
}

_MONTH = re.compile(r"^\d{4}-\d{2}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class StoryInput:
    """A validated story, ready to store."""

    title: str
    body: str
    occurred_on: date
    occurred_frequency: Frequency
    author_role: AuthorRole
    organisation: str = ""
    area_id: int | None = None
    theme_ids: list[int] = field(default_factory=list)
    indicator_ids: list[int] = field(default_factory=list)
    assessment: Assessment | None = None
    consent: bool = False
    consent_reach: ConsentReach = ConsentReach.internal
    contact: str = ""
    request_id: int | None = None
    significance: str = ""
    domain_id: int | None = None


def parse_period(text: str) -> tuple[date, Frequency] | None:
    """Read ``YYYY-MM`` (a month) or ``YYYY-MM-DD`` (a day); ``None`` if neither.

    Raises PeriodError for one outside the years every period lies in (1900-2100)."""
    text = (text or "").strip()
    try:
        if _MONTH.match(text):
            return check_day(date(int(text[:4]), int(text[5:7]), 1), text), Frequency.month
        if _DAY.match(text):
            return check_day(date.fromisoformat(text), text), Frequency.day
    except PeriodError:
        raise
    except ValueError:
        if text[:4].isdigit() and not FIRST_YEAR <= int(text[:4]) <= LAST_YEAR:
            raise PeriodError(OUT_OF_RANGE, text=text) from None
        return None
    return None


def format_period(day: date, frequency: Frequency) -> str:
    """Write a story's period back the way it was entered."""
    return day.strftime("%Y-%m") if frequency == Frequency.month else day.isoformat()


def this_month() -> str:
    """The default period of a new story."""
    return date.today().strftime("%Y-%m")


def _ids_for(session: Session, model, key, values: Sequence[str]) -> list[int] | None:
    wanted = sorted({v.strip() for v in values if v and v.strip()})
    if not wanted:
        return []
    rows = session.exec(select(model.id).where(col(key).in_(wanted))).all()
    return list(rows) if len(rows) == len(wanted) else None


def validate_story(
    *,
    session: Session,
    data: Mapping[str, str],
    themes: Sequence[str] = (),
    indicators: Sequence[str] = (),
    require_consent: bool = True,
    roles: Sequence[AuthorRole] = FORM_ROLES,
) -> StoryInput:
    """Check a submitted story; return it, or raise Invalid with a message per field."""
    errors: dict[str, str | FieldError] = {}
    title = (data.get("title") or "").strip()
    body = (data.get("body") or "").strip()
    if not title:
        errors["title"] = MESSAGES["title_missing"]
    elif len(title) > TITLE_MAX:
        errors["title"] = MESSAGES["title_long"]
    if not body:
        errors["body"] = MESSAGES["body_missing"]
    elif len(body) > BODY_MAX:
        errors["body"] = MESSAGES["body_long"]
    try:
        period = parse_period(data.get("occurred") or "")
    except PeriodError as error:
        period, errors["occurred"] = None, FieldError("occurred", error.template, error.values)
    if period is None and "occurred" not in errors:
        errors["occurred"] = MESSAGES["occurred_bad"]
    role = data.get("author_role") or ""
    if role not in [r.value for r in roles]:
        errors["author_role"] = MESSAGES["role_bad"]
    organisation = (data.get("organisation") or "").strip()
    if len(organisation) > ORGANISATION_MAX:
        errors["organisation"] = MESSAGES["organisation_long"]
    area_id = None
    if area_code := (data.get("area") or "").strip():
        area_id = session.exec(select(Area.id).where(Area.code == area_code)).first()
        if area_id is None:
            errors["area"] = MESSAGES["area_bad"]
    theme_ids = _ids_for(session, Theme, Theme.slug, themes)
    if theme_ids is None:
        errors["themes"] = MESSAGES["themes_bad"]
    indicator_ids = _ids_for(session, Indicator, Indicator.slug, indicators)
    if indicator_ids is None:
        errors["indicators"] = MESSAGES["indicators_bad"]
    assessment = data.get("assessment") or ""
    if assessment and assessment not in Assessment.__members__:
        errors["assessment"] = MESSAGES["assessment_bad"]
    consent = (data.get("consent") or "") in ("yes", "on", "true", "1")
    if require_consent and not consent:
        errors["consent"] = MESSAGES["consent_missing"]
    reach = data.get("consent_reach") or ConsentReach.internal.value
    if reach not in ConsentReach.__members__:
        errors["consent_reach"] = MESSAGES["reach_bad"]
    contact = (data.get("contact") or "").strip()
    if len(contact) > CONTACT_MAX:
        errors["contact"] = MESSAGES["contact_long"]
    significance, domain_id, domain_problems = check_story_fields(
        session, data.get("significance") or "", data.get("domain") or ""
    )
    for problem in domain_problems:
        errors[problem.field or ""] = problem.message_id
    if domain_id is not None and theme_ids is not None:
        # A domain belongs to a theme: the story is about that theme too.
        domain = session.get(ChangeDomain, domain_id)  # check_story_fields found it
        if domain is not None and domain.theme_id not in theme_ids:
            theme_ids = [*theme_ids, domain.theme_id]
    request_id = None
    if request := (data.get("request") or "").strip():
        request_id = posted_id(request)
        if request_id is None or session.get(StoryRequest, request_id) is None:
            errors["request"] = MESSAGES["request_bad"]
    if errors:
        raise Invalid(
            *(
                message if isinstance(message, FieldError) else FieldError(name, message)
                for name, message in errors.items()
            )
        )
    # Without errors each of these was read (the checks above say so at each field).
    assert period is not None and theme_ids is not None and indicator_ids is not None
    return StoryInput(
        title=title,
        body=body,
        occurred_on=period[0],
        occurred_frequency=period[1],
        author_role=AuthorRole(role),
        organisation=organisation,
        area_id=area_id,
        theme_ids=theme_ids,
        indicator_ids=indicator_ids,
        assessment=Assessment(assessment) if assessment else None,
        consent=consent,
        consent_reach=ConsentReach(reach),
        contact=contact,
        request_id=request_id,
        significance=significance,
        domain_id=domain_id,
    )


def client_hash(address: str, secret: str) -> str:
    """Keyed hash of a client address: enough to count, useless to identify."""
    return hmac.new(secret.encode(), address.encode(), hashlib.sha256).hexdigest()


def over_rate_limit(
    *, session: Session, client: str, limit: int, window: timedelta, now: datetime | None = None
) -> bool:
    """Tell whether ``client`` already sent ``limit`` stories within ``window``."""
    since = (now or utcnow()) - window
    count = session.exec(
        select(func.count())
        .select_from(Narrative)
        .where(Narrative.client_hash == client, col(Narrative.submitted_at) >= since)
    ).one()
    return count >= limit


def store_story(
    *,
    session: Session,
    story: StoryInput,
    source: NarrativeSource,
    status: NarrativeStatus = NarrativeStatus.pending,
    consent_version: str = "",
    partner_id: int | None = None,
    invite_id: int | None = None,
    submission_key: str | None = None,
    client: str | None = None,
    relation: LinkRelation = LinkRelation.context,
    user: User | None = None,
) -> tuple[Narrative, bool]:
    """Store ``story`` (flushed; the caller's transaction commits); return it and
    whether it is new. A story staff store themselves (``user``, the API) is audited
    as theirs; a submitted one enters the audit log when moderation decides on it.

    A story whose ``submission_key`` was stored before (a resend, or a concurrent
    double submit losing the race on the unique column) returns the earlier one.
    """
    if submission_key:
        earlier = _by_key(session, submission_key)
        if earlier is not None:
            return earlier, False
    narrative = Narrative(
        title=story.title,
        body=story.body,
        occurred_on=story.occurred_on,
        occurred_frequency=story.occurred_frequency,
        author_role=story.author_role,
        organisation=story.organisation,
        area_id=story.area_id,
        assessment=story.assessment,
        significance=story.significance,
        domain_id=story.domain_id,
        status=status,
        source=source,
        consent=story.consent,
        consent_reach=story.consent_reach,
        consent_version=consent_version if story.consent else "",
        consent_at=utcnow() if story.consent else None,
        partner_id=partner_id,
        invite_id=invite_id,
        request_id=story.request_id,
        submission_key=submission_key or None,
        client_hash=client,
    )
    session.add(narrative)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        earlier = _by_key(session, submission_key) if submission_key else None
        if earlier is None:
            raise
        return earlier, False
    for theme_id in story.theme_ids:
        session.add(NarrativeTheme(narrative_id=narrative.id, theme_id=theme_id))
    for indicator_id in story.indicator_ids:
        session.add(
            NarrativeIndicator(
                narrative_id=narrative.id, indicator_id=indicator_id, relation=relation
            )
        )
    if story.contact:
        session.add(NarrativeContact(narrative_id=narrative.id, contact=story.contact))
    session.flush()
    if user is not None:
        record(
            session=session, action="create", entity="narrative", entity_id=narrative.id, user=user
        )
    return narrative, True


def _by_key(session: Session, key: str) -> Narrative | None:
    return session.exec(select(Narrative).where(Narrative.submission_key == key)).first()


def choices(session: Session) -> dict:
    """Districts, themes and figures to choose from, as (value, label) pairs."""
    return {
        "areas": [(a.code, a.name) for a in session.exec(select(Area).order_by(Area.name))],
        "themes": [(t.slug, t.name) for t in session.exec(select(Theme).order_by(Theme.name))],
        "indicators": [
            (i.slug, i.name) for i in session.exec(select(Indicator).order_by(Indicator.name))
        ],
        "domains": [(d.id, d.label) for d in domain_options(session)],
    }
