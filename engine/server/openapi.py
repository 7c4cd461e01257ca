"""The OpenAPI 3.1 document, generated from the route table and the pydantic schemas.

Nothing here is written by hand per route: a route cannot exist without an entry, and a
test (schemathesis) checks that real responses match what is written.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from aiohttp import web
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from engine.server import schemas
from engine.server.routing import Body, Route

_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([^{}]*(?:\{[^{}]*\}[^{}]*)*))?\}")
_REF = "#/components/schemas/{model}"
_ERROR = {"$ref": "#/components/schemas/ErrorResponse"}
_RAW = {
    "any": ("application/json", {}),
    "text": ("text/plain", {"type": "string"}),
    "html": ("text/html", {"type": "string"}),
    "sse": ("text/event-stream", {"type": "string"}),
    "binary": ("application/octet-stream", {"type": "string", "format": "binary"}),
    "multipart": ("multipart/form-data", {
        "type": "object", "required": ["file"],
        "properties": {"file": {"type": "string", "format": "binary"},
                       "collection": {"type": "string"}}}),
}
_STATUS_TEXT = {101: "Switching to the WebSocket protocol", 200: "OK", 201: "Created",
                204: "No content", 302: "Redirect", 400: "Invalid request",
                401: "Missing or invalid credentials", 403: "Not allowed for this caller",
                404: "Not found", 413: "Body too large", 429: "Rate limited (see Retry-After)",
                503: "Busy (see Retry-After) or a service is missing (the message says which)",
                507: "Disk full"}


@cache
def _components() -> dict[str, Any]:
    models = [getattr(schemas, name) for name in dir(schemas)]
    models = [m for m in models if isinstance(m, type) and issubclass(m, BaseModel)
              and m.__module__ == schemas.__name__ and m not in (schemas.Strict, schemas.Open)]
    _, top = models_json_schema([(m, "serialization") for m in models], ref_template=_REF)
    return dict(top.get("$defs", {}))


def _content(body: Body) -> dict[str, Any]:
    if isinstance(body, type):
        return {"application/json": {"schema": {"$ref": _REF.format(model=body.__name__)}}}
    assert body is not None
    kind, schema = _RAW[body]
    return {kind: {"schema": schema}}


def _path(route: Route) -> tuple[str, list[dict[str, Any]]]:
    parameters: list[dict[str, Any]] = []

    def plain(match: re.Match[str]) -> str:
        schema: dict[str, Any] = {"type": "string"}
        if match.group(2):
            schema["pattern"] = f"^{match.group(2)}$"
        parameters.append({"name": match.group(1), "in": "path", "required": True,
                           "schema": schema})
        return "{" + match.group(1) + "}"

    return _PARAM.sub(plain, route.path), parameters


def _operation(route: Route, path_params: list[dict[str, Any]]) -> dict[str, Any]:
    parameters = path_params + [
        {"name": p.name, "in": "query", "required": p.required, "description": p.description,
         "schema": {"type": p.type}} for p in route.query]
    operation: dict[str, Any] = {
        "operationId": _operation_id(route), "summary": route.summary, "tags": [route.tag],
        "parameters": parameters, "responses": _responses(route, bool(path_params))}
    if route.handler.__doc__:
        operation["description"] = " ".join(route.handler.__doc__.split())
    if route.body is not None:
        required = not (isinstance(route.body, type) and _all_optional(route.body))
        operation["requestBody"] = {"required": required, "content": _content(route.body)}
    operation["security"] = _security(route)
    return operation


def _all_optional(model: type[BaseModel]) -> bool:
    if model is schemas.Record:
        return False
    return not any(f.is_required() for f in model.model_fields.values())


def _security(route: Route) -> list[dict[str, list[str]]]:
    if route.access == "public":
        return []
    schemes: list[dict[str, list[str]]] = [{"bearer": []}, {"apiKey": []}]
    return [*schemes, {}] if route.access in ("chat", "webhook") else schemes


def _responses(route: Route, has_path_params: bool) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status, body in route.responses.items():
        entry: dict[str, Any] = {"description": _STATUS_TEXT.get(status, "OK")}
        bodies = body if isinstance(body, tuple) else (body,)
        content: dict[str, Any] = {}
        for item in bodies:
            if item is not None:
                content.update(_content(item))
        if content:
            entry["content"] = content
        responses[str(status)] = entry
    errors = [400, 429]
    if route.access != "public":
        errors += [401, 403]
    if has_path_params or route.access in ("chat", "webhook"):
        errors.append(404)
    if route.body is not None:
        errors.append(413)
    if route.method != "GET":  # anything that writes can find the disk full
        errors.append(507)
    errors.extend(route.errors)
    for status in sorted(set(errors)):
        responses[str(status)] = {"description": _STATUS_TEXT[status],
                                  "content": {"application/json": {"schema": _ERROR}}}
    responses["default"] = {"description": "Any other error, in the one error shape",
                            "content": {"application/json": {"schema": _ERROR}}}
    return responses


def _operation_id(route: Route) -> str:
    words = re.sub(r"\{([^}:]+)(?::[^}]*)?\}", r"by_\1", route.path).strip("/")
    return route.method.lower() + "_" + (re.sub(r"[^A-Za-z0-9]+", "_", words) or "root")


def document(app: web.Application) -> dict[str, Any]:
    from engine.server.app import ROUTES
    from engine.server.routes.system import VERSION

    paths: dict[str, dict[str, Any]] = {}
    for route in app[ROUTES]:
        path, path_params = _path(route)
        paths.setdefault(path, {})[route.method.lower()] = _operation(route, path_params)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Hearth LAN server", "version": VERSION,
                 "description": "REST, chat WebSocket, webhooks and an OpenAI-compatible API "
                                "over the Hearth engine. Errors always have the shape "
                                '{"error": {"code", "message", "details"?}}.'},
        "paths": paths,
        "components": {
            "schemas": _components(),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            },
        },
    }
