"""``hearth users`` and ``hearth serve`` as a person runs them (subprocesses, loopback only)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.engine.server.serverkit import ECHO, REPO
from tests.engine.sessions.sessionkit import write_bot
from tests.services.ports import free_port


def env(home: Path) -> dict[str, str]:
    # keyrings.alt's file backend lives under XDG_DATA_HOME: keep it inside the test's home.
    return {**os.environ, "HEARTH_HOME": str(home), "XDG_DATA_HOME": str(home / "xdg"),
            "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring"}


def hearth(home: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], input=stdin, text=True,
                          capture_output=True, env=env(home), cwd=REPO, timeout=120)


def test_users_add_list_remove(hearth_home: Path) -> None:
    added = hearth(hearth_home, "users", "add", "ada", "--role", "admin", "--password-stdin",
                   stdin="long password\n")
    assert added.returncode == 0, added.stderr
    assert "Added ada (admin)." in added.stdout
    short = hearth(hearth_home, "users", "add", "bob", "--password-stdin", stdin="short\n")
    assert short.returncode == 1 and "at least 8" in short.stderr
    listed = hearth(hearth_home, "users", "list")
    assert listed.stdout.split()[:2] == ["ada", "admin"]
    assert hearth(hearth_home, "users", "remove", "ada").returncode == 0
    assert hearth(hearth_home, "users", "remove", "ada").returncode == 1


def post(url: str, body: dict[str, object], token: str | None = None) -> dict[str, object]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, json.dumps(body).encode(), headers)
    with urllib.request.urlopen(request, timeout=20) as reply:
        data: dict[str, object] = json.loads(reply.read())
        return data


def test_serve_until_sigterm(hearth_home: Path) -> None:
    write_bot(hearth_home, "echo", {"start.bas": ECHO})
    assert hearth(hearth_home, "users", "add", "uma", "--password-stdin",
                  stdin="long password\n").returncode == 0
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
                               env=env(hearth_home), cwd=REPO, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert f"http://127.0.0.1:{port}" in line, line + (process.stderr.read()
                                                          if process.stderr else "")
        base = f"http://127.0.0.1:{port}"
        tokens = post(base + "/api/auth/login", {"username": "uma", "password": "long password"})
        token = str(tokens["access_token"])
        session = post(base + "/api/bots/echo/sessions", {}, token)
        turn = post(f"{base}/api/sessions/{session['session_id']}/messages",
                    {"content": "over the wire"}, token)
        assert turn["text"] == "you said over the wire"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            assert process.wait(timeout=20) == 0
        except subprocess.TimeoutExpired:
            process.kill()
            pytest.fail("hearth serve did not stop on SIGTERM")
