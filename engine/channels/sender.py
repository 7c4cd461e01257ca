"""Outbound calls with bounded retries: exponential backoff on 429 and 5xx, honouring the
platform's own wait (Telegram's ``parameters.retry_after``, an HTTP ``Retry-After``).

A 4xx other than 429 is not retried (the call itself is wrong); a connection error is.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

from engine.channels.errors import DeliveryFailed
from engine.channels.protocol import OutboundCall

log = logging.getLogger("hearth.channels")
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    """No single wait is longer, whatever the platform asks (a bounded sender)."""
    timeout: float = 15.0


class Sender:
    """Makes an adapter's calls through one ``aiohttp`` client session."""

    def __init__(self, policy: RetryPolicy | None = None, sleep: Sleep = asyncio.sleep) -> None:
        self.policy = policy or RetryPolicy()
        self._sleep = sleep
        self._client: aiohttp.ClientSession | None = None
        self.retries = 0  # calls repeated since the start (for status pages and tests)

    async def client(self) -> aiohttp.ClientSession:
        if self._client is None or self._client.closed:
            timeout = aiohttp.ClientTimeout(total=self.policy.timeout)
            self._client = aiohttp.ClientSession(timeout=timeout)
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()

    async def call(self, base: str, headers: Mapping[str, str], call: OutboundCall, *,
                   timeout: float | None = None) -> dict[str, Any]:
        """The platform's JSON answer to ``call``; :class:`DeliveryFailed` when it keeps
        refusing (the last status is in the message). ``timeout``: this call's own bound
        (a long poll), else the policy's."""
        client = await self.client()
        bound = aiohttp.ClientTimeout(total=timeout or self.policy.timeout)
        url = base.rstrip("/") + "/" + call.path.lstrip("/")
        problem = "no attempt"
        for attempt in range(self.policy.attempts):
            try:
                async with client.request(call.method, url, json=call.json,
                                          headers=dict(headers), timeout=bound) as response:
                    text = await response.text()
                    data = _json(text)
                    if response.status < 300:
                        return data
                    problem = f"status {response.status}"
                    if response.status != 429 and response.status < 500:
                        break
                    wait = _asked_wait(response.headers, data)
            except (aiohttp.ClientError, TimeoutError) as error:
                problem, wait = type(error).__name__, None
            if attempt + 1 < self.policy.attempts:
                delay = wait if wait is not None else self.policy.base_delay * 2 ** attempt
                self.retries += 1
                await self._sleep(min(max(delay, 0.0), self.policy.max_delay))
        log.warning("channel call %s %s failed: %s", call.method, call.path.split("/")[-1],
                    problem)
        raise DeliveryFailed(f"the platform refused the message ({problem})")


def _json(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _asked_wait(headers: Mapping[str, str], data: Mapping[str, Any]) -> float | None:
    """The wait the platform asked for, in seconds, if it said."""
    parameters = data.get("parameters")
    if isinstance(parameters, Mapping):
        after = parameters.get("retry_after")
        if isinstance(after, (int, float)) and not isinstance(after, bool):
            return float(after)
    header = headers.get("Retry-After")
    if header:
        try:
            return float(header)
        except ValueError:
            return None  # an HTTP date: use the backoff
    return None
