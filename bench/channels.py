"""Channel benchmark: inbound webhook → outbound reply latency per channel, against the
platform fakes on loopback, beside the bare HTTP round trip measured in the same run.

For each channel, ``--messages`` signed webhooks are posted one after another to the real
server (an echo bot: every message is one engine turn); the latency of one message is from
posting the webhook to the fake receiving the reply (so it includes the 200 acknowledgement,
the turn, rendering and the outbound call). Then one channel at saturation: ``--users``
senders post ``--burst`` messages each at once; messages/s until every reply has arrived.
The bare round trip is a POST to a do-nothing aiohttp handler on the same loop.

Everything runs in this one process and event loop (server, engine, fakes, client), so the
figures are a lower bound for a machine whose platforms are far away.

Run: ``.venv/bin/python bench/channels.py [--messages 200] [--users 20] [--burst 10]``
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import print_table, write_json
from tests.engine.channels.fakes.base import FakePlatform
from tests.engine.channels.fakes.telegram import FakeTelegram, text_update
from tests.engine.channels.fakes.whatsapp import FakeWhatsApp, notification, text

ECHO = 'DO\n  HEAR m\n  TALK "you said " + m\nLOOP\n'
TG_SECRET, WA_SECRET = "bench-telegram-secret", "bench-whatsapp-secret"
Post = Callable[[int, str], Awaitable[None]]


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p50_ms": statistics.median(ordered) * 1000,
            "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
            "n": len(ordered)}


async def bare_round_trip(client: aiohttp.ClientSession, count: int) -> dict[str, float]:
    app = web.Application()

    async def ok(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({"ok": True})

    app.router.add_post("/", ok)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/"  # type: ignore[union-attr]
    samples = []
    for n in range(count):
        started = time.perf_counter()
        async with client.post(url, json={"update_id": n}) as response:
            await response.read()
        samples.append(time.perf_counter() - started)
    await runner.cleanup()
    return percentiles(samples)


async def latency(fake: FakePlatform, post: Post, count: int) -> dict[str, float]:
    """One message at a time from one user: post, then wait for its reply at the fake."""
    samples = []
    for n in range(count):
        before = len(fake.calls)
        started = asyncio.get_running_loop().time()  # the clock the fakes stamp calls with
        await post(n, "0")
        await fake.wait_calls(before + 1)
        reply = fake.calls[before]
        assert f"you said m{n}" in str(reply.body), reply.body  # its own answer, not another
        samples.append(reply.at - started)
    return percentiles(samples)


async def saturation(fake: FakePlatform, post: Post, users: int, burst: int,
                     first_id: int) -> dict[str, float]:
    before = len(fake.calls)
    started = time.perf_counter()
    await asyncio.gather(*(post(first_id + u * burst + n, str(100 + u))
                           for u in range(users) for n in range(burst)))
    await fake.wait_calls(before + users * burst, timeout=300)
    elapsed = time.perf_counter() - started
    answered = {str(c.body) for c in fake.calls[before:]}
    assert len(answered) == users * burst, "every message gets its own reply"
    return {"messages": users * burst, "seconds": elapsed,
            "messages_per_s": users * burst / elapsed}


async def run(args: argparse.Namespace) -> dict[str, Any]:
    from engine.api import Engine, EngineConfig
    from engine.channels.service import ChannelService
    from engine.server import ServerOptions, build_app
    from engine.server.routes.channels import CHANNELS

    telegram, whatsapp = await FakeTelegram().start(), await FakeWhatsApp().start()
    home = Path(tempfile.mkdtemp(prefix="hearth-bench-channels-"))
    root = home / "bots" / "echo.gbai"
    (root / "echo.gbdialog").mkdir(parents=True)
    (root / "echo.gbdialog" / "start.bas").write_text(ECHO, encoding="utf-8")
    (root / "echo.gbot").mkdir()
    (root / "echo.gbot" / "config.csv").write_text(
        "name,value\n"
        f"telegram-token,{telegram.token}\ntelegram-secret,{TG_SECRET}\n"
        f"telegram-api-url,{telegram.url}\n"
        f"whatsapp-token,{whatsapp.token}\nwhatsapp-app-secret,{WA_SECRET}\n"
        f"whatsapp-verify-token,v\nwhatsapp-phone-id,{whatsapp.phone_id}\n"
        f"whatsapp-api-url,{whatsapp.api_url}\n", encoding="utf-8")
    config = EngineConfig.under(home, run_scheduler=False, watch_bots=False)
    results: dict[str, Any] = {"messages": args.messages}
    async with Engine(config) as engine, aiohttp.ClientSession() as client:
        app = await build_app(engine, ServerOptions(rate_per_second=1e6, rate_burst=1_000_000))
        service: ChannelService = app[CHANNELS]
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        base = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]

        async def post_telegram(n: int, user: str) -> None:
            update = text_update(n + 1, int(user), f"m{n}")
            async with client.post(f"{base}/api/channels/telegram/echo", json=update,
                                   headers={"X-Telegram-Bot-Api-Secret-Token": TG_SECRET}
                                   ) as response:
                assert response.status == 200, response.status

        async def post_whatsapp(n: int, user: str) -> None:
            payload = notification(whatsapp.phone_id, f"55{user}", text(f"wamid.{n}", f"m{n}"))
            status, _ = await whatsapp.notify(f"{base}/api/channels/whatsapp/echo", payload,
                                              WA_SECRET)
            assert status == 200, status

        results["bare_http"] = await bare_round_trip(client, args.messages)
        results["telegram"] = await latency(telegram, post_telegram, args.messages)
        results["whatsapp"] = await latency(whatsapp, post_whatsapp, args.messages)
        results["telegram_saturation"] = await saturation(
            telegram, post_telegram, args.users, args.burst, 10_000)
        await service.drain()
        await runner.cleanup()
    await telegram.stop()
    await whatsapp.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--burst", type=int, default=10)
    args = parser.parse_args()
    results = asyncio.run(run(args))
    rows = [[name, round(results[name]["p50_ms"], 2), round(results[name]["p99_ms"], 2),
             results[name]["n"]] for name in ("bare_http", "telegram", "whatsapp")]
    print_table(["path", "p50 ms", "p99 ms", "n"], rows)
    sat = results["telegram_saturation"]
    print(f"\ntelegram at saturation: {sat['messages']} messages from {args.users} users in "
          f"{sat['seconds']:.2f} s = {sat['messages_per_s']:.1f} messages/s")
    print(write_json("channels", results))


if __name__ == "__main__":
    main()
