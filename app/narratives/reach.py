"""Consent reach: how far a submitter allowed a story to travel, honoured everywhere.

Staff (any signed-in staff role) read every published story: "internal" means within
the municipality. Council members (role ``council``) read the published stories whose
submitters allowed council or public reach, as in the reports to the council.
Anonymous readers (``DUIDING_PUBLIC_READ``) read only stories whose submitters chose
"public". Pending and hidden stories reach editors in moderation only.
"""

from enum import StrEnum

from sqlalchemy import ColumnElement
from sqlmodel import col

from app.audience import has_role, is_council
from app.models import ConsentReach, Narrative, NarrativeStatus, Role, User


class Reach(StrEnum):
    """Which published stories a reader may see."""

    all = "all"  # staff: every published story
    council = "council"  # council members: council and public reach
    public = "public"  # anonymous readers: public reach only


#: The consent reaches each kind of reader sees.
REACHES = {
    Reach.council: (ConsentReach.council, ConsentReach.public),
    Reach.public: (ConsentReach.public,),
}


def reach_of(user: User | None) -> Reach:
    """The reach of stories ``user`` (None: anonymous) may read."""
    if user is None:
        return Reach.public
    if is_council(user):
        return Reach.council
    return Reach.all


def published_for(*, reach: Reach = Reach.all) -> list[ColumnElement[bool]]:
    """SQL conditions for the published stories a reader of ``reach`` may see."""
    conditions = [col(Narrative.status) == NarrativeStatus.published]
    if reach in REACHES:
        conditions.append(col(Narrative.consent_reach).in_(REACHES[reach]))
    return conditions


def may_read(story: Narrative | None, user: User | None) -> bool:
    """Whether ``user`` (None: anonymous) may open ``story``: editors any, staff the
    published ones, council members the published council-reach ones, anonymous
    readers the published public ones."""
    if story is None:
        return False
    if has_role(user, Role.editor):
        return True
    if story.status != NarrativeStatus.published:
        return False
    reach = reach_of(user)
    return reach not in REACHES or story.consent_reach in REACHES[reach]
