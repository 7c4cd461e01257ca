"""Schemathesis over the whole OpenAPI document (``/api/openapi.json``), as an admin, as a
plain user and with no credentials: every operation gets bounded random requests (valid and
invalid ones), once with random path values and once on each real bot, and no answer is a 5xx;
every refusal is the one JSON error shape.

``tests/engine/server/test_server_openapi.py`` checks that responses agree with the document;
this file is about strangers: more callers, every operation, nothing but client errors.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from engine.server import ServerOptions
from engine.server.routes import all_routes
from engine.server.security.principal import Role
from tests.engine.server.livekit import LiveServer, live_server
from tests.security.attackkit import TALLY

EXAMPLES = 6
BOTS = ("hooks", "open")
KIND = "OpenAPI fuzzing (requests)"


def one_error_shape(ctx: Any, response: Any, case: Any) -> bool | None:
    """A refusal (4xx) is JSON in the one error shape, whatever was wrong with the request."""
    if response.status_code < 400:
        return None
    kind = response.headers.get("Content-Type", response.headers.get("content-type", ""))
    kind = kind[0] if isinstance(kind, list) else kind
    assert kind.startswith("application/json"), f"{response.status_code} answered as {kind}"
    body = response.json()
    assert isinstance(body, dict) and set(body) == {"error"}, body
    assert set(body["error"]) <= {"code", "message", "details"}, body
    assert isinstance(body["error"]["code"], str) and body["error"]["message"], body
    return True


CHECKS = [not_a_server_error, one_error_shape]


@pytest.fixture
def server(hearth_home: Path) -> Iterator[LiveServer]:
    options = ServerOptions(rate_per_second=100_000, rate_burst=100_000, turn_timeout=10)
    with live_server(hearth_home, options) as live:
        yield live


def _user_token(server: LiveServer) -> str:
    reply = requests.post(server.url + "/api/auth/login", timeout=10,
                          json={"username": "uma", "password": "correct horse battery"})
    assert reply.status_code == 200, reply.text
    token: str = reply.json()["access_token"]
    return token


def _strategies(operation: Any) -> list[Any]:
    found = [operation.as_strategy()]
    if "bot" in {p.name for p in operation.path_parameters}:
        found += [operation.as_strategy(path_parameters={"bot": bot}) for bot in BOTS]
    return found


def _fuzz_everything(server: LiveServer, headers: dict[str, str]) -> int:
    doc = requests.get(server.url + "/api/openapi.json", timeout=10).json()
    schema = schemathesis.openapi.from_dict(doc)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == len(all_routes())
    session = requests.Session()
    calls = 0
    for operation in operations:
        for strategy in _strategies(operation):

            @settings(max_examples=EXAMPLES, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
            @given(case=strategy)
            def check(case: Any) -> None:
                nonlocal calls
                calls += 1
                try:
                    case.call_and_validate(base_url=server.url, session=session,
                                           headers=headers, checks=CHECKS, timeout=30)
                except Exception:
                    TALLY.count(KIND, passed=True)
                    raise
                TALLY.count(KIND, passed=False)

            check()
    assert requests.get(server.url + "/api/health", timeout=10).status_code == 200
    return calls


def test_as_an_admin(server: LiveServer) -> None:
    assert _fuzz_everything(server, {"Authorization": f"Bearer {server.admin_token}"}) > 0


def test_as_a_user(server: LiveServer) -> None:
    assert _fuzz_everything(server, {"Authorization": f"Bearer {_user_token(server)}"}) > 0


def test_without_credentials(server: LiveServer) -> None:
    assert _fuzz_everything(server, {}) > 0


def test_the_admin_token_is_an_admin(server: LiveServer) -> None:
    """The control for the runs above: the admin credentials do reach admin routes."""
    reply = requests.get(server.url + "/api/users", timeout=10,
                         headers={"Authorization": f"Bearer {server.admin_token}"})
    assert reply.status_code == 200
    assert Role.ADMIN.label in reply.text
