"""Installing a bot package someone brings: a ``NAME.gbai`` folder or a zip of one
(``hearth import``, docs/basic-compatibility.md K4).

The source is never trusted: a zip member that is absolute, climbs out with ``..``, names a
drive or is a symbolic link refuses the whole archive (zip slip), as does a symbolic link
anywhere in a folder; archives are bounded in files and bytes (counted while extracting,
not taken from the headers). The bot's name must be a valid bot name and must not be taken.
The package is copied next to the bots and renamed into place, so a failed import leaves
nothing behind.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import uuid
import zipfile
from pathlib import Path, PurePosixPath

from engine.bots.errors import BotError

MAX_FILES = 20_000
MAX_BYTES = 512 * 1024 * 1024
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_MARKERS = ("gbdialog", "gbot", "gbkb", "gbdata", "gbdrive", "gbtheme")


def check_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise BotError(f"invalid bot name '{name[:80]}': use up to 64 letters, digits, '-' and "
                       "'_', starting with a letter or digit (choose one with --name)")
    return name


def unpack(source: Path, work: Path) -> Path:
    """A folder holding the source's files: the folder itself (checked for symbolic links),
    or the zip extracted under ``work``."""
    if source.is_symlink():
        raise BotError(f"{source}: symbolic links are refused")
    if source.is_dir():
        refuse_symlinks(source)
        return source
    if source.is_file() and zipfile.is_zipfile(source):
        target = work / "unpacked"
        target.mkdir(parents=True)
        extract_zip(source, target)
        return target
    raise BotError(f"{source}: not a folder or a zip archive")


def refuse_symlinks(root: Path) -> None:
    for folder, dirs, files in os.walk(root, followlinks=False):
        for name in [*dirs, *files]:
            path = Path(folder) / name
            if path.is_symlink():
                raise BotError(f"{path}: symbolic links are refused")


def extract_zip(archive: Path, target: Path) -> None:
    base = target.resolve()
    with zipfile.ZipFile(archive) as zf:
        members = zf.infolist()
        if len(members) > MAX_FILES:
            raise BotError(f"{archive.name}: more than {MAX_FILES} files")
        budget = MAX_BYTES
        for info in members:
            path = _member_path(info, base)
            if info.is_dir():
                path.mkdir(parents=True, exist_ok=True)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(path, "wb") as out:
                while chunk := src.read(1 << 16):
                    budget -= len(chunk)
                    if budget < 0:
                        raise BotError(f"{archive.name}: more than {MAX_BYTES} bytes unpacked")
                    out.write(chunk)


def _member_path(info: zipfile.ZipInfo, base: Path) -> Path:
    name = info.filename.replace("\\", "/")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise BotError(f"{name}: symbolic links are refused")
    parts = PurePosixPath(name).parts
    if name.startswith("/") or ".." in parts or (parts and ":" in parts[0]):
        raise BotError(f"{name}: the archive writes outside its folder (refused)")
    path = base.joinpath(*parts)
    if path.resolve() != base and base not in path.resolve().parents:
        raise BotError(f"{name}: the archive writes outside its folder (refused)")
    return path


def package_root(folder: Path, fallback_name: str) -> tuple[Path, str]:
    """The package inside ``folder`` and its name: a ``NAME.gbai`` folder (``folder``
    itself, or its only ``.gbai`` folder up to two levels down), else ``folder`` when it
    holds sub-packages or scripts, named ``fallback_name``."""
    if folder.name.lower().endswith(".gbai"):
        return folder, folder.name[:-5]
    for depth in (1, 2):
        found = sorted(p for p in folder.glob("/".join(["*"] * depth))
                       if p.is_dir() and p.name.lower().endswith(".gbai"))
        if len(found) > 1:
            names = ", ".join(p.name for p in found[:5])
            raise BotError(f"several packages found ({names}): import them one at a time")
        if found:
            return found[0], found[0].name[:-5]
    if any(p.is_dir() and p.name.lower().rpartition(".")[2] in _MARKERS
           for p in folder.iterdir()) or any(folder.rglob("*.bas")):
        return folder, fallback_name
    raise BotError(f"{folder}: no bot package found (no .gbai folder, sub-package or script)")


def install(root: Path, name: str, bots_dir: Path) -> Path:
    """Copy the package into ``bots_dir/NAME.gbai``; returns the new folder."""
    check_name(name)
    target = bots_dir / f"{name}.gbai"
    if target.exists():
        raise BotError(f"a bot named '{name}' already exists (choose another with --name)")
    bots_dir.mkdir(parents=True, exist_ok=True)
    staging = bots_dir / f".import-{uuid.uuid4().hex[:12]}"
    try:
        shutil.copytree(root, staging, symlinks=True)
        staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target
