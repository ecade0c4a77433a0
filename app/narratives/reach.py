"""Consent reach: how far a submitter allowed a story to travel, honoured everywhere.

Staff (any signed-in role) read every published story: "internal" means within the
municipality. Anonymous readers (``DUIDING_PUBLIC_READ``) read only stories whose
submitters chose "public". Reports to the council add the "council" reach (see the
report module). Pending and hidden stories reach editors in moderation only.
"""

from sqlalchemy import ColumnElement

from app.audience import has_role
from app.models import ConsentReach, Narrative, NarrativeStatus, Role, User


def published_for(*, public_only: bool) -> list[ColumnElement[bool]]:
    """SQL conditions for the published stories a reader may see; ``public_only`` for
    anonymous readers."""
    conditions = [Narrative.status == NarrativeStatus.published]
    if public_only:
        conditions.append(Narrative.consent_reach == ConsentReach.public)
    return conditions


def may_read(story: Narrative | None, user: User | None) -> bool:
    """Whether ``user`` (None: anonymous) may open ``story``: editors any, staff the
    published ones, anonymous readers the published public ones."""
    if story is None:
        return False
    if has_role(user, Role.editor):
        return True
    return story.status == NarrativeStatus.published and (
        user is not None or story.consent_reach == ConsentReach.public
    )
