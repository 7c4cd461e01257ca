"""Errors of the office layer (the drive, documents, PDFs, archives).

The office layer serves BASIC's file keywords, so its failures are the BASIC ``FileError`` a
script traps with ``ON ERROR`` (kind ``FileError``, number 53). Subclasses let other callers,
the server above all, tell the failures apart by type rather than by message::

    FileError (engine.basic.errors)
    └── DriveFileNotFound      the drive path names no file or folder
"""

from __future__ import annotations

from engine.basic.errors import FileError


class DriveFileNotFound(FileError):
    """The drive path names no file or folder (scripts see an ordinary ``FileError``).

    Built with :func:`not_found`, so every such message reads the same.
    """


def not_found(drive_path: str) -> DriveFileNotFound:
    return DriveFileNotFound(f"file not found: {drive_path or '/'}")
