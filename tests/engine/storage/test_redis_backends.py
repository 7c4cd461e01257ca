"""What the Redis cache and bus promise beyond the contract suites: sharing between processes,
namespaces, typed failures (unreachable, wrong password, out of memory) and reconnecting.

The session's server (``redis_server``) serves most tests; the ones that restart a server or
fill its memory start a small one of their own (a few milliseconds).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from busreads import take
from keyrings.alt.file import PlaintextKeyring

from engine.storage.bus.redis import RedisEventBus
from engine.storage.cache.redis import RedisCache
from engine.storage.errors import (
    DiskFull,
    StorageClosedError,
    StorageError,
    StorageUnavailableError,
    StorageUrlError,
)
from engine.storage.urls import cache_from_url, event_bus_from_url
from tests.services.redis import PASSWORD_ENV, RedisServer, free_port, started

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def own_server() -> Iterator[RedisServer]:
    server = started()
    yield server
    server.stop()


async def test_the_url_builds_the_redis_backends(redis_server: RedisServer) -> None:
    url = redis_server.url("p1:", db=3)
    cache, bus = cache_from_url(url), event_bus_from_url(url)
    assert isinstance(cache, RedisCache) and isinstance(bus, RedisEventBus)
    assert (cache.address.db, cache.address.prefix, cache.address.port) == (3, "p1:",
                                                                            redis_server.port)
    tls = cache_from_url("rediss://cache.lan/0?password=env:X")
    assert isinstance(tls, RedisCache) and tls.address.tls and tls.address.port == 6379


@pytest.mark.parametrize(
    "url",
    ["redis://h/0?password=hunter2", "redis://h/0?password=keyring:", "redis://h/zero",
     "redis:///0", "redis://h/0?timeout=soon"],
)
async def test_malformed_redis_urls(url: str) -> None:
    with pytest.raises(StorageUrlError):
        await cache_from_url(url).open()


async def test_the_password_can_come_from_the_keyring(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    previous = keyring.get_keyring()
    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring.cfg")  # type: ignore[misc]
    keyring.set_keyring(backend)
    try:
        keyring.set_password("hearth", "redis-main", str(redis_server.password))
        url = redis_server.url().replace(f"env:{PASSWORD_ENV}", "keyring:redis-main")
        async with cache_from_url(url) as cache:
            await cache.set("k", b"v")
            assert await cache.get("k") == b"v"
        with pytest.raises(StorageError, match="missing"):
            await cache_from_url(url.replace("redis-main", "nothing-here")).open()
    finally:
        keyring.set_keyring(previous)


async def test_two_instances_share_counters_and_values(redis_server: RedisServer) -> None:
    url = redis_server.url()
    async with cache_from_url(url) as one, cache_from_url(url) as two:
        await asyncio.gather(*(cache.incr("rate:ip", ttl=60) for cache in (one, two) * 50))
        assert await one.get("rate:ip") == b"100"
        await one.set("k", b"from one")
        assert await two.get("k") == b"from one"


async def test_prefixes_keep_caches_apart(redis_server: RedisServer) -> None:
    async with cache_from_url(redis_server.url("a*[x]:")) as a, \
            cache_from_url(redis_server.url("a*[x]:more:")) as longer, \
            cache_from_url(redis_server.url("b:")) as b:
        await a.set("k", b"a")
        await longer.set("k", b"longer")
        await b.set("k", b"b")
        await a.clear()  # its glob characters are escaped: only a's own keys go
        assert (await a.get("k"), await longer.get("k"), await b.get("k")) == (
            None, b"longer", b"b")


async def test_events_cross_processes(redis_server: RedisServer) -> None:
    url = redis_server.url()
    publisher = textwrap.dedent(f"""
        import asyncio
        from engine.storage.urls import event_bus_from_url
        async def main():
            async with event_bus_from_url({url!r}) as bus:
                for n in range(3):
                    await bus.publish("session-9", {{"type": "chunk", "n": n}})
        asyncio.run(main())
    """)
    async with event_bus_from_url(url) as bus, bus.subscribe("session-9") as events:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", publisher, cwd=ROOT, env=dict(os.environ),
            stderr=subprocess.PIPE,
        )
        _, stderr = await process.communicate()
        assert process.returncode == 0, stderr.decode()
        assert await take(events, 3) == [{"type": "chunk", "n": n} for n in range(3)]


async def test_two_buses_fan_out_and_prefixes_keep_buses_apart(
    redis_server: RedisServer,
) -> None:
    url = redis_server.url()
    async with event_bus_from_url(url) as a, event_bus_from_url(url) as b, \
            event_bus_from_url(redis_server.url()) as other, \
            a.subscribe("t") as on_a, b.subscribe("t") as on_b, other.subscribe("t") as on_other:
        await a.publish("t", {"from": "a"})
        await b.publish("t", {"from": "b"})
        assert await take(on_a, 2) == [{"from": "a"}, {"from": "b"}]
        assert await take(on_b, 2) == [{"from": "a"}, {"from": "b"}]
        with pytest.raises(TimeoutError):
            await take(on_other, 1, timeout=0.2)


async def test_an_unreachable_server_is_unavailable() -> None:
    url = f"redis://127.0.0.1:{free_port()}/0?timeout=1"
    for backend in (cache_from_url(url), event_bus_from_url(url)):
        started_at = asyncio.get_running_loop().time()
        with pytest.raises(StorageUnavailableError, match="unavailable"):
            await backend.open()
        assert asyncio.get_running_loop().time() - started_at < 3


async def test_a_wrong_password_is_refused_without_showing_it(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEARTH_TEST_WRONG_REDIS_PASSWORD", "not-the-password-42")
    url = redis_server.url().replace(PASSWORD_ENV, "HEARTH_TEST_WRONG_REDIS_PASSWORD")
    with pytest.raises(StorageError) as err:
        await cache_from_url(url).open()
    assert "password" in err.value.message
    assert "not-the-password-42" not in str(err.value)
    assert redis_server.password is not None
    assert redis_server.password not in str(err.value)
    with pytest.raises(StorageError, match="missing"):
        await cache_from_url(url.replace("WRONG", "ABSENT")).open()


async def test_a_full_server_is_disk_full(tmp_path: Path) -> None:
    server = started("--maxmemory", "4mb", "--maxmemory-policy", "noeviction")
    try:
        async with cache_from_url(server.url()) as cache:
            with pytest.raises(DiskFull, match="maxmemory"):
                for n in range(100):
                    await cache.set(f"big{n}", b"x" * 100_000)
            assert await cache.get("big0") == b"x" * 100_000  # reads still work
    finally:
        server.stop()


async def test_the_bus_resubscribes_after_the_server_restarts(own_server: RedisServer) -> None:
    url = own_server.url()
    async with event_bus_from_url(url) as bus, bus.subscribe("t") as events:
        await bus.publish("t", {"n": 1})
        assert await take(events, 1) == [{"n": 1}]
        own_server.stop()
        with pytest.raises(StorageUnavailableError):
            await bus.publish("t", {"n": "lost"})
        restarted = RedisServer(own_server.root, password=None)
        restarted.port = own_server.port
        own_server.root.mkdir(exist_ok=True)
        restarted.start()
        try:
            async with asyncio.timeout(10):
                while True:  # until the reader has reconnected and subscribed again
                    async with event_bus_from_url(url) as publisher:
                        await publisher.publish("t", {"n": 2})
                    try:
                        assert await take(events, 1, timeout=0.3) == [{"n": 2}]
                        break
                    except TimeoutError:
                        continue
            await bus.publish("t", {"n": 3})
            assert await take(events, 1) == [{"n": 3}]
        finally:
            restarted.stop()


async def test_closing_after_the_server_went_away(own_server: RedisServer) -> None:
    url = own_server.url()
    cache, bus = cache_from_url(url), event_bus_from_url(url)
    async with cache, bus, bus.subscribe("t") as events:
        own_server.stop()
        with pytest.raises(StorageUnavailableError):
            await cache.get("k")
    assert [event async for event in events] == []


async def test_closing_while_a_subscription_waits_for_its_confirmation(
    own_server: RedisServer,
) -> None:
    """A frozen server never confirms the channel: closing the bus fails the entering task
    with StorageClosedError (not a stray CancelledError), at once."""
    assert own_server._process is not None
    async with event_bus_from_url(own_server.url()) as bus:
        entering = asyncio.create_task(bus.subscribe("t").__aenter__())
        os.kill(own_server._process.pid, signal.SIGSTOP)
        try:
            await asyncio.sleep(0.2)
            assert not entering.done()
            await bus.close()
            async with asyncio.timeout(2):
                with pytest.raises(StorageClosedError):
                    await entering
        finally:
            os.kill(own_server._process.pid, signal.SIGCONT)


async def test_foreign_messages_on_a_channel_are_ignored(redis_server: RedisServer) -> None:
    """Someone PUBLISHes by hand on a bus channel: the bus skips it and goes on."""
    prefix = "foreign:"
    async with event_bus_from_url(redis_server.url(prefix)) as bus, \
            cache_from_url(redis_server.url(prefix)) as cache, bus.subscribe("t") as events:
        assert isinstance(cache, RedisCache)
        client = cache._client
        for junk in (b"no separator", b"\xff\xfe bad utf-8", b"x not-json{", b"x [1, 2]",
                     b"x {broken"):
            await client.publish(f"{prefix}bus:t", junk)
        await bus.publish("t", {"n": 1})
        assert await take(events, 1) == [{"n": 1}]
