"""Catalog entries from a URL (issue 12): resumable download with HTTP ranges, progress and
sha256 verification, against a loopback aiohttp server on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from engine.llm.download import PARTIAL_DIR, UrlDownloader, check_url
from engine.llm.models import ModelCatalog, ModelError, ModelManager, ModelSpec, UrlSource

BLOB = os.urandom(300_000)
SHA = hashlib.sha256(BLOB).hexdigest()


@dataclass
class Mirror:
    """Serves BLOB with ranges; the first ``cut`` responses stop after ``cut_at`` bytes."""

    cut: int = 0
    cut_at: int = 100_000
    ranges: bool = True
    requests: list[str | None] = field(default_factory=list)
    sent: int = 0

    async def handle(self, request: web.Request) -> web.StreamResponse:
        asked = request.headers.get("Range")
        self.requests.append(asked)
        start = int(asked.removeprefix("bytes=").split("-")[0]) if asked and self.ranges else 0
        body = BLOB[start:]
        response = web.StreamResponse(status=206 if start else 200, headers={
            "Content-Length": str(len(body)), "Accept-Ranges": "bytes",
            **({"Content-Range": f"bytes {start}-{len(BLOB) - 1}/{len(BLOB)}"} if start
               else {})})
        await response.prepare(request)
        if self.cut > 0:
            self.cut -= 1
            await response.write(body[:self.cut_at])
            self.sent += self.cut_at
            assert request.transport is not None
            request.transport.close()  # the connection drops mid-file
            return response
        await response.write(body)
        self.sent += len(body)
        await response.write_eof()
        return response


def serve(mirror: Mirror, work: Callable[[str], Any]) -> Any:
    """Run the mirror on 127.0.0.1 and the blocking ``work(url)`` in a thread."""

    async def main() -> Any:
        app = web.Application()
        app.router.add_get("/models/tiny.gguf", mirror.handle)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        try:
            return await asyncio.to_thread(work, f"http://127.0.0.1:{port}/models/tiny.gguf")
        finally:
            await runner.cleanup()

    return asyncio.run(asyncio.wait_for(main(), 60))


def manager_for(models_dir: Path, url: str, sha: str = SHA,
                attempts: int = 4) -> ModelManager:
    spec = ModelSpec(name="tiny", role="chat", default=False, description="test", format="gguf",
                     licence="test", size=len(BLOB), sha256=sha, file="tiny.gguf",
                     source=UrlSource(url=url))
    manager = ModelManager(models_dir, ModelCatalog(version=1, models=(spec,)))
    manager.downloader = UrlDownloader(attempts=attempts, pause=0.01)
    return manager


def test_an_interrupted_download_resumes_with_a_range_and_is_verified(tmp_path: Path) -> None:
    mirror = Mirror(cut=1)
    seen: list[tuple[int, int]] = []

    def pull(url: str) -> Path:
        return manager_for(tmp_path, url).pull("tiny", lambda _s, d, t: seen.append((d, t)))

    path = serve(mirror, pull)
    assert path.read_bytes() == BLOB
    assert mirror.requests == [None, "bytes=100000-"]
    assert mirror.sent == len(BLOB)  # nothing was fetched twice
    assert seen[-1] == (len(BLOB), len(BLOB)) and seen == sorted(seen)
    manifest = ModelManager(tmp_path, manager_for(tmp_path, "https://x").catalog).verify("tiny")
    assert manifest.sha256 == SHA and manifest.sources[0].startswith("http://127.0.0.1:")
    assert not (tmp_path / PARTIAL_DIR / "tiny.part").exists()


def test_a_later_pull_resumes_what_a_failed_one_left(tmp_path: Path) -> None:
    mirror = Mirror(cut=2)

    def twice(url: str) -> tuple[str, Path]:
        with pytest.raises(ModelError) as failed:
            manager_for(tmp_path, url, attempts=1).pull("tiny")
        assert (tmp_path / PARTIAL_DIR / "tiny.part").stat().st_size == 100_000
        with pytest.raises(ModelError):
            manager_for(tmp_path, url, attempts=1).pull("tiny")
        return failed.value.message, manager_for(tmp_path, url, attempts=1).pull("tiny")

    message, path = serve(mirror, twice)
    assert "stopped at 100000 of 300000 bytes" in message and "resume" in message
    assert mirror.requests == [None, "bytes=100000-", "bytes=200000-"]
    assert path.read_bytes() == BLOB


def test_a_server_without_ranges_starts_over(tmp_path: Path) -> None:
    mirror = Mirror(cut=1, ranges=False)
    path = serve(mirror, lambda url: manager_for(tmp_path, url).pull("tiny"))
    assert path.read_bytes() == BLOB and len(mirror.requests) == 2


def test_a_wrong_sha256_is_discarded(tmp_path: Path) -> None:
    def pull(url: str) -> str:
        with pytest.raises(ModelError) as failed:
            manager_for(tmp_path, url, sha="0" * 64).pull("tiny")
        return failed.value.message

    message = serve(Mirror(), pull)
    assert "the download was discarded" in message
    assert not (tmp_path / "tiny").exists()
    assert not (tmp_path / PARTIAL_DIR / "tiny.part").exists()


def test_only_https_or_loopback_http_urls() -> None:
    assert check_url("https://models.example/m.gguf")
    assert check_url("http://127.0.0.1:8000/m.gguf")
    for url in ("http://models.example/m.gguf", "ftp://127.0.0.1/m", "file:///etc/passwd"):
        with pytest.raises(ValueError):
            check_url(url)
    with pytest.raises(ValueError):
        UrlSource(url="http://models.example/m.gguf")

