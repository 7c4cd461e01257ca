"""One Redis server for the whole test session (Debian's ``redis-server``).

It listens on a free 127.0.0.1 port only, keeps nothing on disk (``--save ""``, no AOF) and
asks for a password, so the URL's ``password=env:…`` path is exercised: the password sits in
an environment variable of this process, never in a URL. Tests isolate themselves with a
fresh key prefix each (``RedisServer.url()``), which also separates pub/sub channels (Redis
shares those across database numbers).
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import require_service
from tests.services.ports import free_port

PASSWORD_ENV = "HEARTH_TEST_REDIS_PASSWORD"


class RedisServer:
    """A running ``redis-server``; ``url()`` gives a storage URL with a fresh prefix."""

    def __init__(self, root: Path, *extra: str, password: str | None = None) -> None:
        self.root = root
        self.port = free_port()
        self.password = password
        self._extra = extra
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            require_service("redis", "redis-server is not installed (Debian: redis-server)")
        auth = ["--requirepass", self.password] if self.password else []
        self._process = subprocess.Popen(
            [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--dir", str(self.root), "--logfile",
             str(self.root / "redis.log"), *auth, *self._extra],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"redis-server exited: {self.log_tail()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"redis-server did not listen within 20 s: {self.log_tail()}")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)
        if self._process is not None and self._process.stderr is not None:
            self._process.stderr.close()
        shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self) -> str:
        log = self.root / "redis.log"
        return log.read_text(errors="replace")[-2000:] if log.exists() else ""

    def url(self, prefix: str | None = None, *, db: int = 0) -> str:
        """``redis://127.0.0.1:PORT/DB?prefix=…&password=env:…`` with a fresh prefix."""
        prefix = prefix or f"t{uuid.uuid4().hex[:12]}:"
        password = f"&password=env:{PASSWORD_ENV}" if self.password else ""
        return f"redis://127.0.0.1:{self.port}/{db}?prefix={prefix}{password}"


def started(*extra: str, password: str | None = None) -> RedisServer:
    """A new server in its own temporary folder (stop it when done)."""
    server = RedisServer(Path(tempfile.mkdtemp(prefix="hearth-redis-")), *extra,
                         password=password)
    try:
        server.start()
    except BaseException:
        shutil.rmtree(server.root, ignore_errors=True)
        raise
    return server


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """The session's Redis server (started on first use, stopped at the end)."""
    password = secrets.token_urlsafe(16)
    os.environ[PASSWORD_ENV] = password
    server = started(password=password)
    yield server
    server.stop()
    os.environ.pop(PASSWORD_ENV, None)
