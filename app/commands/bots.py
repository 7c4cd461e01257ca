"""``hearth bots list`` and ``hearth new NAME [--template T]``."""

from __future__ import annotations

import argparse
import asyncio
import sys

from app.engine_factory import build_engine
from engine.bots.errors import BotError


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    bots = sub.add_parser("bots", help="the installed bots")
    bots_sub = bots.add_subparsers(dest="bots_command", required=True)
    listing = bots_sub.add_parser("list", help="list the installed bots")
    listing.set_defaults(handler=list_bots)
    new = sub.add_parser("new", help="create a bot from a template")
    new.add_argument("name")
    new.add_argument("--template", default="starter")
    new.set_defaults(handler=new_bot)


def list_bots(args: argparse.Namespace) -> int:
    async def run() -> int:
        async with build_engine(run_scheduler=False, watch_bots=False) as engine:
            infos = engine.list_bots()
            if not infos:
                print("No bots yet. Create one with: hearth new NAME --template starter")
                print("Templates: " + ", ".join(engine.bots.templates()))
            for info in infos:
                state = f"{info.errors} error(s)" if info.errors else "ok"
                tools = ", ".join(info.tools) or "no tools"
                print(f"{info.name:20} {info.title:24} {info.scripts} script(s), {tools}, {state}")
                ignored = engine.bots.package(info.name).ignored_scripts()
                if ignored:
                    shown = ", ".join(p.name for p in ignored[:5])
                    print(f"{'':20} {len(ignored)} .bas file(s) not loaded (outside the "
                          f".gbdialog folder): {shown}")
        return 0

    return asyncio.run(run())


def new_bot(args: argparse.Namespace) -> int:
    async def run() -> int:
        async with build_engine(run_scheduler=False, watch_bots=False) as engine:
            try:
                package = engine.new_bot(args.name, args.template)
            except BotError as error:
                print(f"error: {error.message}", file=sys.stderr)
                return 1
            print(f"Created {package.root}")
            print(f"Chat with it: hearth chat {args.name}")
        return 0

    return asyncio.run(run())
