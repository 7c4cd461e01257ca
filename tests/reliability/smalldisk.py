"""A real small disk for disk-full tests: a tmpfs mounted for one test, and a way to fill it.

Mounting needs root (CI runs as root); elsewhere the test is skipped, or fails under
``HEARTH_REQUIRE_SERVICES=1``, through :func:`tests.conftest.require_service`.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from tests.conftest import require_service


@contextmanager
def small_disk(folder: Path, size_mb: int) -> Iterator[Path]:
    """Mount a ``size_mb`` MB tmpfs on ``folder`` for the block; unmount it afterwards."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(folder)],
        capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        require_service("tmpfs", f"cannot mount a tmpfs (root needed): {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path) -> Path:
    """Write a file until the disk holding ``folder`` has no byte left; return the file."""
    filler = folder / "filler.bin"
    block = b"\0" * (64 * 1024)
    with open(filler, "wb", buffering=0) as out:
        try:
            while True:
                out.write(block)
        except OSError as error:
            if error.errno != errno.ENOSPC:
                raise
        with suppress(OSError):  # the last few bytes, smaller than a block
            while True:
                out.write(b"\0" * 512)
    return filler


def free_bytes(folder: Path) -> int:
    stats = os.statvfs(folder)
    return stats.f_bavail * stats.f_frsize
