"""The LAN server in a process of its own, for load and overload tests.

``python -m tests.reliability.serverproc HOME READY [MAX_TURNS]`` opens a real engine with the
server tests' bots under ``HOME``, serves it on a free loopback port with a fixed signing
secret and a rate limit out of the way (the admission limit is what is under test), and
writes ``{"url", "pid", "token"}`` (a user's access token) as JSON to ``READY``. It serves
until SIGTERM or SIGINT.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

from engine.server import ServerOptions, start_server
from engine.server.security.principal import Role
from engine.server.security.tokens import StaticSecret
from engine.server.state import STATE
from tests.engine.server.serverkit import add_users, open_engine

SECRET = "overload-test-secret-of-enough-length-for-hs256"


async def serve(home: Path, ready: Path, max_turns: int) -> None:
    engine = await open_engine(home)
    options = ServerOptions(rate_per_second=100_000, rate_burst=100_000,
                            max_turns_in_flight=max_turns, turn_timeout=30,
                            secret=StaticSecret(SECRET))
    server = await start_server(engine, "127.0.0.1", 0, options=options)
    await add_users(server.app)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    token = server.app[STATE].tokens.issue("uma", Role.USER).access_token
    staged = ready.with_suffix(".tmp")
    staged.write_text(json.dumps({"url": server.url, "pid": os.getpid(), "token": token}))
    staged.replace(ready)  # the reader sees the whole file or none
    try:
        await stop.wait()
    finally:
        await server.aclose()
        await engine.aclose()


def main(argv: list[str]) -> None:
    home, ready = Path(argv[0]), Path(argv[1])
    max_turns = int(argv[2]) if len(argv) > 2 else ServerOptions().max_turns_in_flight
    os.environ["HEARTH_HOME"] = str(home)
    asyncio.run(serve(home, ready, max_turns))


if __name__ == "__main__":
    main(sys.argv[1:])
