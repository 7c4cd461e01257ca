"""Zip archives in the drive: COMPRESS and EXTRACT (BASIC.md §9.3).

Archives come from anywhere, so extraction is planned before anything is written: every entry
name is normalised on its own and must stay below the extraction folder (no absolute names, no
drive letters, no ``..`` above the folder — "zip slip"), and every target is resolved through
the drive jail. Sizes and entry counts are capped while bytes are actually inflated, because
the sizes a zip header declares can lie ("zip bombs"). Entries are always written as regular
files: a symbolic-link entry never becomes a link.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO

from engine.basic.errors import BasicPermissionError, FileError
from engine.office.jail import DriveJail, DrivePath, drive_parts
from engine.office.storage import atomic_target, ensure_parent

_CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    """What one EXTRACT may produce."""

    max_bytes: int = 1024 * 1024 * 1024
    max_entries: int = 10_000


@dataclass(frozen=True, slots=True)
class _Planned:
    info: zipfile.ZipInfo
    target: DrivePath


def write_zip(entries: Sequence[DrivePath], archive: DrivePath) -> None:
    """Zip the files ``entries``, each stored under its drive path, into ``archive``."""
    ensure_parent(archive)
    with (
        atomic_target(archive.real) as temporary,
        zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as output,
    ):
        for entry in entries:
            info = zipfile.ZipInfo.from_file(entry.real, entry.drive, strict_timestamps=False)
            info.compress_type = zipfile.ZIP_DEFLATED
            with entry.real.open("rb") as source, output.open(info, "w") as sink:
                _copy(source, sink, None)


def extract_zip(
    jail: DriveJail, archive: DrivePath, folder: DrivePath, limits: ArchiveLimits
) -> list[str]:
    """Unzip ``archive`` below ``folder``; the drive paths of the files, in archive order."""
    try:
        with zipfile.ZipFile(archive.real) as source:
            plan = _plan(jail, source, folder, limits)
            budget = [limits.max_bytes]
            for item in plan:
                _extract_one(source, item, budget)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError) as exc:
        raise FileError(f"not a readable zip archive: {archive.drive}") from exc
    except (RuntimeError, NotImplementedError) as exc:  # encrypted or unsupported entries
        raise FileError(f"cannot extract {archive.drive}: {exc}") from exc
    return list(dict.fromkeys(item.target.drive for item in plan if not _is_folder(item.info)))


def _plan(
    jail: DriveJail, source: zipfile.ZipFile, folder: DrivePath, limits: ArchiveLimits
) -> list[_Planned]:
    infos = source.infolist()
    if len(infos) > limits.max_entries:
        raise FileError(f"the archive has more than {limits.max_entries} entries")
    if sum(info.file_size for info in infos) > limits.max_bytes:
        raise FileError(f"the archive expands to more than {limits.max_bytes} bytes")
    return [_Planned(info, _entry_target(jail, folder, info.filename)) for info in infos]


def _entry_target(jail: DriveJail, folder: DrivePath, name: str) -> DrivePath:
    relative = name.replace("\\", "/")
    if relative.startswith("/"):
        raise BasicPermissionError(f"archive entry has an absolute path: {name}")
    parts = drive_parts(relative)  # refuses drive letters and ".." above the folder
    if not parts:
        raise BasicPermissionError(f"archive entry has no name: {name!r}")
    return jail.resolve("/".join((folder.drive, *parts)))


def _extract_one(source: zipfile.ZipFile, item: _Planned, budget: list[int]) -> None:
    target = item.target
    if _is_folder(item.info):
        _make_folder(target)
        return
    ensure_parent(target)
    if target.real.is_dir():
        raise FileError(f"a folder is in the way: {target.drive}")
    with (
        source.open(item.info) as member,
        atomic_target(target.real) as temporary,
        temporary.open("wb") as sink,
    ):
        budget[0] = _copy(member, sink, budget[0])


def _copy(source: IO[bytes], sink: IO[bytes], budget: int | None) -> int:
    """Stream ``source`` into ``sink``; FileError once more than ``budget`` bytes came out."""
    remaining = budget if budget is not None else -1
    for chunk in _chunks(source):
        if budget is not None:
            remaining -= len(chunk)
            if remaining < 0:
                raise FileError("the archive expands to more than its allowed size")
        sink.write(chunk)
    return remaining


def _chunks(source: IO[bytes]) -> Iterator[bytes]:
    while chunk := source.read(_CHUNK):
        yield chunk


def _make_folder(target: DrivePath) -> None:
    try:
        target.real.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        raise FileError(f"a file is in the way: {target.drive}") from exc


def _is_folder(info: zipfile.ZipInfo) -> bool:
    return info.filename.endswith(("/", "\\"))
