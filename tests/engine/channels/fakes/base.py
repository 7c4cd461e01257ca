"""What both platform fakes share: a real aiohttp server on 127.0.0.1, the calls it got,
and failures to answer on demand (a 429 with a wait, a 5xx)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Self

from aiohttp import web


@dataclass
class Recorded:
    """One call the fake received: its path and JSON body."""

    path: str
    body: dict[str, Any]
    at: float = 0.0


@dataclass
class Failure:
    status: int
    retry_after: int | None = None


@dataclass
class FakePlatform:
    """A platform API on loopback; subclasses add their routes in :meth:`routes`."""

    calls: list[Recorded] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    url: str = ""
    _runner: web.AppRunner | None = None
    _arrived: asyncio.Condition | None = None

    def routes(self) -> list[web.RouteDef]:
        raise NotImplementedError

    async def start(self) -> Self:
        app = web.Application()
        app.add_routes(self.routes())
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        self._arrived = asyncio.Condition()
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def fail_next(self, status: int, retry_after: int | None = None) -> None:
        self.failures.append(Failure(status, retry_after))

    async def record(self, path: str, body: dict[str, Any]) -> None:
        assert self._arrived is not None
        async with self._arrived:
            self.calls.append(Recorded(path, body, asyncio.get_running_loop().time()))
            self._arrived.notify_all()

    async def wait_calls(self, count: int, timeout: float = 20.0) -> list[Recorded]:
        """The first ``count`` recorded calls, once they have arrived."""
        assert self._arrived is not None
        async with asyncio.timeout(timeout), self._arrived:
            await self._arrived.wait_for(lambda: len(self.calls) >= count)
        return self.calls[:count]

    def take_failure(self) -> Failure | None:
        return self.failures.pop(0) if self.failures else None
