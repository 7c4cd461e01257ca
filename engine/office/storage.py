"""File-system steps shared by the drive's operations: atomic replacement and parent folders.

A file is never written in place: the bytes go to a temporary file next to the target, which
then replaces it with ``os.replace`` (atomic on POSIX and Windows). A crash or an error in the
middle leaves either the old file or the new one, never half of each, and the temporary file is
removed.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from engine.basic.errors import FileError
from engine.office.jail import DrivePath


@contextmanager
def atomic_target(target: Path) -> Iterator[Path]:
    """A temporary path to fill; on success it replaces ``target``, on error it is removed."""
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_atomically(target: Path, data: bytes) -> None:
    with atomic_target(target) as temporary, temporary.open("wb") as sink:
        sink.write(data)
        sink.flush()
        os.fsync(sink.fileno())


def ensure_parent(path: DrivePath) -> None:
    """Create the folders above ``path``; FileError when a file stands where one should be."""
    try:
        path.real.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        raise FileError(f"a file is in the way of the folder of {path.drive}") from exc
