"""``hearth`` with no sub-command: the desktop window, or the terminal chat without one.

``hearth desktop`` opens the window and fails with a clear message when it cannot.
Before opening the window, a short probe in a child process checks that Qt can reach the
display: a missing platform library makes Qt abort the whole process, and ``hearth`` must
then still fall back to the terminal with a sentence saying why.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import subprocess
import sys

from app.engine_factory import build_engine

_PROBE = "from PySide6.QtWidgets import QApplication; QApplication([])"
XCB_HINT = ("on Debian/Ubuntu: apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 "
            "libxcb-render-util0 libxkbcommon-x11-0")


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) \
        or sys.platform in ("win32", "darwin") \
        or os.environ.get("QT_QPA_PLATFORM", "") not in ("", "xcb", "wayland")


def desktop_problem() -> str | None:
    """Why the desktop window cannot open here, or None when it can."""
    missing = [name for name in ("PySide6", "qasync") if importlib.util.find_spec(name) is None]
    if missing:
        return f"{' and '.join(missing)} not installed (pip install PySide6-Essentials qasync)"
    try:
        probe = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True,
                               timeout=20)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"Qt did not start ({error})"
    if probe.returncode != 0:
        lines = [line for line in probe.stderr.splitlines() if line.strip()]
        detail = lines[-1] if lines else f"exit code {probe.returncode}"
        return f"Qt cannot open a window: {detail} ({XCB_HINT})"
    return None


async def _ensure_starter() -> str:
    """The bot to open: the first installed one, or a new bot from the starter template."""
    async with build_engine(run_scheduler=False, watch_bots=False) as engine:
        names = engine.bots.names()
        if names:
            return "starter" if "starter" in names else names[0]
        engine.new_bot("starter", "starter")
        return "starter"


def open_desktop() -> int:
    from ui.app import run as run_desktop

    return run_desktop()


def terminal() -> int:
    bot = asyncio.run(_ensure_starter())
    from app.commands.chat import chat

    try:
        return asyncio.run(chat(bot, None, "local", logs=False))
    except KeyboardInterrupt:
        return 130


def start() -> int:
    if not has_display():
        print("No display found: starting the terminal chat (`hearth desktop` opens the "
              "window on a machine with a display).", file=sys.stderr)
        return terminal()
    problem = desktop_problem()
    if problem is None:
        return open_desktop()
    print(f"The desktop app cannot start: {problem}.\nStarting the terminal chat instead.",
          file=sys.stderr)
    return terminal()


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("desktop", help="open the desktop window")
    parser.set_defaults(handler=desktop_command)


def desktop_command(args: argparse.Namespace) -> int:
    problem = None if has_display() else "no display found (set DISPLAY or WAYLAND_DISPLAY)"
    problem = problem or desktop_problem()
    if problem is not None:
        print(f"hearth desktop: {problem}", file=sys.stderr)
        return 1
    return open_desktop()
