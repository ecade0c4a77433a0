"""Stories as plain data for the JSON API and exports.

Contact details are never read here: an export cannot leak what it never selects.
"""

from collections import defaultdict
from datetime import date

from sqlmodel import Session, col, func, select

from app.models import Area, Indicator, Narrative, Theme
from app.models.narrative import (
    LinkRelation,
    NarrativeIndicator,
    NarrativeStatus,
    NarrativeTheme,
)
from app.narratives.reach import Reach, published_for
from app.narratives.submission import format_period


def story_data(session: Session, story: Narrative) -> dict:
    """Return ``story`` in the API's shape (DESIGN.md), without contact details."""
    return stories_data(session, [story])[0]


def stories_data(session: Session, stories: list[Narrative]) -> list[dict]:
    """Return ``stories`` in the API's shape, reading their areas, themes and figure
    links in three queries whatever the number of stories (a list page holds 1000)."""
    ids = [story.id for story in stories]
    area_ids = {story.area_id for story in stories if story.area_id}
    codes = dict(session.exec(select(Area.id, Area.code).where(col(Area.id).in_(area_ids))).all())
    themes: dict[int, list[str]] = defaultdict(list)
    for narrative_id, slug in session.exec(
        select(NarrativeTheme.narrative_id, Theme.slug)
        .join(Theme, col(NarrativeTheme.theme_id) == Theme.id)
        .where(col(NarrativeTheme.narrative_id).in_(ids))
        .order_by(Theme.slug)
    ):
        themes[narrative_id].append(slug)
    links: dict[int, list[tuple[str, LinkRelation]]] = defaultdict(list)
    for narrative_id, slug, relation in session.exec(
        select(
            col(NarrativeIndicator.narrative_id),
            col(Indicator.slug),
            col(NarrativeIndicator.relation),
        )
        .join(Indicator, col(NarrativeIndicator.indicator_id) == Indicator.id)
        .where(col(NarrativeIndicator.narrative_id).in_(ids))
        .order_by(Indicator.slug)
    ):
        links[narrative_id].append((slug, relation))
    return [
        {
            "id": story.id,
            "title": story.title,
            "body": story.body,
            "occurred": format_period(story.occurred_on, story.occurred_frequency),
            "author_role": story.author_role.value,
            "organisation": story.organisation,
            "area": codes.get(story.area_id) if story.area_id else None,
            "themes": themes[story.id],
            "indicators": [slug for slug, _ in links[story.id]],
            "links": [
                {"indicator": slug, "relation": relation.value}
                for slug, relation in links[story.id]
            ],
            "assessment": story.assessment.value if story.assessment else None,
            "significance": story.significance,
            "domain": story.domain_id,
            "status": story.status.value,
            "source": story.source.value,
            "consent_reach": story.consent_reach.value,
            "submitted_at": story.submitted_at.isoformat(),
        }
        for story in stories
    ]


def list_stories(
    *,
    session: Session,
    status: NarrativeStatus | None = None,
    reach: Reach = Reach.all,
    theme: str | None = None,
    area: str | None = None,
    indicator: str | None = None,
    start: date | None = None,
    end: date | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Narrative], int]:
    """Return one page of stories matching the filters, newest first, and the total.

    ``reach`` (anonymous readers, council members) keeps to published stories with
    that reach."""
    query = select(Narrative)
    if status is not None:
        query = query.where(Narrative.status == status)
    if reach != Reach.all:
        query = query.where(*published_for(reach=reach))
    if theme:
        query = query.where(
            col(Narrative.id).in_(
                select(NarrativeTheme.narrative_id)
                .join(Theme, col(Theme.id) == NarrativeTheme.theme_id)
                .where(Theme.slug == theme)
            )
        )
    if area:
        query = query.where(col(Narrative.area_id).in_(select(Area.id).where(Area.code == area)))
    if indicator:
        query = query.where(
            col(Narrative.id).in_(
                select(NarrativeIndicator.narrative_id)
                .join(Indicator, col(Indicator.id) == NarrativeIndicator.indicator_id)
                .where(Indicator.slug == indicator)
            )
        )
    if start:
        query = query.where(col(Narrative.occurred_on) >= start)
    if end:
        query = query.where(col(Narrative.occurred_on) <= end)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(Narrative.occurred_on).desc(), col(Narrative.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return list(rows), total
