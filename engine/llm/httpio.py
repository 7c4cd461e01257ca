"""HTTP plumbing shared by the HTTP providers: one client per provider, SSE, error mapping."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx

from engine.llm.errors import LlmBadResponse, LlmUnavailable, translated


def make_client(base_url: str, headers: Mapping[str, str], timeout: float,
                transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    """A client whose read timeout is the gap allowed between two streamed chunks."""
    return httpx.AsyncClient(base_url=base_url.rstrip("/"), headers=dict(headers),
                             timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
                             transport=transport)


@asynccontextmanager
async def guarded(provider: str) -> AsyncIterator[None]:
    """Translate every foreign exception raised inside the block into an ``LlmError``."""
    try:
        yield
    except Exception as error:
        raise translated(error, provider) from error


async def sse_events(
    client: httpx.AsyncClient, path: str, body: Mapping[str, Any], provider: str
) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """POST ``body`` and yield ``(event, data)`` for every JSON server-sent event.

    Stops at ``data: [DONE]``; leaving the iteration early closes the connection, which is
    how a server learns to stop generating."""
    async with guarded(provider), client.stream("POST", path, json=body) as response:
        await raise_for_status(response, provider)
        event = "message"
        async for line in response.aiter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data = line[5:].strip()
                if data == "[DONE]":
                    return
                yield event, _object(data, provider)
                event = "message"


async def post_json(client: httpx.AsyncClient, path: str, body: Mapping[str, Any],
                    provider: str) -> dict[str, Any]:
    async with guarded(provider):
        response = await client.post(path, json=body)
        await raise_for_status(response, provider)
        return _object(response.text, provider)


async def raise_for_status(response: httpx.Response, provider: str) -> None:
    if response.status_code < 400:
        return
    await response.aread()
    detail = _error_detail(response.text)
    reason = {401: "rejected the key", 403: "refused access", 404: "has no such model or path",
              429: "is rate limiting"}.get(response.status_code, "refused the request")
    raise LlmUnavailable(f"{provider} {reason} (HTTP {response.status_code}"
                         f"{': ' + detail if detail else ''})", response.status_code)


def _error_detail(text: str) -> str:
    try:
        error = json.loads(text).get("error")
    except (ValueError, AttributeError):
        return text[:200].strip()
    message = error.get("message") if isinstance(error, dict) else error
    return str(message or "")[:200]


def _object(text: str, provider: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise LlmBadResponse(f"{provider} sent an event that is not JSON") from error
    if not isinstance(value, dict):
        raise LlmBadResponse(f"{provider} sent an event that is not a JSON object")
    return value
