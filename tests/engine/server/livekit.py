"""A real server on a loopback port, in a thread of its own (for synchronous clients:
schemathesis, Playwright)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from engine.api import Engine
from engine.server import ServerOptions, start_server
from engine.server.state import STATE
from tests.engine.server.serverkit import HashingKnowledge, add_users, open_engine


@dataclass(frozen=True)
class LiveServer:
    url: str
    admin_token: str


@contextmanager
def live_server(home: Path, options: ServerOptions | None = None,
                prepare: Callable[[Engine], None] | None = None) -> Iterator[LiveServer]:
    """The server on ``home``'s bots; ``prepare`` adjusts the engine before it serves."""
    ready: dict[str, LiveServer | BaseException] = {}
    started = threading.Event()
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()

    async def serve() -> None:
        try:
            engine = await open_engine(home)
            if prepare is not None:
                prepare(engine)
            knowledge = HashingKnowledge(home)
            chosen = replace(options or ServerOptions(), knowledge=knowledge)
            server = await start_server(engine, "127.0.0.1", 0, options=chosen)
            await add_users(server.app)
            from engine.server.security.principal import Role

            admin = server.app[STATE].tokens.issue("ada", Role.ADMIN).access_token
            ready["server"] = LiveServer(server.url, admin)
        except BaseException as error:  # reported to the test thread
            ready["server"] = error
            started.set()
            raise
        started.set()
        try:
            await stop.wait()
        finally:
            await server.aclose()
            await knowledge.aclose()
            await engine.aclose()

    thread = threading.Thread(target=lambda: loop.run_until_complete(serve()), daemon=True)
    thread.start()
    if not started.wait(60):
        raise TimeoutError("the live server did not start")
    found = ready["server"]
    if isinstance(found, BaseException):
        raise found
    try:
        yield found
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(30)
        loop.close()
