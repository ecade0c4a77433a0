"""The one problem type (app/problems.py): one API error shape, translated pages and
forms, and one transaction owner that stores nothing when a problem is raised."""

import html
import re

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, func, select

from app import db
from app.models import AuditEntry, Frequency, Indicator, Theme
from app.problems import Conflict, FieldError, Invalid, Message, NotFound
from tests.factories import bearer, csrf, login, make_indicator, make_theme


def _count(session: Session, model) -> int:
    session.commit()  # end the read transaction: see what others committed since
    return session.exec(select(func.count()).select_from(model)).one()


def _text(page: str, pattern: str) -> str:
    found = re.search(pattern, page, re.S)
    assert found, pattern
    return html.unescape(found.group(1))


def _is_validation_list(detail) -> bool:
    """FastAPI's own 422 shape: a list of {loc: [...], msg: str, type: str}."""
    return (
        isinstance(detail, list)
        and len(detail) > 0
        and all(
            isinstance(item["loc"], list)
            and isinstance(item["msg"], str)
            and isinstance(item["type"], str)
            for item in detail
        )
    )


def test_the_api_answers_every_error_in_one_shape(client, session):
    editor = bearer(session)
    make_indicator(session, slug="wmo", frequency=Frequency.quarter)
    make_theme(session, slug="jeugd")

    missing = client.get("/api/v1/indicators/nope", headers=editor)
    assert (missing.status_code, missing.json()) == (
        404,
        {"detail": "There is no indicator 'nope'."},
    )

    taken = client.post("/api/v1/themes", json={"slug": "jeugd", "name": "J"}, headers=editor)
    assert (taken.status_code, taken.json()) == (
        409,
        {"detail": "a theme with slug 'jeugd' already exists"},
    )

    # FastAPI's own validation of the request, and the domain's Invalid, agree.
    malformed = client.post("/api/v1/themes", json={"slug": "Not A Slug"}, headers=editor)
    assert malformed.status_code == 422
    assert _is_validation_list(malformed.json()["detail"])
    assert {tuple(item["loc"]) for item in malformed.json()["detail"]} == {
        ("body", "slug"),
        ("body", "name"),
    }

    bad_item = client.post(
        "/api/v1/indicators/wmo/observations",
        json=[{"period": "2024-Q1", "value": 1}, {"period": "2024-13", "value": 2}],
        headers=editor,
    )
    assert bad_item.status_code == 422
    assert _is_validation_list(bad_item.json()["detail"])
    assert [item["loc"] for item in bad_item.json()["detail"]] == [["body", 1, "period"]]

    bad_filter = client.get("/api/v1/indicators/wmo/observations?from=gisteren", headers=editor)
    assert bad_filter.status_code == 422
    assert [item["loc"] for item in bad_filter.json()["detail"]] == [["query", "from"]]


@pytest.mark.parametrize("path", ["/indicators/nope", "/indicators/nope/values"])
def test_a_dutch_page_says_in_dutch_that_an_indicator_does_not_exist(client, settings, path):
    settings(public_read=True)
    response = client.get(path)
    assert response.status_code == 404
    assert _text(response.text, r"<h1>(.*?)</h1>") == "Er is geen indicator 'nope'."
    assert "There is no" not in html.unescape(response.text)
    english = client.get(f"{path}?lang=en")
    assert "There is no indicator 'nope'." in html.unescape(english.text)


def test_a_form_with_a_bad_value_is_shown_again_with_the_message_at_its_field(client, session):
    login(client, session)
    token = csrf(client, "/indicators/new")
    response = client.post(
        "/indicators/new",
        data={
            "slug": "jeugdhulp",
            "name": "Jeugdhulp getypt",
            "frequency": "month",
            "direction": "down",
            "breaks": "2020-13 pandemie",
            "csrf_token": token,
        },
    )
    assert response.status_code == 422
    page = response.text
    assert _text(page, r'id="breaks-error">(.*?)<') == "'2020-13' heeft geen maand 13"
    assert _text(page, r'<input[^>]*name="name"[^>]*value="([^"]*)"') == "Jeugdhulp getypt"
    assert _text(page, r'<textarea[^>]*name="breaks"[^>]*>(.*?)</textarea>').strip() == (
        "2020-13 pandemie"
    )
    assert _count(session, Indicator) == 0


def test_a_problem_raised_after_a_flush_leaves_nothing_stored(env, session):
    with pytest.raises(Invalid), db.write_transaction() as writing:
        writing.add(Theme(slug="jeugd", name="Jeugd"))
        writing.flush()
        raise Invalid.at("name", "refused after the flush")
    assert _count(session, Theme) == 0
    with db.write_transaction() as writing:
        writing.add(Theme(slug="jeugd", name="Jeugd"))
    assert _count(session, Theme) == 1


def test_a_refused_request_after_a_flush_leaves_nothing_stored(client, session):
    """The indicator is flushed before its links are checked; the unknown one refuses it."""
    response = client.post(
        "/api/v1/indicators",
        json={"slug": "x", "name": "X", "related": [{"slug": "nope"}]},
        headers=bearer(session),
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "related", 0, "slug"]
    assert _count(session, Indicator) == 0


def test_a_commit_that_fails_is_never_acknowledged(client, session, monkeypatch):
    """The write session commits before the response is sent: a failed commit is an error."""
    editor = bearer(session)

    commit = db.Session.commit

    def failing_commit(self):
        if self.bind.get_execution_options().get("sqlite_begin") != "IMMEDIATE":
            return commit(self)  # only the request's write session fails
        raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(db.Session, "commit", failing_commit)
    response = client.post("/api/v1/themes", json={"slug": "jeugd", "name": "J"}, headers=editor)
    monkeypatch.undo()
    assert response.status_code >= 500
    assert _count(session, Theme) == 0


def test_messages_are_said_with_their_values_in_the_readers_language():
    dutch = {"%(label)s (%(count)s)": "%(label)s (%(count)s)", "stories": "verhalen"}.get
    uses = Message("%(label)s (%(count)s)", {"label": Message("stories"), "count": 2})
    in_use = Conflict("%(name)s is used by %(uses)s", name="Jeugd", uses=[uses, uses])
    assert str(in_use) == "Jeugd is used by stories (2), stories (2)"
    assert (
        in_use.message.text(lambda m: dutch(m, m)) == "Jeugd is used by verhalen (2), verhalen (2)"
    )
    assert (NotFound("x").status, in_use.status, Invalid().status) == (404, 409, 422)
    item = FieldError("breaks.0.period", "bad", index=3)
    assert item.loc == ["body", 3, "breaks", 0, "period"]
    assert str(Invalid(item)) == "3.breaks.0.period: bad"


def test_partners_answer_in_the_one_shape_and_record_their_audit(client, session):
    editor = bearer(session)
    first = client.post("/api/v1/partners", json={"name": "Buurtteam"}, headers=editor)
    assert first.status_code == 201
    again = client.post("/api/v1/partners", json={"name": "Buurtteam"}, headers=editor)
    assert (again.status_code, again.json()) == (
        409,
        {"detail": "A partner with this name already exists."},
    )
    unknown = client.post("/api/v1/partners/999/invites", json={}, headers=editor)
    assert (unknown.status_code, unknown.json()) == (404, {"detail": "There is no partner 999."})
    invite = client.post(f"/api/v1/partners/{first.json()['id']}/invites", json={}, headers=editor)
    assert invite.status_code == 201
    session.commit()
    actions = session.exec(select(AuditEntry.action, AuditEntry.entity)).all()
    assert sorted(actions) == [("create", "invite"), ("create", "partner")]
