"""Export archives: contents, what is left out, and a full round trip into a fresh instance."""

import io
import json
import shutil
import zipfile
from datetime import date

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from app import accounts
from app.archive.export import export_archive, exported_tables, read_rows
from app.archive.restore import ArchiveError, restore_archive
from app.cli import app as cli
from app.db import get_engine, make_engine
from app.models import (
    Action,
    AuditEntry,
    LearningQuestion,
    NarrativeContact,
    NarrativeIndicator,
    NarrativeTheme,
    ReflectionSession,
    SessionIndicator,
    Theme,
)
from tests.conftest import reset_caches
from tests.engines import postgres_database_for_test
from tests.factories import login, make_area, make_indicator, make_narrative, make_theme, make_user

CONTACT = "jan@voorbeeld.example"


@pytest.fixture
def fresh_engine(tmp_path, template_db, request):
    """A second, empty, migrated database on the same engine as the test's own."""
    if template_db is None:
        with postgres_database_for_test(request.node.name[:20] + "_fresh") as url:
            engine = make_engine(url)
            yield engine
            engine.dispose()
        return
    target = tmp_path / "fresh.db"
    shutil.copy(template_db, target)
    engine = make_engine(f"sqlite:///{target}")
    yield engine
    engine.dispose()


def load_data(session: Session) -> None:
    """A little of everything: ids, enums, dates, timestamps, JSON, booleans, NULLs."""
    user = make_user(session, role="admin")
    accounts.create_token(session=session, user=user, name="script")
    session.commit()
    theme = make_theme(session, name="Armoede & schulden")
    make_theme(session)
    area = make_area(session)
    indicator = make_indicator(session, themes=[theme], description="Leeswijzer: “lager is beter”")
    story = make_narrative(session, area_id=area.id, body='Regel 1\nRegel 2, met "quotes"')
    make_narrative(session, status="pending", assessment="worse")
    session.add(NarrativeContact(narrative_id=story.id, contact=CONTACT))
    session.add(NarrativeTheme(narrative_id=story.id, theme_id=theme.id))
    session.add(NarrativeIndicator(narrative_id=story.id, indicator_id=indicator.id))
    meeting = ReflectionSession(
        held_on=date(2024, 5, 1), title="Sessie", participants=["Ans", "Bram"], see="Meer"
    )
    session.add(meeting)
    session.flush()
    session.add(
        SessionIndicator(
            session_id=meeting.id,
            indicator_id=indicator.id,
            snapshot=[{"period": "2024-04-01", "value": 12.5, "signal": None}],
        )
    )
    session.add(Action(session_id=meeting.id, description="Bellen", due_on=date(2024, 6, 1)))
    session.add(LearningQuestion(text="Als we X doen verwachten we Y"))
    session.commit()


def all_rows(engine) -> dict[str, list[dict]]:
    with engine.connect() as connection:
        return {table.name: read_rows(connection, table) for table in exported_tables()}


def test_round_trip_restores_every_row_of_every_table(session, fresh_engine, tmp_path):
    load_data(session)
    archive = tmp_path / "export.zip"
    counts = export_archive(get_engine(), archive)

    restored = restore_archive(fresh_engine, archive)

    assert restored == counts
    assert counts["narrative"] == 2 and counts["user"] == 1
    assert all_rows(fresh_engine) == all_rows(get_engine())
    with Session(fresh_engine) as other:
        # Sequences moved past the restored ids: a new row gets a new id.
        other.add(Theme(slug="nieuw", name="Nieuw"))
        other.commit()
        assert len(other.exec(select(Theme)).all()) == 3


def test_archive_leaves_out_contacts_and_secrets_and_says_so(session, tmp_path):
    load_data(session)
    archive = tmp_path / "export.zip"
    export_archive(get_engine(), archive)

    with zipfile.ZipFile(archive) as zf:
        names = set(zf.namelist())
        everything = "".join(zf.read(name).decode() for name in names)
        manifest = json.loads(zf.read("manifest.json"))
        readme = zf.read("README.md").decode()
        users = json.loads(zf.read("tables/user.json"))
    assert "tables/narrative_contact.csv" not in names
    assert "tables/api_token.json" not in names
    assert {"tables/narrative.csv", "tables/narrative.json", "README.md"} <= names
    assert CONTACT not in everything
    assert "argon2" not in everything
    assert "password_hash" not in users[0]
    assert manifest["alembic_revision"] and manifest["tables"]["theme"] == 2
    assert "- table `narrative_contact`: contact details" in readme
    assert "| occurred_on | date | no |" in readme


def test_restore_refuses_a_database_that_is_not_empty(session, tmp_path):
    load_data(session)
    archive = tmp_path / "export.zip"
    export_archive(get_engine(), archive)
    before = all_rows(get_engine())

    with pytest.raises(ArchiveError, match="the database is not empty"):
        restore_archive(get_engine(), archive)
    assert all_rows(get_engine()) == before


def test_restore_rejects_a_file_that_is_no_archive(fresh_engine, tmp_path):
    bogus = tmp_path / "bogus.zip"
    bogus.write_text("not a zip")
    with pytest.raises(ArchiveError, match="is not a Duiding export archive"):
        restore_archive(fresh_engine, bogus)


def test_cli_export_writes_the_archive_and_never_overwrites(session, tmp_path):
    load_data(session)
    archive = tmp_path / "cli.zip"
    runner = CliRunner()

    first = runner.invoke(cli, ["export", str(archive)])
    second = runner.invoke(cli, ["export", str(archive)])

    assert first.exit_code == 0, first.output
    assert f"exported 14 rows from {len(exported_tables())} tables" in first.output
    assert zipfile.is_zipfile(archive)
    assert second.exit_code == 1
    assert "exists already" in second.output


def test_cli_import_archive_refuses_a_filled_instance_and_restores_into_an_empty_one(
    session, fresh_engine, tmp_path, env
):
    load_data(session)
    archive = tmp_path / "cli.zip"
    runner = CliRunner()
    assert runner.invoke(cli, ["export", str(archive)]).exit_code == 0
    original = all_rows(get_engine())

    refused = runner.invoke(cli, ["import", "archive", str(archive)])
    assert refused.exit_code == 1
    assert "nothing was restored: the database is not empty" in refused.output

    env.setenv("DUIDING_DATABASE_URL", fresh_engine.url.render_as_string(hide_password=False))
    reset_caches()
    restored = runner.invoke(cli, ["import", "archive", str(archive)])
    assert restored.exit_code == 0, restored.output
    assert "restored 14 rows" in restored.output
    assert all_rows(fresh_engine) == original


def test_round_trip_of_the_demo_municipality(session, fresh_engine, tmp_path):
    from app.demo import load_demo

    load_demo(session=session)
    archive = tmp_path / "demo.zip"
    counts = export_archive(get_engine(), archive)

    restore_archive(fresh_engine, archive)

    assert counts["observation"] > 100 and counts["narrative"] > 10
    assert all_rows(fresh_engine) == all_rows(get_engine())
    # The search index is not exported: the triggers rebuild it while rows go in.
    indexed = "SELECT count(*) FROM search_document"
    with get_engine().connect() as before, fresh_engine.connect() as after:
        assert after.exec_driver_sql(indexed).scalar() == before.exec_driver_sql(indexed).scalar()


def test_admin_download_is_the_archive_and_only_for_admins(client, session):
    load_data(session)
    login(client, session, "editor")
    assert client.get("/admin/export").status_code == 403
    session.commit()  # end this session's read snapshot: the request wrote since (WAL)

    login(client, session, "admin")
    response = client.get("/admin/export")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert "attachment" in response.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        assert json.loads(zf.read("manifest.json"))["tables"]["narrative"] == 2
        assert CONTACT not in "".join(zf.read(name).decode() for name in zf.namelist())
    with Session(get_engine()) as fresh:  # not this test's session: its snapshot is older
        entry = fresh.exec(select(AuditEntry).where(AuditEntry.action == "export")).one()
    assert entry.entity == "archive"
