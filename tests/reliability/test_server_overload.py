"""Overload: twice the measured capacity on the message route and on the chat WebSocket.

The server runs in a process of its own (``serverproc``) with ``max_turns_in_flight`` set;
clients are asyncio on 127.0.0.1. Each test first measures the capacity (messages a second
with as many closed-loop clients as the limit, so nothing is shed), then offers twice that
as an open-loop stream for a bounded time and checks what the server promises:

- every answer is 2xx, 429 or 503 (503 with Retry-After): no 5xx, timeout or dropped
  connection;
- the p99 latency of the admitted messages stays bounded (the limit keeps the queue short);
- the server's resident memory stays bounded;
- every acknowledged message is in the session's history exactly once, and every shed one
  is not there at all.

The figures are printed (``-s``) for docs/reliability.md.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession, ClientTimeout, TCPConnector, WSServerHandshakeError

pytestmark = pytest.mark.asyncio
REPO = Path(__file__).resolve().parents[2]
LIMIT = 32
MEASURE_SECONDS = 1.2
OVERLOAD_SECONDS = 3.0
CLIENTS = LIMIT * 4  # sessions (REST) or connections (WebSocket) to send on
P99_BOUND = 1.5  # seconds, at least; LIMIT / capacity is 0.03-0.1 s on a laptop
RSS_GROWTH_BOUND = 300 * 1024 * 1024
ALLOWED = {200, 201, 429, 503}
Send = Callable[[Any, str], Awaitable[tuple[int, float]]]


@dataclass
class Server:
    url: str
    pid: int
    token: str
    rss_baseline: int
    rss_peak: list[int] = field(default_factory=lambda: [0])

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def _rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("overload-home")
    ready = home / "ready.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.serverproc", str(home), str(ready),
         str(LIMIT)], cwd=REPO, env={**os.environ, "HEARTH_HOME": str(home)})
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert process.poll() is None, "the server process ended before it was ready"
            assert time.monotonic() < deadline, "the server process did not start"
            time.sleep(0.05)
        info = json.loads(ready.read_text())
        found = Server(info["url"], info["pid"], info["token"], _rss(info["pid"]))
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(0.05):
                found.rss_peak[0] = max(found.rss_peak[0], _rss(found.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        yield found
        stop.set()
        sampler.join(5)
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


@dataclass
class Run:
    """What one load phase saw."""

    statuses: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)  # of admitted messages
    acked: dict[str, list[str]] = field(default_factory=dict)  # session -> contents
    shed: dict[str, list[str]] = field(default_factory=dict)
    sent: int = 0
    no_idle_client: int = 0
    seconds: float = 0.0

    def record(self, session: str, content: str, status: int, latency: float) -> None:
        self.sent += 1
        self.statuses[status] += 1
        if 200 <= status < 300:
            self.latencies.append(latency)
            self.acked.setdefault(session, []).append(content)
        else:
            self.shed.setdefault(session, []).append(content)

    def p99(self) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else 0.0

    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


_counter = iter(range(10**9))


def _content(prefix: str) -> str:
    return f"{prefix}-{next(_counter)}"


async def _closed_loop(clients: list[Any], send: Send, seconds: float, prefix: str) -> Run:
    """Each client sends, waits for the answer, sends again, for ``seconds``."""
    run = Run()
    deadline = time.monotonic() + seconds

    async def worker(client: Any) -> None:
        while time.monotonic() < deadline:
            content = _content(prefix)
            status, latency = await send(client, content)
            run.record(_session(client), content, status, latency)

    started = time.monotonic()
    await asyncio.gather(*(worker(c) for c in clients))
    run.seconds = time.monotonic() - started
    return run


async def _open_loop(clients: list[Any], send: Send, rate: float, seconds: float,
                     prefix: str) -> Run:
    """Arrivals at ``rate`` a second whatever the answers, each on an idle client."""
    run = Run()
    idle: asyncio.Queue[Any] = asyncio.Queue()
    for client in clients:
        idle.put_nowait(client)
    tasks: set[asyncio.Task[None]] = set()

    async def one(client: Any) -> None:
        content = _content(prefix)
        try:
            status, latency = await send(client, content)
            run.record(_session(client), content, status, latency)
        finally:
            idle.put_nowait(client)

    started = time.monotonic()
    for n in range(int(rate * seconds)):
        delay = started + n / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        if idle.empty():
            run.no_idle_client += 1
            continue
        task = asyncio.ensure_future(one(idle.get_nowait()))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    await asyncio.gather(*tasks)
    run.seconds = time.monotonic() - started
    return run


async def _in_batches(make: Callable[[int], Awaitable[Any]], count: int) -> list[Any]:
    """``count`` clients, made a few at a time (opening one runs start.bas: a turn)."""
    made: list[Any] = []
    while len(made) < count:
        made += await asyncio.gather(*(make(i) for i in range(min(LIMIT // 2,
                                                                   count - len(made)))))
    return made


def _session(client: Any) -> str:
    return str(client if isinstance(client, str) else client.session_id)


async def _check_history(http: ClientSession, server: Server, *runs: Run) -> int:
    """Every acknowledged message once, every shed one never; returns the messages checked."""
    sessions = {s for run in runs for s in (*run.acked, *run.shed)}
    checked = 0
    for session in sorted(sessions):
        async with http.get(f"/api/sessions/{session}/messages", params={"limit": "1000"},
                            headers=server.headers) as reply:
            assert reply.status == 200
            history = Counter(m["content"] for m in (await reply.json())["messages"])
        for run in runs:
            for content in run.acked.get(session, []):
                assert history[content] == 1, (session, content, history[content])
                checked += 1
            for content in run.shed.get(session, []):
                assert history[content] == 0, (session, content, history[content])
                checked += 1
    return checked


def _verdict(name: str, server: Server, capacity: Run, overload: Run, checked: int) -> None:
    shed = sum(n for s, n in overload.statuses.items() if s in (429, 503))
    growth = server.rss_peak[0] - server.rss_baseline
    print(f"\n[{name}] capacity {capacity.rate():.0f}/s (p99 {capacity.p99() * 1000:.0f} ms); "
          f"aimed at {2 * capacity.rate():.0f}/s, "
          f"sent {overload.sent / overload.seconds:.0f}/s for {overload.seconds:.1f} s: "
          f"{dict(overload.statuses)}, shed {100 * shed / max(1, overload.sent):.0f}%, "
          f"admitted {overload.rate():.0f}/s p99 {overload.p99() * 1000:.0f} ms, "
          f"client had no idle connection {overload.no_idle_client}x; "
          f"RSS {server.rss_baseline / 2**20:.0f} -> peak {server.rss_peak[0] / 2**20:.0f} MB; "
          f"history checked for {checked} messages")
    assert set(overload.statuses) <= ALLOWED, overload.statuses
    assert set(capacity.statuses) <= {200, 201}, capacity.statuses  # nothing shed under LIMIT
    assert overload.latencies, "nothing was admitted under overload"
    assert shed, "twice the capacity was offered, yet nothing was shed: the queue is unbounded"
    bound = max(P99_BOUND, 5 * LIMIT / capacity.rate())  # a short queue, on any machine
    assert overload.p99() <= bound, (overload.p99(), bound)
    assert growth <= RSS_GROWTH_BOUND, f"RSS grew by {growth / 2**20:.0f} MB"


async def test_the_message_route_sheds_load_at_twice_its_capacity(server: Server) -> None:
    timeout = ClientTimeout(total=60)
    async with ClientSession(server.url, connector=TCPConnector(limit=0),
                             timeout=timeout) as http:

        async def open_session(_: int) -> str:
            async with http.post("/api/bots/echo/sessions", json={},
                                 headers=server.headers) as reply:
                assert reply.status == 201, await reply.text()
                return str((await reply.json())["session_id"])

        sessions = await _in_batches(open_session, CLIENTS)

        async def send(session: Any, content: str) -> tuple[int, float]:
            started = time.monotonic()
            async with http.post(f"/api/sessions/{session}/messages",
                                 json={"content": content}, headers=server.headers) as reply:
                await reply.read()
                if reply.status == 503:
                    assert reply.headers.get("Retry-After"), reply.headers
                return reply.status, time.monotonic() - started

        capacity = await _closed_loop(sessions[:LIMIT], send, MEASURE_SECONDS, "cap")
        overload = await _open_loop(sessions, send, 2 * capacity.rate(), OVERLOAD_SECONDS,
                                    "rest")
        checked = await _check_history(http, server, capacity, overload)
    _verdict("REST messages", server, capacity, overload, checked)


class Chat:
    """One chat WebSocket with at most one message in flight."""

    def __init__(self, ws: Any, session_id: str) -> None:
        self.ws = ws
        self.session_id = session_id
        self.waiter: asyncio.Future[dict[str, Any]] | None = None
        self.reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        async for message in self.ws:
            frame = json.loads(message.data)
            if frame["type"] in ("done", "error") and self.waiter and not self.waiter.done():
                self.waiter.set_result(frame)

    async def send(self, content: str) -> tuple[int, float]:
        """200 when the turn was done without error, 503/429 when it was shed."""
        self.waiter = asyncio.get_running_loop().create_future()
        started = time.monotonic()
        await self.ws.send_json({"content": content})
        frame = await asyncio.wait_for(self.waiter, 60)
        elapsed = time.monotonic() - started
        if frame["type"] == "done":
            return (200 if frame.get("error") is None else 500), elapsed
        code = frame["error"]["code"]
        return {"busy": 503, "rate_limited": 429}.get(code, 400), elapsed


async def _connect(http: ClientSession, server: Server) -> Chat:
    for _ in range(50):
        try:
            ws = await http.ws_connect("/ws", params={"bot": "echo"}, headers=server.headers)
        except WSServerHandshakeError as refused:
            assert refused.status == 503, refused.status  # busy: come back shortly
            await asyncio.sleep(0.1)
            continue
        connected = await ws.receive_json(timeout=30)
        while (await ws.receive_json(timeout=30))["type"] != "done":  # start.bas ran
            pass
        return Chat(ws, connected["session_id"])
    raise AssertionError("could not connect to the chat")


async def test_the_chat_websocket_sheds_load_at_twice_its_capacity(server: Server) -> None:
    timeout = ClientTimeout(total=60)
    async with ClientSession(server.url, connector=TCPConnector(limit=0),
                             timeout=timeout) as http:
        chats = await _in_batches(lambda _: _connect(http, server), CLIENTS)

        async def send(chat: Any, content: str) -> tuple[int, float]:
            result: tuple[int, float] = await chat.send(content)
            return result

        try:
            capacity = await _closed_loop(chats[:LIMIT], send, MEASURE_SECONDS, "wcap")
            overload = await _open_loop(chats, send, 2 * capacity.rate(), OVERLOAD_SECONDS,
                                        "ws")
        finally:
            for chat in chats:
                await chat.ws.close()
                chat.reader.cancel()
        checked = await _check_history(http, server, capacity, overload)
    _verdict("WebSocket messages", server, capacity, overload, checked)
