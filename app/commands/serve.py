"""``hearth serve [--host H] [--port P] [--tls] [--cors ORIGIN] [--max-turns-in-flight N]``:
the LAN server.

Host and port default to the ``[server]`` settings. ``--max-turns-in-flight`` bounds the turns
running at once (more are refused with 503 and Retry-After; default 64). Runs until Ctrl+C
(or SIGTERM), then closes open connections and the engine cleanly.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

from app.engine_factory import build_engine
from app.paths import AppPaths
from app.settings import SettingsError, load_settings
from engine.server import ServerOptions, start_server


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("serve", help="serve the bots on the LAN (REST, WebSocket, web chat)")
    parser.add_argument("--host", help="address to listen on (0.0.0.0 = every interface)")
    parser.add_argument("--port", type=int, help="TCP port")
    parser.add_argument("--tls", action="store_true",
                        help="HTTPS with a self-signed certificate generated on first use")
    parser.add_argument("--cors", action="append", default=[], metavar="ORIGIN",
                        help="allow browser pages of this origin to call the API (repeatable)")
    parser.add_argument("--max-turns-in-flight", type=_positive, metavar="N",
                        default=ServerOptions().max_turns_in_flight,
                        help="turns running at once; more are refused with 503 "
                             "(default %(default)s)")
    parser.set_defaults(handler=run)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


async def serve(host: str, port: int, tls: bool, options: ServerOptions) -> int:
    async with build_engine() as engine:
        server = await start_server(engine, host, port, tls=tls, options=options)
        print(f"Hearth is serving on {server.url} (web chat: {server.url}/chat/)", flush=True)
        if not engine.list_bots():
            print("No bots yet: create one with `hearth new NAME`.", flush=True)
        try:
            await _until_stopped()
        finally:
            print("Stopping…", file=sys.stderr, flush=True)
            await server.aclose()
    return 0


async def _until_stopped() -> None:
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows
            loop.add_signal_handler(signum, stopped.set)
    await stopped.wait()


def run(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(AppPaths.from_env())
    except SettingsError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 2
    host = args.host or settings.server.host
    port = args.port if args.port is not None else settings.server.port
    try:
        options = ServerOptions(cors_origins=tuple(args.cors),
                                max_turns_in_flight=args.max_turns_in_flight)
        return asyncio.run(serve(host, port, args.tls, options))
    except KeyboardInterrupt:
        return 0
    except OSError as error:
        print(f"error: cannot listen on {host}:{port}: {error.strerror or error}",
              file=sys.stderr)
        return 1
