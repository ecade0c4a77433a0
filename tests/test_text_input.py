"""Text no database can take, NUL characters and lone surrogates, is refused with 422
for every content type the app reads (JSON and application/*+json, a body without a
content type, form-urlencoded, multipart fields and file names, whatever its charset),
on both engines, and nothing is stored. A file's content is not text here: a CSV with
NUL in it is refused by the import that reads it."""

import json

import pytest
from sqlmodel import select

from app.models import Narrative, Observation, Theme
from tests.factories import bearer, csrf, login, make_indicator

NUL = "Text may not contain NUL characters (\\u0000)."
SURROGATE = "Text may not contain unpaired surrogate characters (\\ud800 to \\udfff)."
NL_NUL = "Tekst mag geen NUL-tekens (\\u0000) bevatten."
NL_SURROGATE = "Tekst mag geen losse surrogaattekens (\\ud800 tot en met \\udfff) bevatten."
STORY = {"title": "Titel", "body": "Verhaal", "occurred": "2024-03", "author_role": "partner"}
JSON_TYPES = [
    "application/json",
    "application/json; charset=utf-8",
    "application/merge-patch+json",
    "application/vnd.api+json",
    None,  # a body without a content type is checked as JSON too
]


def _raw_json(**changes) -> bytes:
    """The story as JSON text with ``changes`` spliced in verbatim (escapes as sent)."""
    text = json.dumps(STORY)
    for field, escaped in changes.items():
        text = text.replace(f'"{STORY[field]}"', f'"{escaped}"')
    return text.encode()


@pytest.mark.parametrize("content_type", JSON_TYPES)
@pytest.mark.parametrize(
    ("body", "message"),
    [
        (_raw_json(title="Ti\\u0000tel"), NUL),
        (_raw_json(body="lone \\ud800 high"), SURROGATE),
        (_raw_json(body="lone \\udc00 low"), SURROGATE),
        (_raw_json(title="reversed \\ude00\\ud83d"), SURROGATE),
        (json.dumps({**STORY, "themes": ["\ud800"]}, ensure_ascii=True).encode(), SURROGATE),
        (json.dumps({**STORY, "zo\\u0000rg": 1}).replace("\\\\u", "\\u").encode(), NUL),
    ],
)
def test_json_of_every_json_type_with_bad_text_is_refused(
    client, session, content_type, body, message
):
    editor = bearer(session, role="editor")
    headers = {**editor, **({"Content-Type": content_type} if content_type else {})}
    response = client.post("/api/v1/narratives", content=body, headers=headers)
    assert response.status_code == 422, response.text
    assert response.json() == {"detail": [{"loc": [], "msg": message, "type": "value_error"}]}
    assert session.exec(select(Narrative)).all() == []


@pytest.mark.parametrize("content_type", JSON_TYPES[:-1])
def test_json_with_a_surrogate_pair_and_escaped_backslashes_is_fine(client, session, content_type):
    """An emoji sent as a surrogate pair is one character; ``\\\\u0000`` is a backslash
    and the text u0000, not a NUL."""
    editor = bearer(session, role="editor")
    headers = {**editor, **({"Content-Type": content_type} if content_type else {})}
    body = _raw_json(title="Feest \\ud83c\\udf89", body="C:\\\\u0000\\\\map")
    response = client.post("/api/v1/narratives", content=body, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["title"] == "Feest \U0001f389"
    assert response.json()["body"] == "C:\\u0000\\map"


def test_a_patch_with_bad_text_is_refused(client, session):
    editor = bearer(session, role="editor")
    created = client.post("/api/v1/narratives", json=STORY, headers=editor).json()
    for body, message in (
        (_raw_json(title="a\\u0000"), NUL),
        (_raw_json(title="a\\ud801"), SURROGATE),
    ):
        patch = json.loads(body.decode().replace("\\u", "\\\\u"))  # a dict to edit
        patch = {"status": "published", "title": patch["title"].encode().decode("unicode_escape")}
        response = client.patch(
            f"/api/v1/narratives/{created['id']}",
            content=json.dumps(patch, ensure_ascii=True),
            headers={**editor, "Content-Type": "application/merge-patch+json"},
        )
        assert (response.status_code, response.json()["detail"][0]["msg"]) == (422, message)
    session.rollback()
    assert session.get(Narrative, created["id"]).title == "Titel"


def _theme_form(client, session):
    login(client, session, role="editor")
    session.rollback()
    return csrf(client, "/themes-and-areas")


@pytest.mark.parametrize(
    ("name", "message"), [("Zo%00rg", NL_NUL), ("Zo%ED%A0%80rg", None), ("Zo\x00rg", NL_NUL)]
)
def test_form_urlencoded_with_nul_is_refused(client, session, name, message):
    token = _theme_form(client, session)
    response = client.post(
        "/themes-and-areas/themes",
        content=f"csrf_token={token}&slug=zorg&name={name}".encode("latin-1"),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )
    if message is None:  # invalid UTF-8 is read as U+FFFD, which any database takes
        assert response.status_code in (303, 422)
        assert "Tekst mag geen" not in response.text
        return
    assert response.status_code == 422
    assert message in response.text
    assert session.exec(select(Theme)).all() == []


def _multipart(fields: dict[str, bytes], boundary: str = "grens") -> bytes:
    parts = [
        b"--" + boundary.encode() + b'\r\nContent-Disposition: form-data; name="'
        + name.encode() + b'"\r\n\r\n' + value + b"\r\n"
        for name, value in fields.items()
    ]  # fmt: skip
    return b"".join(parts) + b"--" + boundary.encode() + b"--\r\n"


@pytest.mark.parametrize(
    ("value", "charset", "message"),
    [
        (b"Zo\x00rg", None, NL_NUL),
        ("Zo\x00rg".encode("utf-16-le"), "utf-16-le", NL_NUL),
        (b"Zo\\ud800rg", "unicode_escape", NL_SURROGATE),
        (b"Zo\\u0000rg", "raw_unicode_escape", NL_NUL),
    ],
)
def test_multipart_fields_with_bad_text_are_refused_in_any_charset(
    client, session, value, charset, message
):
    token = _theme_form(client, session)
    body = _multipart({"csrf_token": token.encode(), "slug": b"zorg", "name": value})
    content_type = "multipart/form-data; boundary=grens" + (
        f"; charset={charset}" if charset else ""
    )
    response = client.post(
        "/themes-and-areas/themes", content=body, headers={"Content-Type": content_type}
    )
    assert response.status_code == 422, response.text
    assert message in response.text
    assert session.exec(select(Theme)).all() == []


def test_a_multipart_api_body_gets_the_json_shape(client, session):
    editor = bearer(session, role="editor")
    response = client.post(
        "/api/v1/themes",
        content=_multipart({"slug": b"zo\x00rg", "name": b"Zorg"}),
        headers={**editor, "Content-Type": "multipart/form-data; boundary=grens"},
    )
    assert response.status_code == 422
    assert response.json() == {"detail": [{"loc": [], "msg": NUL, "type": "value_error"}]}


def _upload(client, name: str, content: bytes):
    return client.post(
        "/indicators/import",
        data={"csrf_token": csrf(client, "/indicators/import")},
        files={"file": (name, content, "text/csv")},
    )


def test_uploads_with_a_bad_file_name_or_nul_in_the_file_get_a_4xx(client, session):
    make_indicator(session, slug="bijstand", frequency="month")
    login(client, session, role="editor")
    session.rollback()
    good = b"indicator,period,area,value\nbijstand,2024-01,,3\n"
    token = csrf(client, "/indicators/import")
    for name, charset, message in (
        (b"cijfers\x00.csv", "utf-8", NL_NUL),
        (b"cijfers\\udc80.csv", "unicode_escape", NL_SURROGATE),
    ):
        body = (
            b'--grens\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            + token.encode()
            + b'\r\n--grens\r\nContent-Disposition: form-data; name="file"; filename="'
            + name
            + b'"\r\nContent-Type: text/csv\r\n\r\n'
            + good
            + b"\r\n--grens--\r\n"
        )
        response = client.post(
            "/indicators/import",
            content=body,
            headers={"Content-Type": f"multipart/form-data; boundary=grens; charset={charset}"},
        )
        assert response.status_code == 422, name
        assert message in response.text
    deep_nul = good + b"bijstand,2024-02,Noo\x00rd,4\n" * 2000  # past the head
    response = _upload(client, "cijfers.csv", deep_nul)
    assert 400 <= response.status_code < 500, response.status_code
    assert "het bestand is geen leesbare tekst" in response.text
    assert _upload(client, "cijfers.csv", good).status_code == 200  # the page still works
    session.rollback()
    assert session.exec(select(Observation)).all() == []


def test_paths_and_queries_with_bad_text_are_refused(client, session):
    editor = bearer(session, role="editor")
    for url, message in (
        ("/api/v1/narratives?theme=zo%00rg", NUL),
        ("/api/v1/indicators/me%00ldingen", NUL),
    ):
        response = client.get(url, headers=editor)
        assert (response.status_code, response.json()["detail"][0]["msg"]) == (422, message)
    # invalid UTF-8 in a query reads as U+FFFD: no lone surrogate reaches the app
    assert client.get("/api/v1/narratives?theme=%ED%A0%80", headers=editor).status_code == 200
