"""The OpenAPI document tells the truth: every route is in it, and schemathesis finds no
server error and no response that disagrees with it (bounded examples per operation)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests
import schemathesis
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from engine.server import ServerOptions
from engine.server.routes import all_routes
from engine.server.routing import register
from tests.engine.server.livekit import live_server

EXAMPLES = 12
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


def _router_routes() -> set[tuple[str, str]]:
    """What aiohttp actually routes, as (method, canonical path)."""
    app = web.Application()
    register(app, all_routes())
    return {(route.method, route.resource.canonical) for route in app.router.routes()
            if route.resource is not None and route.method != "HEAD"}


def _strategies(operations: list[Any]) -> list[tuple[Any, Any]]:
    """Each operation with random values, and once more on a real bot (so that the success
    responses are checked too, not only the 404s of random bot names)."""
    found = []
    for operation in operations:
        found.append((operation, operation.as_strategy()))
        names = {p.name for p in operation.path_parameters}
        if "bot" in names:
            found.append((operation, operation.as_strategy(path_parameters={"bot": "hooks"})))
    return found


def test_every_route_is_documented_and_nothing_else(hearth_home: Path) -> None:
    with live_server(hearth_home) as server:
        doc = requests.get(server.url + "/api/openapi.json", timeout=10).json()
    assert doc["openapi"] == "3.1.0"
    documented = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
    routed = _router_routes()
    assert documented == routed
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            assert operation["summary"], (method, path)
            assert "default" in operation["responses"], (method, path)
            public = operation["security"] == []
            assert public or "401" in operation["responses"], (method, path)


def test_schemathesis_finds_no_disagreement(hearth_home: Path) -> None:
    options = ServerOptions(rate_per_second=10_000, rate_burst=10_000, turn_timeout=10)
    with live_server(hearth_home, options) as server:
        doc = requests.get(server.url + "/api/openapi.json", timeout=10).json()
        schema = schemathesis.openapi.from_dict(doc)
        headers = {"Authorization": f"Bearer {server.admin_token}"}
        session = requests.Session()
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) == len(all_routes())
        for _operation, strategy in _strategies(operations):

            @settings(max_examples=EXAMPLES, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
            @given(case=strategy)
            def check(case: Any) -> None:
                case.call_and_validate(base_url=server.url, session=session, headers=headers,
                                       checks=CHECKS, timeout=30)

            check()


def test_the_statuses_of_shedding_and_a_full_disk_are_documented() -> None:
    from engine.server.app import ROUTES
    from engine.server.openapi import document

    app = web.Application()
    app[ROUTES] = all_routes()
    paths = document(app)["paths"]
    turns = [("post", "/api/sessions/{session_id}/messages"),
             ("post", "/api/bots/{bot}/sessions"), ("post", "/v1/chat/completions"),
             ("get", "/ws"), ("post", "/api/{bot}/webhook/{name}"),
             ("post", "/api/bots/{bot}/tools/{tool}/run"), ("get", "/api/bots/{bot}/kb/search")]
    for method, path in turns:
        assert "503" in paths[path][method]["responses"], (method, path)
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert (method != "get") <= ("507" in operation["responses"]), (method, path)
    assert "put" in paths["/api/users/{username}"]
