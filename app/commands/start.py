"""``hearth`` with no sub-command: the desktop window, or the terminal without a display."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from app.paths import AppPaths

TEMPLATES = Path(__file__).resolve().parents[2] / "resources" / "templates"


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) \
        or sys.platform in ("win32", "darwin")


def install_template(name: str, paths: AppPaths) -> Path:
    """Copy a bundled template into the bots folder unless a bot of that name exists."""
    target = paths.bots_dir / f"{name}.gbai"
    if not target.exists():
        shutil.copytree(TEMPLATES / f"{name}.gbai", target)
    return target


def start() -> int:
    paths = AppPaths.from_env().ensure_dirs()
    if has_display():
        print("The desktop app is not available in this build yet; starting the terminal.",
              file=sys.stderr)
    bot = install_template("starter", paths)
    print(f"Hearth (terminal) — bot '{bot.name[:-5]}' from {bot}", file=sys.stderr)
    from app.commands import run

    script = bot / "starter.gbdialog" / "start.bas"
    return run.run(run.build_args(script))
