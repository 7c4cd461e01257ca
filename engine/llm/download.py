"""Model files fetched from a URL (a catalog entry whose source is ``{"url": ...}``).

The file is written to ``models_dir/.partial/NAME.part``, which outlives a failed attempt:
the next attempt (in the same pull, or a later ``hearth models pull``) asks for the rest with
``Range: bytes=N-`` and appends; a server that ignores the range (200) starts it over. Once
the size is reached the whole file is hashed: a wrong size or sha256 deletes the partial file
and fails. Only ``https:`` is fetched, except plain ``http:`` on the loopback interface (a
local mirror, the tests). Blocking, like the rest of the model manager.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from engine.errors import EngineError

PARTIAL_DIR = ".partial"
ATTEMPTS = 4
_CHUNK = 1 << 20
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
Progress = Callable[[str, int, int], None]


class DownloadError(EngineError):
    """The file could not be fetched or verified; the message says what happened."""


def check_url(url: str) -> str:
    """``url`` when it may be fetched: https, or http on the loopback interface."""
    parts = urlsplit(url)
    loopback = (parts.hostname or "").lower() in _LOOPBACK
    if parts.scheme == "https" or (parts.scheme == "http" and loopback):
        return url
    raise ValueError(f"model URLs must be https (plain http only on 127.0.0.1): {url}")


class UrlDownloader:
    """Fetches one file of known size and sha256, resuming what an earlier attempt left."""

    def __init__(self, *, attempts: int = ATTEMPTS, timeout: float = 30.0,
                 pause: float = 0.5) -> None:
        self.attempts = attempts
        self.timeout = timeout
        self.pause = pause

    def fetch(self, url: str, part: Path, size: int, sha256: str,
              progress: Progress | None = None) -> Path:
        """The verified file at ``part`` (resumed when it exists); DownloadError else."""
        check_url(url)
        part.parent.mkdir(parents=True, exist_ok=True)
        failure = ""
        for attempt in range(self.attempts):
            if attempt:
                time.sleep(self.pause * attempt)
            try:
                self._continue(url, part, size, progress)
            except (httpx.HTTPError, OSError) as error:
                failure = f"{type(error).__name__}: {error}"
                continue
            if _size(part) >= size:
                break
            failure = f"the server sent {_size(part)} of {size} bytes"
        else:
            raise DownloadError(f"download of {url} stopped at {_size(part)} of {size} bytes "
                                f"({failure}); run the pull again to resume")
        return _verified(url, part, size, sha256)

    def _continue(self, url: str, part: Path, size: int, progress: Progress | None) -> None:
        done = _size(part)
        if done >= size:
            return
        headers = {"Range": f"bytes={done}-"} if done else {}
        with httpx.stream("GET", url, headers=headers, timeout=self.timeout,
                          follow_redirects=True) as response:
            if response.status_code == 416:  # nothing left to send: the size will tell
                return
            response.raise_for_status()
            if done and response.status_code != 206:
                done = 0  # the server ignored the range: start over
            with part.open("r+b" if done else "wb") as handle:
                handle.seek(done)
                handle.truncate()
                for chunk in response.iter_bytes():  # as received: a cut keeps it all
                    handle.write(chunk)
                    done += len(chunk)
                    if progress:
                        progress(f"download {part.stem}", min(done, size), size)
                    if done > size:
                        break  # more than the catalog says: the size check fails it


def _verified(url: str, part: Path, size: int, sha256: str) -> Path:
    actual_size = _size(part)
    digest = hashlib.sha256()
    with part.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    if actual_size != size or digest.hexdigest() != sha256:
        part.unlink(missing_ok=True)
        raise DownloadError(f"{url}: got {actual_size} bytes with sha256 {digest.hexdigest()}, "
                            f"the catalog says {size} bytes with sha256 {sha256}; "
                            f"the download was discarded")
    return part


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
