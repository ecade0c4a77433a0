"""The OpenAPI document at ``/openapi.json``, made to say what the handlers really answer.

FastAPI documents a 2xx and its own 422 shape (a list of ``{loc, msg, type}``). Duiding's
one error handler (``app.errors``) also answers 401, 403, 404 and 409, always as
``{"detail": ...}``: for a 422 the same list FastAPI gives (the domain's ``Invalid``
says each bad field, and each bad item of a list body at ``["body", index, field]``),
for any other status one sentence. Clients generated from the document, and
schemathesis in the test suite, rely on it.
"""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

ERROR = "#/components/schemas/Error"
PROBLEM = {
    "type": "object",
    "title": "Problem",
    "description": "One bad field, as FastAPI reports request validation: where (``loc``: "
    "body or query, the item's index in a list body, the field), the message, its kind.",
    "required": ["loc", "msg", "type"],
    "properties": {
        "loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
        "msg": {"type": "string"},
        "type": {"type": "string"},
    },
}
ERROR_SCHEMA = {
    "type": "object",
    "title": "Error",
    "required": ["detail"],
    "properties": {
        "detail": {
            "title": "Detail",
            "description": "422: every bad field; any other status: one sentence.",
            "anyOf": [
                {"type": "array", "items": {"$ref": "#/components/schemas/Problem"}},
                {"type": "string"},
            ],
        }
    },
}
BEARER = {
    "type": "http",
    "scheme": "bearer",
    "description": "A staff API token (`duiding tokens create EMAIL`); it carries its user's role.",
}
WHY = {
    "401": "No valid token (and anonymous reading is off).",
    "403": "The token's role may not do this.",
    "404": "Something named in the path or a filter does not exist.",
    "409": "It exists already, or conflicts with what is stored.",
    "413": "The body is too large.",
    "422": "Bad input: each bad field (and item) as {loc, msg, type}; nothing stored.",
}
WRITES = ("post", "patch", "put", "delete")
FASTAPI_422 = "Validation Error"


def _error_statuses(method: str, operation: dict[str, Any]) -> list[str]:
    statuses = ["401", "403", "422"]
    names = {p["name"] for p in operation.get("parameters", [])} - {"limit", "offset"}
    if names or method in WRITES:
        statuses.append("404")
    if method in WRITES:
        statuses += ["409", "413"]
    return statuses


def describe_errors(document: dict[str, Any]) -> dict[str, Any]:
    """Document the errors every ``/api`` operation may answer, with the real ``detail``."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM
    schemas["Error"] = ERROR_SCHEMA
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    document["components"]["securitySchemes"] = {"bearer": BEARER}
    for path, operations in document.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            operation.setdefault("security", [{"bearer": []}])
            responses = operation.setdefault("responses", {})
            for status in _error_statuses(method, operation):
                own = responses.get(status, {}).get("description")
                responses[status] = {
                    "description": own if own and own != FASTAPI_422 else WHY[status],
                    "content": {"application/json": {"schema": {"$ref": ERROR}}},
                }
    return document


def install(app: FastAPI) -> None:
    """Serve the corrected document from ``app.openapi()`` (built once, then cached)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = describe_errors(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    summary=app.summary,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
