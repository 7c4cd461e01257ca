"""LAN server benchmark: load from this process (an aiohttp client) against a server in a
second process on loopback, beside a bare aiohttp server measured the same way in the same run.

- HTTP, closed loop (``--concurrency`` clients, ``--seconds`` each): ``GET /api/health`` and
  posting a message to a TALK echo bot (``POST /api/sessions/{id}/messages``, JWT auth, rate
  limit, metrics, the whole turn through the engine), beside a bare aiohttp hello-world with
  the same two routes. Requests/s and p50/p99 latency.
- HTTP, open loop at half of the message route's peak: requests sent on a fixed schedule,
  latency measured from the scheduled time (no coordinated omission). Target p99 ≤ 10 ms.
- WebSocket: messages/s round trips (send, wait for the turn's ``done`` frame) to the echo bot
  beside a bare aiohttp WebSocket echo. Target ≥ 40% of bare.

Run: ``.venv/bin/python bench/server.py [--seconds 3] [--concurrency 8]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import print_table, write_json

ECHO = 'DO\n  HEAR m\n  TALK "you said " + m\nLOOP\n'
Request = Callable[[aiohttp.ClientSession, int], Awaitable[None]]


# -- the servers (child processes) -------------------------------------------------------------
async def serve_hearth(port: int, home: Path) -> None:
    from engine.api import Engine, EngineConfig
    from engine.server import ServerOptions, start_server
    from engine.server.security.principal import Role
    from engine.server.security.tokens import StaticSecret
    from engine.server.state import STATE

    dialog = home / "bots" / "echo.gbai" / "echo.gbdialog"
    dialog.mkdir(parents=True, exist_ok=True)
    (dialog / "start.bas").write_text(ECHO, encoding="utf-8")
    config = EngineConfig.under(home, run_scheduler=False, watch_bots=False)
    options = ServerOptions(rate_per_second=1e6, rate_burst=1_000_000,
                            secret=StaticSecret("bench-secret-" + "x" * 32))
    async with Engine(config) as engine:
        server = await start_server(engine, "127.0.0.1", port, options=options)
        token = server.app[STATE].tokens.issue("bench", Role.USER).access_token
        (home / "token").write_text(token, encoding="utf-8")
        await _until_terminated()
        await server.aclose()


async def serve_bare(port: int) -> None:
    from aiohttp import web

    async def health(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def message(request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response({"text": "you said " + body["content"]})

    async def echo(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for frame in ws:
            await ws.send_str(frame.data)
        return ws

    app = web.Application()
    app.router.add_get("/api/health", health)
    app.router.add_post("/api/sessions/{sid}/messages", message)
    app.router.add_get("/ws", echo)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    await _until_terminated()
    await runner.cleanup()


async def _until_terminated() -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print("READY", flush=True)
    await stop.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Child:
    def __init__(self, kind: str, home: Path) -> None:
        self.port = free_port()
        self.home = home
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--child", kind, "--port", str(self.port),
             "--home", str(home)], stdout=subprocess.PIPE, text=True,
            env={**os.environ, "HEARTH_HOME": str(home)})
        assert self.process.stdout is not None
        if self.process.stdout.readline().strip() != "READY":
            raise RuntimeError(f"the {kind} server did not start")
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


# -- load ------------------------------------------------------------------------------------
def summary(latencies: list[float], elapsed: float) -> dict[str, float]:
    ordered = sorted(latencies)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return {"requests": len(ordered), "per_second": len(ordered) / elapsed,
            "p50_ms": pick(0.50), "p99_ms": pick(0.99),
            "mean_ms": statistics.fmean(ordered) * 1000}


async def closed_loop(request: Request, concurrency: int, seconds: float,
                      max_requests: int) -> dict[str, float]:
    latencies: list[float] = []
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        for worker in range(concurrency):  # warm up every connection
            await request(session, worker)
        deadline = time.perf_counter() + seconds

        async def work(worker: int) -> None:
            while time.perf_counter() < deadline and len(latencies) < max_requests:
                started = time.perf_counter()
                await request(session, worker)
                latencies.append(time.perf_counter() - started)

        began = time.perf_counter()
        await asyncio.gather(*(work(w) for w in range(concurrency)))
        return summary(latencies, time.perf_counter() - began)


async def open_loop(request: Request, rate: float, seconds: float, workers: int
                    ) -> dict[str, float]:
    """``rate`` requests/s on a fixed schedule; a request late to start counts its wait."""
    latencies: list[float] = []
    count = max(1, int(rate * seconds))
    connector = aiohttp.TCPConnector(limit=workers)
    async with aiohttp.ClientSession(connector=connector) as session:
        for worker in range(workers):
            await request(session, worker)
        free: asyncio.Queue[int] = asyncio.Queue()
        for worker in range(workers):
            free.put_nowait(worker)
        began = time.perf_counter()

        async def one(index: int, worker: int) -> None:
            await request(session, worker)
            latencies.append(time.perf_counter() - (began + index / rate))
            free.put_nowait(worker)

        tasks = []
        for index in range(count):
            delay = began + index / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.ensure_future(one(index, await free.get())))
        await asyncio.gather(*tasks)
        return summary(latencies, time.perf_counter() - began)


async def websocket_loop(url: str, headers: dict[str, str], concurrency: int, seconds: float,
                         hearth: bool) -> dict[str, float]:
    latencies: list[float] = []
    async with aiohttp.ClientSession() as session:
        sockets = [await session.ws_connect(url, headers=headers) for _ in range(concurrency)]
        if hearth:
            for ws in sockets:
                await _until_done(ws)  # the connected frame and start.bas's turn
        deadline = time.perf_counter() + seconds

        async def work(ws: aiohttp.ClientWebSocketResponse) -> None:
            n = 0
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                await ws.send_str(json.dumps({"content": f"m{n}", "message_type": 1}))
                if hearth:
                    await _until_done(ws)
                else:
                    await ws.receive_str()
                latencies.append(time.perf_counter() - started)
                n += 1

        began = time.perf_counter()
        await asyncio.gather(*(work(ws) for ws in sockets))
        elapsed = time.perf_counter() - began
        for ws in sockets:
            await ws.close()
        return summary(latencies, elapsed)


async def _until_done(ws: aiohttp.ClientWebSocketResponse) -> None:
    while True:
        frame = json.loads(await ws.receive_str())
        if frame["type"] == "done":
            return


# -- the run ---------------------------------------------------------------------------------
async def sessions_for(base: str, headers: dict[str, str], count: int) -> list[str]:
    async with aiohttp.ClientSession(headers=headers) as session:
        found = []
        for _ in range(count):
            async with session.post(base + "/api/bots/echo/sessions", json={}) as reply:
                found.append((await reply.json())["session_id"])
        return found


def requests_for(base: str, headers: dict[str, str], sessions: list[str]
                 ) -> tuple[Request, Request]:
    async def health(session: aiohttp.ClientSession, worker: int) -> None:
        async with session.get(base + "/api/health", headers=headers) as reply:
            assert reply.status == 200
            await reply.read()

    async def message(session: aiohttp.ClientSession, worker: int) -> None:
        url = f"{base}/api/sessions/{sessions[worker % len(sessions)]}/messages"
        async with session.post(url, json={"content": "hi"}, headers=headers) as reply:
            assert reply.status == 200, await reply.text()
            body = await reply.json()
            assert body["text"] == "you said hi", body

    return health, message


async def engine_ceiling(folder: Path, concurrency: int, seconds: float) -> dict[str, float]:
    """Turns/s of the engine alone, in-process, no server: what any route is bounded by."""
    from engine.api import Engine, EngineConfig
    from engine.events import TurnFinished

    dialog = folder / "bots" / "echo.gbai" / "echo.gbdialog"
    dialog.mkdir(parents=True)
    (dialog / "start.bas").write_text(ECHO, encoding="utf-8")
    latencies: list[float] = []
    async with Engine(EngineConfig.under(folder, run_scheduler=False,
                                         watch_bots=False)) as engine:
        deadline = time.perf_counter() + seconds

        async def work(n: int) -> None:
            state = await engine.open_session("echo", session_id=f"s{n}")
            async with engine.subscribe(state.id) as events:
                stream = aiter(events)
                while time.perf_counter() < deadline:
                    started = time.perf_counter()
                    await engine.send(state.id, "hi")
                    while not isinstance(await anext(stream), TurnFinished):
                        pass
                    latencies.append(time.perf_counter() - started)

        began = time.perf_counter()
        await asyncio.gather(*(work(n) for n in range(concurrency)))
        return summary(latencies, time.perf_counter() - began)


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="hearth-bench-engine-") as folder:
        results["engine_turns"] = await engine_ceiling(Path(folder), args.concurrency,
                                                       args.seconds)
    workers = args.concurrency
    with tempfile.TemporaryDirectory(prefix="hearth-bench-server-") as folder:
        for kind in ("bare", "hearth"):
            child = Child(kind, Path(folder) / kind)
            try:
                headers: dict[str, str] = {}
                sessions = ["bare"] * workers
                if kind == "hearth":
                    token = (Path(folder) / kind / "token").read_text(encoding="utf-8")
                    headers = {"Authorization": f"Bearer {token}"}
                    sessions = await sessions_for(child.url, headers, workers)
                health, message = requests_for(child.url, headers, sessions)
                cap = args.max_requests
                results[f"{kind}_health"] = await closed_loop(health, workers, args.seconds, cap)
                results[f"{kind}_message"] = await closed_loop(message, workers, args.seconds,
                                                               cap)
                half = results[f"{kind}_message"]["per_second"] / 2
                results[f"{kind}_message_half_load"] = {
                    "rate": half, **await open_loop(message, half, args.seconds, workers)}
                ws_url = child.url.replace("http", "ws") + "/ws" + (
                    "?bot=echo" if kind == "hearth" else "")
                results[f"{kind}_websocket"] = await websocket_loop(
                    ws_url, headers, workers, args.seconds, kind == "hearth")
            finally:
                child.stop()
    return results


def report(results: dict[str, Any]) -> dict[str, Any]:
    rows = []
    for name in ("health", "message", "message_half_load", "websocket"):
        bare, hearth = results[f"bare_{name}"], results[f"hearth_{name}"]
        ratio = hearth["per_second"] / bare["per_second"]
        rows.append([name, bare["per_second"], hearth["per_second"], f"{ratio:.0%}",
                     bare["p50_ms"], hearth["p50_ms"], bare["p99_ms"], hearth["p99_ms"]])
    print_table(["route", "bare /s", "hearth /s", "hearth/bare", "bare p50 ms", "hearth p50 ms",
                 "bare p99 ms", "hearth p99 ms"], rows)
    message_ratio = results["hearth_message"]["per_second"] / results["bare_message"]["per_second"]
    ws_ratio = results["hearth_websocket"]["per_second"] / results["bare_websocket"]["per_second"]
    checks = {
        "message_vs_bare": {"value": message_ratio, "target": 0.5, "met": message_ratio >= 0.5},
        "message_p99_ms_at_half_load": {
            "value": results["hearth_message_half_load"]["p99_ms"], "target": 10.0,
            "met": results["hearth_message_half_load"]["p99_ms"] <= 10.0},
        "websocket_vs_bare": {"value": ws_ratio, "target": 0.4, "met": ws_ratio >= 0.4},
    }
    engine = results["engine_turns"]
    print("engine alone (in-process, no server; the message and WebSocket rows share it): "
          f"{engine['per_second']:.0f} turns/s, p50 {engine['p50_ms']:.2f} ms, "
          f"p99 {engine['p99_ms']:.2f} ms")
    for name, check in checks.items():
        print(f"{name}: {check['value']:.3g} (target {check['target']}) "
              f"{'met' if check['met'] else 'NOT met'}")
    return checks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each phase")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--max-requests", type=int, default=50_000)
    parser.add_argument("--child", choices=["hearth", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--home", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "hearth":
        asyncio.run(serve_hearth(args.port, args.home))
        return 0
    if args.child == "bare":
        asyncio.run(serve_bare(args.port))
        return 0
    results = asyncio.run(measure(args))
    checks = report(results)
    path = write_json("server", {"seconds": args.seconds, "concurrency": args.concurrency,
                                 "results": results, "targets": checks,
                                 "load_average": os.getloadavg()})
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
