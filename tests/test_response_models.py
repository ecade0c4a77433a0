"""Every /api route declares what it answers (issue 22): a pydantic ``response_model``,
so that the OpenAPI document names every field and FastAPI checks each answer against
it, unless the route answers no body (204) or a file (its own ``response_class``).

A handler annotated ``-> dict`` gets ``dict`` as its model from FastAPI; that says
nothing about the fields, so it does not count."""

import typing

from fastapi import FastAPI
from fastapi.datastructures import DefaultPlaceholder
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel


def api_routes(app: FastAPI) -> list[tuple[str, APIRoute]]:
    """Every API route of ``app`` with its full path, routers included."""
    found: list[tuple[str, APIRoute]] = []
    for route in app.routes:
        if hasattr(route, "effective_route_contexts"):  # an included APIRouter
            pairs = [(c.path, c.original_route) for c in route.effective_route_contexts()]
        else:
            pairs = [(getattr(route, "path", ""), route)]
        found += [
            (path, r)
            for path, r in pairs
            if isinstance(r, APIRoute) and path.startswith("/api/") and r.include_in_schema
        ]
    return found


def _is_schema(model: object) -> bool:
    if isinstance(model, type) and issubclass(model, BaseModel):
        return True
    return typing.get_origin(model) is list and all(_is_schema(a) for a in typing.get_args(model))


def _is_download(route: APIRoute) -> bool:
    kind = route.response_class
    return not isinstance(kind, DefaultPlaceholder) and not issubclass(kind, JSONResponse)


def undeclared(app: FastAPI) -> list[str]:
    """The API routes that answer JSON without a pydantic response model."""
    return [
        f"{sorted(route.methods)[0]} {path}"
        for path, route in api_routes(app)
        if not (_is_schema(route.response_model) or route.status_code == 204 or _is_download(route))
    ]


def test_every_api_route_declares_its_response_model(app):
    assert len(api_routes(app)) > 40  # the walk reaches the routers' routes
    assert undeclared(app) == []


def test_the_check_finds_a_route_that_answers_a_dict():
    class Thing(BaseModel):
        name: str

    app = FastAPI()

    @app.get("/api/v1/loose")
    def loose() -> dict:
        return {}

    @app.get("/api/v1/typed", response_model=list[Thing])
    def typed():
        return []

    @app.delete("/api/v1/typed/{id}", status_code=204)
    def gone(id: int) -> None:
        return None

    @app.get("/api/v1/typed.csv", response_class=Response)
    def download() -> Response:
        return Response("a,b\n", media_type="text/csv")

    assert undeclared(app) == ["GET /api/v1/loose"]


def test_the_signals_and_timeline_answers_are_documented(client):
    paths = client.get("/openapi.json").json()["paths"]

    def schema(path: str) -> str:
        content = paths[path]["get"]["responses"]["200"]["content"]["application/json"]
        return content["schema"]["$ref"].rsplit("/", 1)[-1]

    assert schema("/api/v1/indicators/{slug}/signals") == "SignalsPublic"
    assert schema("/api/v1/timeline") == "TimelinePublic"
    run = client.get("/openapi.json").json()["components"]["schemas"]["SignalRunPublic"]
    assert {"from", "to", "state", "explained_by"} <= set(run["properties"])
