"""SIGKILL chaos during a burst on the LAN server: a real ``hearth serve`` on 127.0.0.1
takes messages from four concurrent clients (each turn SAVEs two rows) and is killed at
random moments, at least 20 times, and restarted on the same port.

After every kill both database files pass ``PRAGMA integrity_check``. A message is
acknowledged by its 200 answer; after a failed request the client looks at the session's
history once the server is back and resends only what did not arrive. At the end every
message is stored once with exactly its two rows: 0 lost, 0 duplicated acknowledged
messages or rows.
"""

from __future__ import annotations

import http.client
import json
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlean

from tests.engine.sessions.sessionkit import write_bot
from tests.reliability.chaoskit import REPO, check_files, child_env, report
from tests.services.ports import free_port

KILLS = 20
CLIENTS = 4
BUDGET_SECONDS = 150.0
PASSWORD = "long enough password"
BURST = """
TALK "ready"
DO
  HEAR item
  SAVE "items", {name: item, part: 1}
  SAVE "items", {name: item, part: 2}
  TALK "saved " + item
LOOP
"""


def server_env(home: Path) -> dict[str, str]:
    # keyrings.alt's file backend lives under XDG_DATA_HOME: keep it inside the test's home.
    return child_env(HEARTH_HOME=str(home), XDG_DATA_HOME=str(home / "xdg"),
                     PYTHON_KEYRING_BACKEND="keyrings.alt.file.PlaintextKeyring")


def call(url: str, body: dict[str, Any] | None = None, token: str | None = None,
         timeout: float = 15.0) -> tuple[int, dict[str, Any]]:
    """One HTTP call; (status, JSON body). Connection failures raise OSError."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data, headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            return reply.status, json.loads(reply.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, {}
    except http.client.HTTPException as error:  # the server died mid-answer
        raise ConnectionError(str(error)) from error


@dataclass
class Server:
    """The server process across restarts; ``generation`` counts the starts."""

    home: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[str] | None = None
    generation: int = 0
    token: str = ""
    up: threading.Condition = field(default_factory=threading.Condition)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(self.port)],
            cwd=REPO, env=server_env(self.home), stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True)
        assert process.stdout is not None
        line = process.stdout.readline()
        assert self.base in line, f"hearth serve did not start: {line!r}"
        if not self.token:
            status, tokens = call(self.base + "/api/auth/login",
                                  {"username": "uma", "password": PASSWORD})
            assert status == 200, status
            self.token = str(tokens["access_token"])
        with self.up:
            self.process = process
            self.generation += 1
            self.up.notify_all()

    def kill(self) -> None:
        with self.up:
            process, self.process = self.process, None
        assert process is not None
        process.send_signal(signal.SIGKILL)
        process.wait(30)

    def wait_up(self, after: int, stop: threading.Event, patience: float = 2.0) -> int:
        """Block until a server started after generation ``after`` runs, ``stop`` is set, or
        ``patience`` seconds passed (a call that failed on a server still running is then
        tried again on it: no restart may ever come); the generation now running."""
        with self.up:
            self.up.wait_for(lambda: stop.is_set() or (self.process is not None
                                                       and self.generation > after),
                             timeout=patience)
            return self.generation


@dataclass
class Client:
    """Sends its session's messages one after another until told to stop (on a thread)."""

    server: Server
    session: str
    label: str
    stop: threading.Event
    acked: list[str] = field(default_factory=list)
    arrived_unacked: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # answered, but not as the bot should
    pending: str | None = None

    def run(self) -> None:
        number, generation = 0, self.server.wait_up(0, self.stop)
        while not self.stop.is_set():
            if self.pending is None:
                number += 1
                self.pending = f"{self.label}-{number:05d}"
            if self.send(self.pending):
                self.acked.append(self.pending)
                self.pending = None
                continue
            generation = self.server.wait_up(generation, self.stop)
            self.reconcile()

    def send(self, text: str) -> bool:
        url = f"{self.server.base}/api/sessions/{self.session}/messages"
        try:
            status, turn = call(url, {"content": text}, self.server.token)
        except OSError:
            return False
        if status == 200 and turn.get("text") != f"saved {text}":
            self.failures.append(f"{text}: {turn}")
        return status == 200 and turn.get("text") == f"saved {text}"

    def reconcile(self) -> None:
        """After a failure: did the pending message arrive anyway (committed, answer lost)?"""
        if self.pending is None:
            return
        url = f"{self.server.base}/api/sessions/{self.session}/messages?limit=5"
        try:
            status, history = call(url, token=self.server.token)
        except OSError:
            return  # down again: the next attempt reconciles
        if status == 200 and any(m["role"] == "user" and m["content"] == self.pending
                                 for m in history["messages"]):
            self.arrived_unacked.append(self.pending)
            self.pending = None


def stored(home: Path) -> tuple[Counter[str], Counter[str]]:
    with sqlean.connect(str(home / "hearth.db")) as conn:
        messages = Counter(str(r[0]) for r in conn.execute(
            "SELECT content FROM messages WHERE role = 'user'"))
    with sqlean.connect(str(home / "work" / "burst" / "tables.db")) as conn:
        rows = Counter(str(r[0]) for r in conn.execute("SELECT name FROM items"))
    return messages, rows


def test_sigkill_during_a_server_burst_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    write_bot(tmp_path, "burst", {"start.bas": BURST})
    added = subprocess.run([sys.executable, "-m", "app.cli", "users", "add", "uma",
                            "--password-stdin"], input=PASSWORD + "\n", text=True,
                           capture_output=True, env=server_env(tmp_path), cwd=REPO, timeout=120)
    assert added.returncode == 0, added.stderr
    files = (tmp_path / "hearth.db", tmp_path / "work" / "burst" / "tables.db")
    server, stop, rng = Server(tmp_path), threading.Event(), random.Random(10)
    began = time.monotonic()
    server.start()
    sessions = []
    for _ in range(CLIENTS):
        status, opened = call(server.base + "/api/bots/burst/sessions", {}, server.token)
        assert status == 201, status
        sessions.append(str(opened["session_id"]))
    clients = [Client(server, sid, f"c{i}", stop) for i, sid in enumerate(sessions)]
    threads = [threading.Thread(target=client.run, daemon=True) for client in clients]
    for thread in threads:
        thread.start()
    kills = 0
    try:
        while kills < KILLS:
            assert time.monotonic() - began < BUDGET_SECONDS, f"only {kills} kills in time"
            time.sleep(rng.uniform(0.2, 0.8))
            server.kill()
            kills += 1
            check_files(*files)
            server.start()
        time.sleep(0.5)
        stop.set()
        for thread in threads:
            thread.join(60)
        for client in clients:  # the last answers may have been cut by the last kill
            client.reconcile()
            if client.pending is not None and client.send(client.pending):
                client.acked.append(client.pending)
    finally:
        stop.set()
        if server.process is not None:
            server.process.send_signal(signal.SIGTERM)
            server.process.wait(30)
    check_files(*files)

    messages, rows = stored(tmp_path)
    acked = [m for c in clients for m in c.acked]
    arrived = [m for c in clients for m in c.arrived_unacked]
    lost = [m for m in acked if messages[m] == 0]
    duplicated = [m for m, n in messages.items() if n > 1]
    wrong_rows = {m: rows[m] for m in set(rows) | set(messages)
                  if rows[m] != 2 or messages[m] != 1}
    failures = [f for c in clients for f in c.failures]
    report("chaos_server", kills=kills, clients=CLIENTS, acknowledged=len(acked),
           arrived_unacknowledged=len(arrived), stored=sum(messages.values()), lost=len(lost),
           duplicated=len(duplicated), wrong_rows=len(wrong_rows), rows=sum(rows.values()),
           seconds=round(time.monotonic() - began, 1))
    assert failures == [], failures[:5]
    assert lost == [] and duplicated == [] and wrong_rows == {}
    assert sorted(messages) == sorted(acked + arrived)
    assert kills >= 20 and len(acked) > kills
