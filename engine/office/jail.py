"""The drive jail: turning a script's path into a checked location (BASIC.md §9.1).

A script names files with *drive paths*. :func:`drive_parts` normalises one lexically (``\\``
read as ``/``, a leading ``/`` meaning the drive root, ``.`` dropped, ``..`` popped) and refuses
what could leave the drive before the file system is touched: ``..`` above the root, drive
letters, NUL bytes. :class:`DriveJail` then resolves symbolic links and refuses a location whose
real path is outside the drive root. Every file operation goes through it first, so nothing
reads or writes a byte outside the root.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from engine.basic.errors import BasicPermissionError

_DRIVE_LETTER = re.compile(r"^[A-Za-z]:")
_WINDOWS = os.name == "nt"
# Windows reads a colon inside a name as an alternate data stream, opens devices for names like
# CON or NUL.txt in any folder, and drops trailing dots and spaces (".. " becomes "..").
_WINDOWS_UNSAFE = re.compile(
    r".*[:<>\"|?*\x01-\x1f].*|.*[. ]|(?:con|prn|aux|nul|com\d|lpt\d)(?:\..*)?", re.IGNORECASE
)


def drive_parts(path: str, *, windows: bool = _WINDOWS) -> tuple[str, ...]:
    """The components of a drive path, normalised; ``()`` is the drive root.

    ``windows`` adds the rules for names that Windows would not treat as plain file names.
    """
    text = path.replace("\\", "/")
    if "\x00" in text:
        raise BasicPermissionError(f"invalid path: {path!r}")
    if _DRIVE_LETTER.match(text):
        raise BasicPermissionError(f"drive letters are not allowed: {path}")
    parts: list[str] = []
    for part in text.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                raise BasicPermissionError(f"path leaves the drive: {path}")
            parts.pop()
            continue
        if windows and _WINDOWS_UNSAFE.fullmatch(part):
            raise BasicPermissionError(f"invalid path on Windows: {path}")
        parts.append(part)
    return tuple(parts)


def normalise(path: str) -> str:
    """The normalised drive path: relative, POSIX separators, no leading ``/``."""
    return "/".join(drive_parts(path))


@dataclass(frozen=True, slots=True)
class DrivePath:
    """A drive path checked against the jail.

    ``drive`` is the normalised drive path (``""`` for the root); ``real`` is the location with
    every symbolic link resolved, inside the root. I/O always goes through ``real``, the path
    that was checked.
    """

    drive: str
    real: Path

    @property
    def name(self) -> str:
        return self.drive.rsplit("/", 1)[-1]


class DriveJail:
    """Resolves drive paths below one root folder, refusing every way out."""

    def __init__(self, root: Path) -> None:
        self._root = root.resolve(strict=True)
        if not self._root.is_dir():
            raise NotADirectoryError(f"drive root is not a folder: {root}")

    @property
    def root(self) -> Path:
        return self._root

    def resolve(self, path: str) -> DrivePath:
        """Check ``path`` and return where it really is; raise BasicPermissionError if outside."""
        parts = drive_parts(path)
        return DrivePath("/".join(parts), self._real(self._root.joinpath(*parts), path))

    def child(self, folder: DrivePath, name: str) -> DrivePath:
        """The entry ``name`` of an already checked folder (for walks and archive entries)."""
        drive = f"{folder.drive}/{name}" if folder.drive else name
        return self.resolve(drive)

    def contains(self, real: Path) -> bool:
        return real == self._root or real.is_relative_to(self._root)

    def _real(self, local: Path, shown: str) -> Path:
        try:
            real = local.resolve(strict=False)
        except (OSError, RuntimeError) as exc:  # a symbolic link loop
            raise BasicPermissionError(f"path cannot be resolved: {shown}") from exc
        if not self.contains(real):
            raise BasicPermissionError(f"path leaves the drive: {shown}")
        return real
