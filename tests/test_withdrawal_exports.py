"""A hidden (withdrawn) story is gone from the export archive (CLI and admin download),
from the answers to a partner's story request (page and API) and from the story API for
staff who do not moderate; the archive keeps its row, so what refers to it restores."""

import io
import json
import zipfile

from sqlmodel import Session, select
from typer.testing import CliRunner

from app.archive.export import WITHDRAWN_TITLE
from app.cli import app as cli
from app.db import get_engine
from app.models import Narrative, NarrativeStatus, NarrativeTheme
from tests.factories import bearer, login, make_narrative, make_theme
from tests.test_story_requests import make_partner, make_request, make_signal

TITLE, BODY, ORGANISATION = "Ingetrokken verhaal", "Mevrouw Jansen uit de Esdoornlaan.", "Buurtteam"


def _hidden_story(session) -> Narrative:
    theme = make_theme(session)
    story = make_narrative(session, title=TITLE, body=BODY, organisation=ORGANISATION)
    session.add(NarrativeTheme(narrative_id=story.id, theme_id=theme.id))
    make_narrative(session, title="Gepubliceerd verhaal", body="Blijft staan.")
    session.commit()
    editor = bearer(session)
    return story, editor


def _hide(client, session, story_id, editor) -> None:
    session.rollback()
    response = client.patch(
        f"/api/v1/narratives/{story_id}", json={"status": "hidden"}, headers=editor
    )
    assert response.status_code == 200, response.text
    session.rollback()


def _assert_scrubbed(archive: zipfile.ZipFile, story_id: int) -> None:
    everything = "".join(archive.read(name).decode() for name in archive.namelist())
    assert TITLE not in everything and BODY not in everything
    assert ORGANISATION not in everything
    assert "Gepubliceerd verhaal" in everything  # other stories stay whole
    rows = {row["id"]: row for row in json.loads(archive.read("tables/narrative.json"))}
    assert rows[story_id]["title"] == WITHDRAWN_TITLE
    assert (rows[story_id]["body"], rows[story_id]["status"]) == ("", "hidden")
    themes = json.loads(archive.read("tables/narrative_theme.json"))
    assert [row["narrative_id"] for row in themes] == [story_id]  # its links restore
    assert "- rows of `narrative`: a hidden story" in archive.read("README.md").decode()


def test_the_cli_export_holds_nothing_of_a_hidden_storys_text(client, session, tmp_path):
    story, editor = _hidden_story(session)
    _hide(client, session, story.id, editor)
    target = tmp_path / "export.zip"
    result = CliRunner().invoke(cli, ["export", str(target)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(target) as archive:
        _assert_scrubbed(archive, story.id)
    with Session(get_engine()) as fresh:  # the story itself is untouched (moderation)
        assert fresh.get(Narrative, story.id).body == BODY


def test_the_admin_download_holds_nothing_of_a_hidden_storys_text(client, session):
    story, editor = _hidden_story(session)
    with zipfile.ZipFile(io.BytesIO(_download(client, session))) as archive:
        assert TITLE in archive.read("tables/narrative.json").decode()  # before hiding
    _hide(client, session, story.id, editor)
    with zipfile.ZipFile(io.BytesIO(_download(client, session))) as archive:
        _assert_scrubbed(archive, story.id)


def _download(client, session) -> bytes:
    session.rollback()
    login(client, session, "admin")
    session.rollback()
    response = client.get("/admin/export")
    assert response.status_code == 200
    return response.content


def test_a_partners_hidden_answer_leaves_the_request_page_and_api(client, session):
    indicator = make_signal(session, slug="wachttijd", name="Wachttijd schuldhulp")
    partner, _ = make_partner(session, "Welzijn Oost")
    row = make_request(session, indicator, partners=[partner])
    story = make_narrative(session, title=TITLE, body=BODY, partner_id=partner.id)
    story.request_id = row.id
    session.add(story)
    session.commit()
    editor, viewer = bearer(session), bearer(session, role="viewer")
    session.rollback()
    api = f"/api/v1/story-requests/{row.id}"
    for headers in (editor, viewer):
        answered = client.get(api, headers=headers).json()
        assert (answered["answer_ids"], answered["answers"]) == ([story.id], 1)
    session.rollback()
    login(client, session, "editor")
    session.rollback()
    assert TITLE in client.get(f"/requests/{row.id}").text
    _hide(client, session, story.id, editor)
    assert TITLE not in client.get(f"/requests/{row.id}").text
    for headers in (editor, viewer):
        answered = client.get(api, headers=headers).json()
        assert (answered["answer_ids"], answered["answers"]) == ([], 0)


def test_staff_who_do_not_moderate_never_list_a_hidden_story(client, session):
    story, editor = _hidden_story(session)
    viewer = bearer(session, role="viewer")
    _hide(client, session, story.id, editor)
    for url in ("/api/v1/narratives", "/api/v1/narratives?status=hidden"):
        listed = client.get(url, headers=viewer)
        assert listed.status_code == 200 and TITLE not in listed.text
    assert client.get(f"/api/v1/narratives/{story.id}", headers=viewer).status_code == 404
    session.rollback()
    assert session.get(Narrative, story.id).status == NarrativeStatus.hidden
    assert session.exec(select(Narrative)).all()
