"""``hearth`` with no sub-command: the desktop window, or the terminal chat without one."""

from __future__ import annotations

import asyncio
import os
import sys

from app.engine_factory import build_engine


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) \
        or sys.platform in ("win32", "darwin")


async def _ensure_starter() -> str:
    """The bot to open: the first installed one, or a new bot from the starter template."""
    async with build_engine(run_scheduler=False, watch_bots=False) as engine:
        names = engine.bots.names()
        if names:
            return "starter" if "starter" in names else names[0]
        engine.new_bot("starter", "starter")
        return "starter"


def start() -> int:
    if has_display():
        print("The desktop app is not part of this build yet; starting the terminal chat.",
              file=sys.stderr)
    else:
        print("No display found: starting the terminal chat.", file=sys.stderr)
    bot = asyncio.run(_ensure_starter())
    from app.commands.chat import chat

    try:
        return asyncio.run(chat(bot, None, "local", logs=False))
    except KeyboardInterrupt:
        return 130
