"""The Audience: one object for who reads (reader, consent reach, small-number masking)."""

from app.audience import Audience
from app.deps import audience
from app.models import Role, User
from app.narratives.reach import Reach
from app.security.small_numbers import Masking


def _masking(public_read: bool, signed_in: bool) -> Masking:
    return Masking(public_read=public_read, signed_in=signed_in, threshold=5)


def test_an_anonymous_reader_sees_public_stories_and_masked_small_numbers():
    shown = _masking(public_read=True, signed_in=False)
    seen = audience(None, shown)
    assert seen == Audience(user=None, reach=Reach.public, masking=shown)
    assert seen.anonymous
    assert not seen.is_staff
    assert not seen.has_role(Role.viewer)


def test_staff_read_every_published_story_and_their_role_decides_the_rest():
    editor = User(email="e@example.org", password_hash="x", role=Role.editor)
    seen = audience(editor, _masking(public_read=False, signed_in=True))
    assert seen.reach is Reach.all
    assert seen.is_staff
    assert seen.has_role(Role.viewer)
    assert seen.has_role(Role.editor)
    assert not seen.has_role(Role.admin)


def test_a_council_member_reads_the_council_reach_and_is_no_staff():
    member = User(email="r@example.org", password_hash="x", role=Role.council)
    seen = audience(member, _masking(public_read=True, signed_in=False))
    assert seen.reach is Reach.council
    assert not seen.is_staff
    assert not seen.has_role(Role.viewer)
