"""What ingestion reads: documents of a folder, or pages fetched from a website.

A :class:`SourceItem` names a document by its *key* (a ``/``-separated path inside the
collection folder, or a URL), carries a cheap fingerprint (size and mtime) used to skip an
unchanged file without reading it, and reads its bytes on demand.

The collection folder is a boundary: a symbolic link (to a file or a folder) whose target
resolves outside it is never followed. It becomes an item carrying a ``problem`` (reported
as a failed document, never read), so a package cannot make ``/etc/passwd`` searchable. Links
that stay inside are followed, each real folder walked once, so a link cycle cannot loop.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from engine.kb.extract import supports

GBKB_SUFFIX = ".gbkb"


@dataclass(frozen=True, slots=True)
class SourceItem:
    key: str
    name: str
    """File name used to pick the reader (its extension matters)."""
    size: int
    mtime_ns: int
    read: Callable[[], bytes]
    problem: str = ""
    """Why the item must not be read (a link leaving the collection); '' for a good item."""
    path: Path | None = None
    """The real file behind a folder item (streamed and hashed in pieces when large)."""


LINK_OUTSIDE = "symbolic link to a place outside the collection folder, not indexed"


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def bytes_item(key: str, name: str, data: bytes) -> SourceItem:
    """An in-memory document (a crawled page, a benchmark passage)."""
    return SourceItem(key, name, len(data), 0, lambda: data)


def collection_name(folder: Path) -> str:
    """``USE KB`` name of a folder: its own name (``bot.gbkb`` for a package's root files)."""
    return folder.resolve().name


def scan_folder(folder: Path) -> tuple[list[SourceItem], list[str]]:
    """Supported files of a collection folder and the keys of unsupported ones.

    A ``*.gbkb`` folder is the collection of the files *directly* in it (its sub-folders are
    collections of their own); any other folder is taken whole, sub-folders included. Hidden
    files and folders (``.name``) and Office lock files (``~$name``) are ignored. A link out
    of the folder comes back as an item with a ``problem`` (see the module docstring).
    """
    root = folder.resolve()
    recursive = not root.name.lower().endswith(GBKB_SUFFIX)
    items: list[SourceItem] = []
    unsupported: list[str] = []
    for path, real in sorted(_files(root, recursive)):
        key = path.relative_to(root).as_posix()
        if real is None:
            items.append(SourceItem(key, path.name, 0, 0, _refused, LINK_OUTSIDE))
            continue
        if not supports(path.name):
            unsupported.append(key)
            continue
        stat = real.stat()
        items.append(SourceItem(key, path.name, stat.st_size, stat.st_mtime_ns,
                                _reader(real, root), path=real))
    return items, unsupported


def package_collections(gbkb: Path) -> list[Path]:
    """The collection folders of a ``.gbkb`` package: itself (root files), then sub-folders.
    A sub-folder that is a link out of the package is left out (:func:`scan_folder` of the
    package reports it); a ``.gbkb`` that is itself such a link has none."""
    if leaves_package(gbkb):
        return []
    root = gbkb.resolve()
    subfolders = sorted(p for p in gbkb.iterdir()
                        if not _hidden(p.name) and p.is_dir() and _inside(p.resolve(), root))
    return [gbkb, *subfolders]


def leaves_package(gbkb: Path) -> bool:
    """True when the ``.gbkb`` folder is itself a link to a place outside its package (the
    folder holding it): none of it may be indexed."""
    return not _inside(gbkb.resolve(), gbkb.absolute().parent.resolve())


def _inside(real: Path, root: Path) -> bool:
    return real == root or real.is_relative_to(root)


def _files(root: Path, recursive: bool) -> Iterator[tuple[Path, Path | None]]:
    """(path as listed, real path) of every file; real is None for a link leaving ``root``.
    Each real folder is walked once, so links cannot make the walk loop."""
    seen: set[Path] = {root}
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:  # an unreadable folder: nothing in it can be indexed
            continue
        for entry in entries:
            if _hidden(entry.name):
                continue
            path = Path(entry.path)
            real = path.resolve()
            if not _inside(real, root):
                if real.exists():  # a dangling link points nowhere: nothing to refuse
                    yield path, None
            elif real.is_dir():
                if recursive and real not in seen:
                    seen.add(real)
                    pending.append(path)
            elif real.is_file():
                yield path, real


def _hidden(name: str) -> bool:
    return name.startswith((".", "~$"))


def _refused() -> bytes:
    raise OSError(LINK_OUTSIDE)


def _reader(real: Path, root: Path) -> Callable[[], bytes]:
    def read() -> bytes:
        # Checked again when read: the link may have been changed since the scan.
        if not _inside(real.resolve(), root):
            raise OSError(LINK_OUTSIDE)
        return real.read_bytes()

    return read
