"""JSON API for themes, areas, indicators and observations (DESIGN.md /api/v1)."""

import pytest
from sqlmodel import func, select

from app.figures.observations import ObservationInput, upsert_observations
from app.figures.periods import parse_period
from app.models import (
    AreaCreate,
    Frequency,
    Indicator,
    IndicatorCreate,
    IndicatorPublic,
    IndicatorUpdate,
    Observation,
    ObservationRevision,
    ThemeCreate,
    utcnow,
)
from app.routes.api_figures import ObservationOut, UpsertOut
from tests.factories import bearer, make_area, make_indicator, make_theme


def count(session, model):
    return session.exec(select(func.count()).select_from(model)).one()


def test_reading_needs_an_account_unless_public(client, session, settings):
    make_indicator(session, slug="wmo")
    assert client.get("/api/v1/indicators").status_code == 401
    assert client.get("/api/v1/indicators/wmo/observations").status_code == 401
    settings(public_read=True)
    assert client.get("/api/v1/indicators").json()["total"] == 1


def test_writing_needs_an_editor(client, session):
    viewer = bearer(session, "viewer")
    response = client.post(
        "/api/v1/themes", json={"slug": "jeugd", "name": "Jeugd"}, headers=viewer
    )
    assert response.status_code == 403
    assert client.post("/api/v1/themes", json={"slug": "x", "name": "X"}).status_code == 401


def test_themes_and_areas_are_created_and_listed(client, session):
    editor = bearer(session)
    assert client.post(
        "/api/v1/themes", json={"slug": "jeugd", "name": "Jeugd"}, headers=editor
    ).json() == {"slug": "jeugd", "name": "Jeugd", "description": ""}
    again = client.post("/api/v1/themes", json={"slug": "jeugd", "name": "J"}, headers=editor)
    assert again.status_code == 409
    assert again.json() == {"detail": "a theme with slug 'jeugd' already exists"}
    assert (
        client.post(
            "/api/v1/areas",
            json={"code": "GM0193", "name": "Zwolle", "kind": "municipality"},
            headers=editor,
        ).status_code
        == 201
    )
    client.post(
        "/api/v1/areas", json={"code": "WK019301", "name": "Centrum", "parent": "GM0193"},
        headers=editor,
    )  # fmt: skip
    orphan = client.post(
        "/api/v1/areas", json={"code": "WK1", "name": "X", "parent": "GM9999"}, headers=editor
    )
    assert orphan.status_code == 422
    assert orphan.json() == {
        "detail": [
            {"loc": ["body", "parent"], "msg": "unknown area code 'GM9999'", "type": "value_error"}
        ]
    }
    areas = client.get("/api/v1/areas?limit=1&offset=1", headers=editor).json()
    assert areas == {
        "items": [{"code": "WK019301", "name": "Centrum", "kind": "district", "parent": "GM0193"}],
        "total": 2,
    }
    assert client.get("/api/v1/themes?limit=1001", headers=editor).status_code == 422


def test_indicator_is_created_with_links_and_patched(client, session):
    editor = bearer(session)
    make_theme(session, slug="jeugd")
    make_theme(session, slug="wmo")
    make_indicator(session, slug="wachttijd")
    body = {
        "slug": "jeugdhulp",
        "name": "Jeugdhulptrajecten",
        "unit": "aantal",
        "frequency": "quarter",
        "direction": "down",
        "themes": ["jeugd"],
        "breaks": [{"period": "2020 Q2", "note": "pandemie"}],
        "related": [{"slug": "wachttijd", "kind": "waterbed"}],
    }
    created = client.post("/api/v1/indicators", json=body, headers=editor)
    assert created.status_code == 201, created.text
    assert created.json() == {
        "slug": "jeugdhulp",
        "name": "Jeugdhulptrajecten",
        "unit": "aantal",
        "description": "",
        "source": "",
        "frequency": "quarter",
        "direction": "down",
        "screen_outliers": True,
        "baseline_points": None,
        "themes": ["jeugd"],
        "breaks": [{"period": "2020-Q2", "note": "pandemie"}],
        "related": [{"slug": "wachttijd", "kind": "waterbed"}],
    }
    patched = client.patch(
        "/api/v1/indicators/jeugdhulp",
        json={"name": "Trajecten", "themes": ["jeugd", "wmo"], "breaks": []},
        headers=editor,
    ).json()
    assert (patched["name"], patched["themes"], patched["breaks"]) == (
        "Trajecten",
        ["jeugd", "wmo"],
        [],
    )
    assert patched["related"] == [{"slug": "wachttijd", "kind": "waterbed"}]
    assert client.get("/api/v1/indicators/jeugdhulp", headers=editor).json() == patched


def test_indicator_with_bad_links_is_refused_and_not_stored(client, session):
    editor = bearer(session)
    for field, value, message in [
        ("themes", ["nope"], "unknown theme 'nope'"),
        ("breaks", [{"period": "2020-03"}], "'2020-03' is a month, but this indicator is "
         "measured per year (e.g. 2024)"),
        ("related", [{"slug": "nope"}], "unknown indicator 'nope'"),
    ]:  # fmt: skip
        response = client.post(
            "/api/v1/indicators",
            json={"slug": "x", "name": "X", "frequency": "year", field: value},
            headers=editor,
        )
        assert response.status_code == 422
        assert response.json()["detail"][0]["msg"] == message
    assert count(session, Indicator) == 0


def test_unknown_indicator_is_404_json(client, session):
    editor = bearer(session)
    for response in (
        client.get("/api/v1/indicators/nope", headers=editor),
        client.patch("/api/v1/indicators/nope", json={"name": "x"}, headers=editor),
        client.get("/api/v1/indicators/nope/observations", headers=editor),
        client.post("/api/v1/indicators/nope/observations", json=[], headers=editor),
    ):
        assert response.status_code == 404
        assert response.json() == {"detail": "There is no indicator 'nope'."}


def test_observations_are_upserted_and_listed(client, session):
    editor = bearer(session)
    make_indicator(session, slug="wmo", frequency=Frequency.month)
    make_area(session, code="WK019301")
    url = "/api/v1/indicators/wmo/observations"
    first = client.post(
        url,
        json=[
            {"period": "2024-01", "value": 10},
            {"period": "2024-02", "value": 11.5},
            {"period": "2024-01", "value": 3, "area": "WK019301"},
        ],
        headers=editor,
    )
    assert first.json() == {"inserted": 3, "updated": 0, "unchanged": 0}
    second = client.post(
        url, json=[{"period": "jan 2024", "value": 10}, {"period": "2024-02", "value": 12}],
        headers=editor,
    )  # fmt: skip
    assert second.json() == {"inserted": 0, "updated": 1, "unchanged": 1}
    listed = client.get(url, headers=editor).json()
    assert listed["total"] == 3
    assert [(i["period"], i["area"], i["value"]) for i in listed["items"]] == [
        ("2024-01", None, 10.0),
        ("2024-01", "WK019301", 3.0),
        ("2024-02", None, 12.0),
    ]
    one_area = client.get(f"{url}?area=WK019301", headers=editor).json()
    assert [i["value"] for i in one_area["items"]] == [3.0]
    ranged = client.get(f"{url}?from=2024-02&to=2024-12&limit=5", headers=editor).json()
    assert [i["value"] for i in ranged["items"]] == [12.0]
    assert client.get(f"{url}?area=XX", headers=editor).status_code == 404
    bad = client.get(f"{url}?from=gisteren", headers=editor)
    assert bad.status_code == 422


def test_as_of_returns_the_values_known_then(client, session):
    editor = bearer(session)
    indicator = make_indicator(session, slug="wmo", frequency=Frequency.year)
    url = "/api/v1/indicators/wmo/observations"
    client.post(url, json=[{"period": "2023", "value": 1}], headers=editor)
    between = utcnow()
    client.post(url, json=[{"period": "2023", "value": 2}], headers=editor)
    then = client.get(url, params={"as_of": between.isoformat()}, headers=editor).json()
    assert [i["value"] for i in then["items"]] == [1.0]
    naive = between.replace(tzinfo=None).isoformat()
    assert client.get(url, params={"as_of": naive}, headers=editor).json() == then
    assert [i["value"] for i in client.get(url, headers=editor).json()["items"]] == [2.0]
    assert count(session, ObservationRevision) == 1
    assert indicator.slug == "wmo"


def test_every_bad_item_is_reported_and_nothing_stored(client, session):
    editor = bearer(session)
    make_indicator(session, slug="wmo", frequency=Frequency.quarter)
    response = client.post(
        "/api/v1/indicators/wmo/observations",
        content=(
            '[{"period": "2024-Q1", "value": 1},'
            ' {"period": "2024-03", "value": 1},'
            ' {"period": "2024-Q2", "value": 1, "area": "XX"},'
            ' {"period": "2024-Q3", "value": NaN},'
            ' {"period": "2024-Q4", "value": Infinity},'
            ' {"period": "2024 Q1", "value": 2},'
            ' {"period": "2025-Q1", "value": null}]'
        ),
        headers={**editor, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    value_error = "value_error"
    assert response.json() == {
        "detail": [
            {
                "loc": ["body", 1, "period"],
                "msg": "'2024-03' is a month, but this indicator is measured per quarter "
                "(e.g. 2024-Q1)",
                "type": value_error,
            },
            {"loc": ["body", 2, "area"], "msg": "unknown area 'XX'", "type": value_error},
            {
                "loc": ["body", 3, "value"],
                "msg": "nan is not a number one can store",
                "type": value_error,
            },
            {
                "loc": ["body", 4, "value"],
                "msg": "inf is not a number one can store",
                "type": value_error,
            },
            {
                "loc": ["body", 5, "period"],
                "msg": "2024-Q1 for the whole municipality also appears in item 0",
                "type": value_error,
            },
            {"loc": ["body", 6, "value"], "msg": "the value is empty", "type": value_error},
        ]
    }
    assert count(session, Observation) == 0


def test_csv_download_uses_the_import_format(client, session):
    editor = bearer(session)
    indicator = make_indicator(session, slug="wmo", frequency=Frequency.month)
    area = make_area(session, code="WK019301")
    upsert_observations(
        session=session,
        indicator=indicator,
        items=[
            ObservationInput(parse_period("2024-01"), 1.5),
            ObservationInput(parse_period("2024-01"), 0.1, area),
        ],
        source="x",
    )
    session.commit()
    response = client.get("/api/v1/indicators/wmo/observations.csv", headers=editor)
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert (
        response.text == "indicator,period,area,value\nwmo,2024-01,,1.5\nwmo,2024-01,WK019301,0.1\n"
    )


def test_openapi_documents_examples(client):
    schema = client.get("/openapi.json").json()
    body = schema["paths"]["/api/v1/indicators/{slug}/observations"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["examples"] == [
        [{"period": "2024-03", "value": 12.0, "area": "WK019301"}]
    ]
    item = schema["components"]["schemas"]["ObservationIn"]["properties"]["period"]
    assert item["examples"] == ["2024-03"]


FIGURE_OPERATIONS = [
    ("get", "/api/v1/themes"),
    ("post", "/api/v1/themes"),
    ("get", "/api/v1/areas"),
    ("post", "/api/v1/areas"),
    ("get", "/api/v1/indicators"),
    ("post", "/api/v1/indicators"),
    ("get", "/api/v1/indicators/{slug}"),
    ("patch", "/api/v1/indicators/{slug}"),
    ("post", "/api/v1/indicators/{slug}/observations"),
    ("get", "/api/v1/indicators/{slug}/observations"),
]


def _resolve(schema: dict, document: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _has_examples(schema: dict, document: dict) -> bool:
    """A schema has examples itself, or is a list or page of items that have them."""
    schema = _resolve(schema, document)
    if schema.get("examples"):
        return True
    if schema.get("type") == "array":
        return _has_examples(schema["items"], document)
    items = schema.get("properties", {}).get("items")
    return items is not None and _has_examples(items, document)


@pytest.mark.parametrize(("method", "path"), FIGURE_OPERATIONS)
def test_every_figures_operation_shows_examples(client, method, path):
    document = client.get("/openapi.json").json()
    operation = document["paths"][path][method]
    body = operation.get("requestBody")
    if body:
        assert _has_examples(body["content"]["application/json"]["schema"], document)
    ok = next(status for status in operation["responses"] if status.startswith("2"))
    answer = operation["responses"][ok]["content"]["application/json"]["schema"]
    assert _has_examples(answer, document)
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "query" and parameter["name"] not in ("limit", "offset"):
            assert parameter.get("examples") or parameter["schema"].get("examples"), parameter


def test_csv_download_is_documented_with_an_example(client):
    document = client.get("/openapi.json").json()
    operation = document["paths"]["/api/v1/indicators/{slug}/observations.csv"]["get"]
    example = operation["responses"]["200"]["content"]["text/csv"]["example"]
    assert example.startswith("indicator,period,area,value\n")


@pytest.mark.parametrize(
    "model",
    [
        ThemeCreate,
        AreaCreate,
        IndicatorCreate,
        IndicatorPublic,
        IndicatorUpdate,
        UpsertOut,
        ObservationOut,
    ],
)
def test_schema_examples_are_valid_input_for_their_model(model):
    examples = model.model_json_schema()["examples"]
    assert examples
    for example in examples:
        model.model_validate(example)
