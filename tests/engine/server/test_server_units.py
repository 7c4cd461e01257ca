"""Units without a server: the one JSON error shape (STYLE.md §4), the boundary's
translation of foreign errors, the rate limiter's token buckets."""

from __future__ import annotations

import errno

import pytest

from engine.basic.errors import BasicPermissionError, FileError
from engine.bots.errors import BotError, UnknownBot
from engine.office.errors import not_found
from engine.server.errors import RateLimited, error_body, translate
from engine.server.ratelimit import TokenBucketLimiter
from engine.sessions.errors import UnknownSession
from engine.storage.errors import DiskFull, StorageUnavailableError


def test_the_shape_is_pinned() -> None:
    assert error_body("not_found", "no bot") == {"error": {"code": "not_found",
                                                          "message": "no bot"}}
    assert error_body("validation", "bad", {"field": "x"}) == {
        "error": {"code": "validation", "message": "bad", "details": {"field": "x"}}}


def test_foreign_exceptions_never_leak_their_text() -> None:
    response = translate(RuntimeError("secret path /etc/passwd"))
    assert response.status == 500
    assert response.text is not None and "passwd" not in response.text


def test_engine_errors_are_mapped() -> None:
    assert translate(UnknownBot("no bot named 'x'")).status == 404
    assert translate(UnknownSession("no session 'x'")).status == 404
    assert translate(BotError("no template 'x'")).status == 400  # by type, not by its text
    disk = translate(DiskFull("writing a.txt"))
    assert disk.status == 507 and disk.text is not None and "disk full" in disk.text
    assert translate(OSError(errno.ENOSPC, "No space left on device")).status == 507
    assert translate(BasicPermissionError("outside the drive")).status == 403
    assert translate(not_found("a.txt")).status == 404  # the drive's typed not-found
    assert translate(FileError("file not found: a.txt")).status == 400  # by type, not text
    assert translate(FileError("is a folder, not a file: a")).status == 400
    down = translate(StorageUnavailableError("redis 10.1.2.3:6379/0 is unavailable: refused"))
    assert down.status == 503 and down.text is not None
    assert "unavailable" in down.text and "10.1.2.3" not in down.text  # no internal address


def test_rate_limited_says_when_to_retry() -> None:
    response = RateLimited(0.2).response()
    assert response.status == 429 and response.headers["Retry-After"] == "1"


def test_token_bucket_refills() -> None:
    now = [0.0]
    bucket = TokenBucketLimiter(rate=2, burst=2, clock=lambda: now[0])
    assert bucket.take("a") == 0 and bucket.take("a") == 0
    assert bucket.take("a") == pytest.approx(0.5)
    assert bucket.take("b") == 0  # per key
    now[0] = 0.5
    assert bucket.take("a") == 0


def test_token_bucket_memory_is_bounded() -> None:
    bucket = TokenBucketLimiter(rate=1, burst=1, max_keys=10, clock=lambda: 0.0)
    for n in range(100):
        bucket.take(f"10.0.0.{n}")
    assert len(bucket._buckets) <= 10
