"""What the Redis cache and the Redis event bus share: the URL, the client, the errors.

``redis://[user@]host[:port][/db]?prefix=P&password=keyring:NAME&timeout=S`` (``rediss://``
for TLS). ``prefix`` (default ``hearth:``) starts every key and channel name this process
uses, so several deployments or tests share one server without seeing each other; pub/sub
channels ignore the database number, so the prefix is what separates buses. ``password``
names where the secret is kept (``keyring:NAME`` or ``env:NAME``, see
:mod:`engine.storage.secrets`); it is never written in the URL. ``timeout`` (default 5 s)
bounds connecting, each command and the wait for a free connection; ``pool`` (default 50)
is the most connections one backend opens: a burst beyond it queues instead of failing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import redis.asyncio
import redis.exceptions
from redis.asyncio.connection import Connection, SSLConnection
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff

from engine.storage.errors import DiskFull, StorageError, StorageUnavailableError, StorageUrlError
from engine.storage.secrets import resolve_secret

if TYPE_CHECKING:
    from engine.storage.urls import StorageUrl

DEFAULT_PORT = 6379
DEFAULT_PREFIX = "hearth:"
DEFAULT_TIMEOUT = 5.0
DEFAULT_POOL = 50


@dataclass(frozen=True, slots=True)
class RedisAddress:
    """Where the server is and how to reach it; the password stays a reference until used."""

    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    db: int = 0
    username: str | None = None
    password: str | None = None
    tls: bool = False
    prefix: str = DEFAULT_PREFIX
    timeout: float = DEFAULT_TIMEOUT
    pool: int = DEFAULT_POOL

    @classmethod
    def from_url(cls, url: StorageUrl) -> RedisAddress:
        if not url.host:
            raise StorageUrlError(f"a Redis URL names its server: redis://host:port/db "
                                  f"(got {url.text!r})")
        db_text = url.path.strip("/") or "0"
        if not db_text.isdigit():
            raise StorageUrlError(f"the Redis database is a number: redis://host/0 "
                                  f"(got {url.text!r})")
        try:
            timeout = float(url.query.get("timeout", DEFAULT_TIMEOUT))
        except ValueError:
            raise StorageUrlError(f"timeout must be a number of seconds in {url.text!r}") from None
        return cls(
            host=url.host,
            port=url.port or DEFAULT_PORT,
            db=int(db_text),
            username=url.username,
            password=url.query.get("password"),
            tls=url.scheme == "rediss",
            prefix=url.query.get("prefix", DEFAULT_PREFIX),
            timeout=timeout,
            pool=url.int_option("pool", DEFAULT_POOL),
        )

    @property
    def describe(self) -> str:
        return f"redis {self.host}:{self.port}/{self.db}"

    def client(self) -> redis.asyncio.Redis:
        """A pooled client (no I/O yet). Bytes in, bytes out; two quick retries on a dropped
        connection, so a refused server fails in well under a second."""
        pool = redis.asyncio.BlockingConnectionPool(
            max_connections=self.pool,
            timeout=self.timeout,
            connection_class=SSLConnection if self.tls else Connection,
            host=self.host,
            port=self.port,
            db=self.db,
            username=self.username,
            password=resolve_secret(self.password, what="redis password"),
            socket_connect_timeout=self.timeout,
            socket_timeout=self.timeout,
            retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), retries=2),
            decode_responses=False,
        )
        return redis.asyncio.Redis.from_pool(pool)


@contextmanager
def translated(describe: str) -> Iterator[None]:
    """redis-py's exceptions to the storage tree (the original kept as ``__cause__``)."""
    try:
        yield
    except redis.exceptions.AuthenticationError as exc:
        raise StorageError(f"{describe} refused the login: check the user and password") from exc
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
        raise StorageUnavailableError(f"{describe} is unavailable: {exc}") from exc
    except redis.exceptions.OutOfMemoryError as exc:
        raise DiskFull(f"{describe} reached its maxmemory") from exc
    except redis.exceptions.NoPermissionError as exc:
        raise StorageError(f"{describe} does not allow this user that command: {exc}") from exc
    except redis.exceptions.RedisError as exc:
        raise StorageError(f"{describe} failed: {exc}") from exc


def glob_escaped(text: str) -> str:
    """``text`` as a literal in a Redis glob pattern (SCAN MATCH)."""
    return "".join("\\" + char if char in "*?[]\\" else char for char in text)
