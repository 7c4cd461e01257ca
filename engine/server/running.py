"""Starting and stopping the server inside a running event loop (``hearth serve`` and the
desktop's toggle use the same call)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web

from engine.server.app import build_app
from engine.server.options import ServerOptions
from engine.server.protocol import HearthRunner
from engine.server.tls import server_context

if TYPE_CHECKING:
    from engine.api import Engine


@dataclass
class RunningServer:
    """A started server: where it listens, and how to stop it."""

    url: str
    host: str
    port: int
    tls: bool
    app: web.Application
    _runner: web.AppRunner

    async def aclose(self) -> None:
        """Stop listening, close open connections (WebSockets too) and release the port."""
        await self._runner.cleanup()


async def start_server(engine: Engine, host: str = "127.0.0.1", port: int = 8080, *,
                       tls: bool = False, options: ServerOptions | None = None,
                       ) -> RunningServer:
    """Serve ``engine`` (already open) on ``host:port`` (0 picks a free port)."""
    app = await build_app(engine, options)
    runner = HearthRunner(app, access_log=None, handle_signals=False, shutdown_timeout=2.0)
    await runner.setup()
    context = None
    if tls:
        context = await asyncio.to_thread(server_context, engine.config.home / "tls", host)
    site = web.TCPSite(runner, host, port, ssl_context=context, reuse_address=True)
    try:
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    bound = port or _bound_port(runner)
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else ("[::1]" if host == "::" else host)
    url = f"{'https' if tls else 'http'}://{shown}:{bound}"
    return RunningServer(url, host, bound, tls, app, runner)


def _bound_port(runner: web.AppRunner) -> int:
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            return int(address[1])
    raise RuntimeError("the server is not listening on a TCP port")
