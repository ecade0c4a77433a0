"""Contact details are deleted after the retention period, by the CLI and at start-up."""

from datetime import timedelta

from sqlmodel import select
from typer.testing import CliRunner

from app.cli import app as cli
from app.models import AuditEntry, utcnow
from app.models.narrative import NarrativeContact
from app.startup import on_startup
from tests.factories import make_narrative


def contacts(session, days_old: list[int]) -> None:
    for age in days_old:
        story = make_narrative(session)
        created = utcnow() - timedelta(days=age)
        session.add(
            NarrativeContact(narrative_id=story.id, contact=f"{age}@x.nl", created_at=created)
        )
    session.commit()


def remaining(session) -> list[str]:
    session.rollback()
    return sorted(c.contact for c in session.exec(select(NarrativeContact)))


def test_maintenance_deletes_old_contacts_only(session, settings):
    settings(contact_retention_days=30)
    contacts(session, [31, 29, 1])
    result = CliRunner().invoke(cli, ["maintenance"])
    assert result.exit_code == 0, result.output
    assert "deleted 1 contact detail(s) older than 30 days" in result.output
    assert remaining(session) == ["1@x.nl", "29@x.nl"]
    [entry] = session.exec(select(AuditEntry).where(AuditEntry.entity == "narrative_contact"))
    assert (entry.actor, entry.detail["count"]) == ("retention", 1)


def test_startup_applies_default_retention(session):
    contacts(session, [91, 89])
    on_startup()
    assert remaining(session) == ["89@x.nl"]
