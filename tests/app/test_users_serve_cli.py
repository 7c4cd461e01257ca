"""``hearth users role`` and ``hearth serve --max-turns-in-flight`` as a person runs them:
real subprocesses, a real server on loopback."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.engine.server.serverkit import ECHO, REPO
from tests.engine.server.test_server_cli import env, free_port, hearth, post
from tests.engine.sessions.sessionkit import write_bot

PASSWORD = "long password"
SLOW = 'DO\n  HEAR m\n  WAIT 3\n  TALK "late " + m\nLOOP\n'


def _add(home: Path, name: str, role: str) -> None:
    added = hearth(home, "users", "add", name, "--role", role, "--password-stdin",
                   stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr


def _status(url: str, token: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=20) as reply:
            return int(reply.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


@contextlib.contextmanager
def _serve(home: Path, *extra: str) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port", str(port),
                                *extra], env=env(home), cwd=REPO, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert f"127.0.0.1:{port}" in line, line + (process.stderr.read()
                                                   if process.stderr else "")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_users_role_changes_the_role(hearth_home: Path) -> None:
    _add(hearth_home, "uma", "user")
    changed = hearth(hearth_home, "users", "role", "uma", "designer")
    assert changed.returncode == 0, changed.stderr
    assert "uma is now designer (was user)." in changed.stdout
    assert hearth(hearth_home, "users", "list").stdout.split()[:2] == ["uma", "designer"]
    same = hearth(hearth_home, "users", "role", "uma", "designer")
    assert same.returncode == 0 and "already designer" in same.stdout
    unknown = hearth(hearth_home, "users", "role", "ghost", "admin")
    assert unknown.returncode == 1 and "no user named 'ghost'" in unknown.stderr
    wrong = hearth(hearth_home, "users", "role", "uma", "boss")
    assert wrong.returncode == 2 and "invalid choice" in wrong.stderr
    assert "Traceback" not in unknown.stderr + wrong.stderr


def test_users_role_takes_effect_on_a_running_server(hearth_home: Path) -> None:
    _add(hearth_home, "ada", "admin")
    _add(hearth_home, "uma", "user")
    with _serve(hearth_home) as base:
        ada = post(base + "/api/auth/login", {"username": "ada", "password": PASSWORD})
        uma = post(base + "/api/auth/login", {"username": "uma", "password": PASSWORD})
        assert _status(base + "/api/users", str(ada["access_token"])) == 200  # the control
        assert hearth(hearth_home, "users", "role", "ada", "user").returncode == 0
        assert hearth(hearth_home, "users", "role", "uma", "admin").returncode == 0
        deadline = time.monotonic() + 5  # the server re-reads account state every second
        while _status(base + "/api/users", str(ada["access_token"])) != 403:
            assert time.monotonic() < deadline, "the demotion never reached the server"
            time.sleep(0.2)
        # A promotion shows in the tokens issued after it (an older token keeps its role).
        assert _status(base + "/api/users", str(uma["access_token"])) == 403
        fresh = post(base + "/api/auth/refresh", {"refresh_token": uma["refresh_token"]})
        assert _status(base + "/api/users", str(fresh["access_token"])) == 200


def test_serve_sheds_turns_beyond_max_turns_in_flight(hearth_home: Path) -> None:
    write_bot(hearth_home, "slow", {"start.bas": SLOW}, "bot-name,Slow\n")
    write_bot(hearth_home, "echo", {"start.bas": ECHO}, "bot-name,Echo\n")
    _add(hearth_home, "uma", "user")
    with _serve(hearth_home, "--max-turns-in-flight", "1") as base:
        token = str(post(base + "/api/auth/login",
                         {"username": "uma", "password": PASSWORD})["access_token"])
        slow = post(base + "/api/bots/slow/sessions", {}, token)["session_id"]
        echo = post(base + "/api/bots/echo/sessions", {}, token)["session_id"]
        shed: list[urllib.error.HTTPError] = []
        answers: list[dict[str, object]] = []

        def slow_turn() -> None:  # a polite client: refused, it comes back after Retry-After
            deadline = time.monotonic() + 60
            while not answers and time.monotonic() < deadline:
                try:
                    answers.append(post(f"{base}/api/sessions/{slow}/messages",
                                        {"content": "one"}, token))
                except urllib.error.HTTPError as error:
                    shed.append(error)
                    time.sleep(0.1)

        first = threading.Thread(target=slow_turn)
        first.start()
        while first.is_alive():  # the slow turn holds the only slot for 3 s once admitted
            try:
                post(f"{base}/api/sessions/{echo}/messages", {"content": "two"}, token)
            except urllib.error.HTTPError as error:
                shed.append(error)
            time.sleep(0.1)
        first.join()
        assert answers, "the slow turn was never admitted"
        assert shed and {e.code for e in shed} == {503}
        assert {e.headers["Retry-After"] for e in shed} == {"1"}
        assert answers[0]["text"] == "late one"
        after = post(f"{base}/api/sessions/{echo}/messages", {"content": "three"}, token)
        assert after["text"] == "you said three"  # the slot came back


@pytest.mark.parametrize("value", ["0", "-3", "many"])
def test_serve_refuses_a_bad_max_turns_in_flight(hearth_home: Path, value: str) -> None:
    refused = hearth(hearth_home, "serve", "--max-turns-in-flight", value)
    assert refused.returncode == 2
    assert "--max-turns-in-flight" in refused.stderr and "Traceback" not in refused.stderr
